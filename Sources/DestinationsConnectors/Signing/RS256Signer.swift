import Crypto
import CryptoExtras
import DestinationsCore
import Foundation

/// JSON Web Tokens signed with an RSA private key (RS256: PKCS #1 v1.5 over SHA-256), the way Google's
/// service accounts and Snowflake's key-pair authentication take them.
struct RS256Signer {
    private let key: _RSA.Signing.PrivateKey

    /// - Parameter field: the credential the PEM came from, named when it is not a usable key.
    init(pem: String, field: String) throws {
        do {
            // Keys pasted from a JSON key file often keep its escaped newlines.
            key = try _RSA.Signing.PrivateKey(pemRepresentation: pem.replacingOccurrences(of: "\\n", with: "\n"))
        } catch {
            throw ProviderFailure.permanent(
                "The \(field) is not an unencrypted PEM RSA private key of 2048 bits or more (-----BEGIN PRIVATE KEY-----)"
            )
        }
    }

    func token(claims: [String: JSONValue]) throws -> String {
        let header = #"{"alg":"RS256","typ":"JWT"}"#
        let signingInput = Data(header.utf8).base64URLEncodedString() + "." + JSONValue.encodeObject(claims).base64URLEncodedString()
        let signature = try key.signature(for: Data(signingInput.utf8), padding: .insecurePKCS1v1_5)
        return signingInput + "." + signature.rawRepresentation.base64URLEncodedString()
    }

    /// `SHA256:` and the base64 SHA-256 digest of the public key's DER (SubjectPublicKeyInfo) form: how
    /// Snowflake names the key a user registered (`RSA_PUBLIC_KEY_FP`).
    var publicKeyFingerprint: String {
        "SHA256:" + Data(SHA256.hash(data: key.publicKey.derRepresentation)).base64EncodedString()
    }
}
