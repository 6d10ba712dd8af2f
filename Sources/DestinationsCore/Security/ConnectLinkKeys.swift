import Crypto
import Foundation

/// The keys in connect links' URIs: HMAC-SHA256 of a random per-link nonce under a key derived from the
/// credentials key. The database holds the nonce and the key's SHA-256, never the key: a copy of the
/// database alone opens no link, while the server can show a link's `uri` again (as Census lists them).
/// Rotating the credentials key invalidates the links made before; they live a day by default.
public struct ConnectLinkKeys: Sendable {
    private let key: SymmetricKey
    private let formKey: SymmetricKey

    public init(encryptionKey: EncryptionKey) {
        self.key = encryptionKey.derivedKey(for: "connect link")
        self.formKey = encryptionKey.derivedKey(for: "connect link form")
    }

    /// The token the page's form sends back with each submission (`X-CSRF-Token`). It comes only in the
    /// same-origin answer describing the form, which no other site can read, and a cross-site request
    /// cannot carry it without a CORS preflight this server never grants. No cookie, so it works framed
    /// in another site too.
    public func formToken(for nonce: Data) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: nonce, using: formKey)).base64URLEncodedString()
    }

    public static func nonce() -> Data {
        SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
    }

    public func key(for nonce: Data) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: nonce, using: key)).base64URLEncodedString()
    }

    /// What the store looks a presented key up by.
    public static func hash(_ key: String) -> Data {
        Data(SHA256.hash(data: Data(key.utf8)))
    }
}
