import CryptoExtras
import DestinationsCore
import Foundation

/// Google's service-account flow: a JWT signed with the account's RSA key (RS256), traded at the token
/// endpoint for an access token (https://developers.google.com/identity/protocols/oauth2/service-account).
struct ServiceAccountToken {
    let email: String
    let privateKeyPEM: String
    let scope: String
    let tokenURL: URL

    func accessToken(using api: ProviderAPI, now: Date = Date()) async throws -> String {
        let form = [
            "grant_type": "urn:ietf:params:oauth:grant-type:jwt-bearer",
            "assertion": try assertion(now: now),
        ]
        let response = try await api.send(
            ProviderRequest(
                method: "POST",
                url: tokenURL,
                headers: [("Content-Type", "application/x-www-form-urlencoded")],
                body: Data(FormEncoding.encode(form).utf8),
                hostSource: .configured
            )
        )
        return try api.decode(TokenAnswer.self, from: response).accessToken
    }

    func assertion(now: Date) throws -> String {
        let key: _RSA.Signing.PrivateKey
        do {
            // Keys pasted from the JSON key file often keep its escaped newlines.
            key = try _RSA.Signing.PrivateKey(pemRepresentation: privateKeyPEM.replacingOccurrences(of: "\\n", with: "\n"))
        } catch {
            throw ProviderFailure.permanent("The private_key is not a PEM RSA private key; paste the private_key of the service account's JSON key")
        }
        let issuedAt = Int(now.timeIntervalSince1970)
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        let claims: [String: JSONValue] = [
            "iss": .string(email),
            "scope": .string(scope),
            "aud": .string(tokenURL.absoluteString),
            "iat": .integer(Int64(issuedAt)),
            "exp": .integer(Int64(issuedAt + 3600)),
        ]
        let signingInput = Data(header.utf8).base64URLEncodedString() + "." + JSONValue.encodeObject(claims).base64URLEncodedString()
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + signature.rawRepresentation.base64URLEncodedString()
    }

    private struct TokenAnswer: Decodable {
        let accessToken: String

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
        }
    }
}
