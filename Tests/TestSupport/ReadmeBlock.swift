import Foundation

/// The README's generated parts, between `<!-- name:begin -->` and `<!-- name:end -->`.
public enum ReadmeBlock {
    public static func text(_ name: String) throws -> String {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let begin = text.range(of: "<!-- \(name):begin -->\n"), let end = text.range(of: "\n<!-- \(name):end -->") else {
            throw ReadmeBlockMissing(name: name)
        }
        return String(text[begin.upperBound..<end.lowerBound])
    }

    struct ReadmeBlockMissing: Error, CustomStringConvertible {
        let name: String
        var description: String { "README.md has no <!-- \(name):begin --> ... <!-- \(name):end --> block" }
    }
}
