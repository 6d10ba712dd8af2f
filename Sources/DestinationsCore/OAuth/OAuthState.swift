import Crypto
import Foundation

/// The `state` we put in consent URLs: signed (HMAC-SHA256) and bound to the workspace, the type, the
/// redirect_uri and extras, and an expiry, so a state that was tampered with, has expired or belongs to
/// another workspace is refused.
public struct OAuthStateSigner: Sendable {
    static let prefix = "ds1."

    private let key: SymmetricKey

    /// The signing key is derived from the credentials key, so every instance sharing the database (and
    /// so the key) verifies every other's states, with no setting of its own.
    public init(encryptionKey: EncryptionKey) {
        self.key = encryptionKey.derivedKey(for: "oauth state")
    }

    public struct Claims: Codable, Sendable, Hashable {
        /// The pending authorisation's nonce.
        public var n: String
        /// Workspace id.
        public var w: Int64
        /// Destination type.
        public var t: String
        /// Expiry, seconds since 1970.
        public var e: Int64
        /// SHA-256 of the redirect_uri and extras, base64url.
        public var b: String
    }

    public static func binding(redirectURI: String, extras: OAuthExtras) -> String {
        let text = redirectURI + "\n" + (extras.domain ?? "") + "\n" + (extras.sandbox ? "sandbox" : "production")
        return Data(SHA256.hash(data: Data(text.utf8))).base64URLEncodedString()
    }

    public func sign(_ claims: Claims) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let payload = ((try? encoder.encode(claims)) ?? Data()).base64URLEncodedString()
        return Self.prefix + payload + "." + signature(payload)
    }

    /// Whether the text has our state's form at all (as opposed to a caller's own blob).
    public static func looksSigned(_ state: String) -> Bool {
        state.hasPrefix(prefix)
    }

    /// The claims of a state we signed and that has not expired; nil otherwise.
    public func verify(_ state: String, now: Date) -> Claims? {
        guard Self.looksSigned(state) else { return nil }
        let parts = state.dropFirst(Self.prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2,
            APIToken.constantTimeEquals(Data(signature(String(parts[0])).utf8), Data(parts[1].utf8)),
            let json = Data(base64URL: String(parts[0])),
            let claims = try? JSONDecoder().decode(Claims.self, from: json),
            Double(claims.e) > now.timeIntervalSince1970
        else { return nil }
        return claims
    }

    /// The PKCE code verifier of the authorisation with this nonce: 43 base64url characters no one
    /// without the key can work out from the state, recomputed at the exchange rather than stored.
    public func codeVerifier(nonce: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data("pkce\n\(nonce)".utf8), using: key)).base64URLEncodedString()
    }

    private func signature(_ payload: String) -> String {
        Data(HMAC<SHA256>.authenticationCode(for: Data(payload.utf8), using: key)).base64URLEncodedString()
    }
}

extension Data {
    /// Decodes base64url, with or without padding.
    public init?(base64URL: String) {
        let standard = base64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        self.init(base64Encoded: standard + String(repeating: "=", count: (4 - standard.count % 4) % 4))
    }
}
