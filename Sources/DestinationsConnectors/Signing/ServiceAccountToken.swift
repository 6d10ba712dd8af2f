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
        let issuedAt = Int64(now.timeIntervalSince1970)
        return try RS256Signer(pem: privateKeyPEM, field: "private_key").token(claims: [
            "iss": .string(email),
            "scope": .string(scope),
            "aud": .string(tokenURL.absoluteString),
            "iat": .integer(issuedAt),
            "exp": .integer(issuedAt + 3600),
        ])
    }

    private struct TokenAnswer: Decodable {
        let accessToken: String

        enum CodingKeys: String, CodingKey {
            case accessToken = "access_token"
        }
    }
}

extension ServiceAccountToken {
    /// The credential fields of a destination that signs in as a Google service account.
    static func credentialFields(sharing hint: String) -> [CredentialField] {
        [
            CredentialField(
                id: "service_account_email",
                label: "Service Account Email",
                format: .email,
                placeholder: "sync@project.iam.gserviceaccount.com",
                hint: hint
            ),
            CredentialField(
                id: "private_key",
                label: "Service Account Private Key",
                secret: true,
                hint: "The private_key of the service account's JSON key (PEM)"
            ),
        ]
    }

    /// An access token for `scope`, signed by the destination's own service account. With a base URL
    /// override the token endpoint is `<base>/token`.
    static func accessToken(_ context: ConnectorContext, scope: String) async throws -> String {
        let tokenURL = context.baseURLOverride.map { $0.appendingPathComponent("token") } ?? URL(string: "https://oauth2.googleapis.com/token")!
        return try await ServiceAccountToken(
            email: try context.credential("service_account_email"),
            privateKeyPEM: try context.credential("private_key"),
            scope: scope,
            tokenURL: tokenURL
        ).accessToken(using: ProviderAPI(provider: "Google", context: context, headers: [], hostSource: .configured))
    }
}
