import Crypto
import Foundation

/// Fingerprints of a destination's secrets for the audit trail: equal secrets give equal fingerprints,
/// any change gives another. Keyed (HMAC-SHA256 with a key derived from the credentials key), so a short
/// or guessable secret cannot be found by hashing candidates against a leaked audit trail.
public struct SecretFingerprinter: Sendable {
    private let key: SymmetricKey

    public init(encryptionKey: EncryptionKey) {
        self.key = encryptionKey.derivedKey(for: "audit fingerprint")
    }

    /// 128 bits of the HMAC of the secrets' canonical JSON (sorted keys), in hex.
    public func fingerprint(_ secrets: [String: JSONValue]) -> String {
        let mac = HMAC<SHA256>.authenticationCode(for: JSONValue.encodeObject(secrets), using: key)
        return mac.prefix(16).map { String(format: "%02x", $0) }.joined()
    }
}
