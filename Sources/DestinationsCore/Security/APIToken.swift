import Crypto
import Foundation

/// Workspace API tokens: 32 random bytes, issued as `secret-token:<base64url>`, stored only as SHA-256.
public enum APIToken {
    public static let prefix = "secret-token:"
    static let randomByteCount = 32

    /// A new token and the hash to store. The token itself is shown once and never stored.
    public static func generate() -> (token: String, hash: Data) {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<randomByteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let secret = Data(bytes).base64URLEncodedString()
        return (prefix + secret, hash(of: secret))
    }

    /// The hash under which a presented token is stored; the `secret-token:` prefix is optional.
    public static func hash(presented token: String) -> Data {
        hash(of: token.hasPrefix(prefix) ? String(token.dropFirst(prefix.count)) : token)
    }

    private static func hash(of secret: String) -> Data {
        Data(SHA256.hash(data: Data(secret.utf8)))
    }

    /// Compares two hashes without an early exit, so timing does not reveal a matching prefix.
    public static func constantTimeEquals(_ lhs: Data, _ rhs: Data) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for (left, right) in zip(lhs, rhs) { difference |= left ^ right }
        return difference == 0
    }
}

extension Data {
    public func base64URLEncodedString() -> String {
        base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}
