import Foundation

extension Data {
    /// base64url without padding (JWTs, tokens), as the standard alphabet with its padding.
    public init?(base64URL: some StringProtocol) {
        let standard = base64URL.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        self.init(base64Encoded: standard + String(repeating: "=", count: (4 - standard.count % 4) % 4))
    }
}
