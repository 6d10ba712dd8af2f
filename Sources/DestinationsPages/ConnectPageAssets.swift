import Foundation

/// The hosted connect page's static files (HTML, script, style), served as they are: no third-party
/// asset, so the page works offline and its Content-Security-Policy can forbid every other origin.
public enum ConnectPageAssets {
    public struct Asset: Sendable {
        public let bytes: Data
        public let contentType: String
    }

    public static let page = load("index", "html", "text/html; charset=utf-8")
    public static let script = load("connect", "js", "text/javascript; charset=utf-8")
    public static let style = load("connect", "css", "text/css; charset=utf-8")

    /// By the name the page's links use under /connect-assets/.
    public static let byName: [String: Asset] = ["connect.js": script, "connect.css": style]

    private static func load(_ name: String, _ ext: String, _ contentType: String) -> Asset {
        guard let url = Bundle.module.url(forResource: name, withExtension: ext, subdirectory: "connect"),
            let bytes = try? Data(contentsOf: url)
        else { preconditionFailure("connect/\(name).\(ext) is missing from the DestinationsPages resource bundle") }
        return Asset(bytes: bytes, contentType: contentType)
    }
}
