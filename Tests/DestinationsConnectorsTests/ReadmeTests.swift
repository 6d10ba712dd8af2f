import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

@Suite("README")
struct ReadmeTests {
    @Test func theSupportedTypesTableIsTheRegistrys() throws {
        let readme = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("README.md")
        let text = try String(contentsOf: readme, encoding: .utf8)
        let begin = try #require(text.range(of: "<!-- connectors:begin -->\n"))
        let end = try #require(text.range(of: "\n<!-- connectors:end -->"))
        #expect(
            String(text[begin.upperBound..<end.lowerBound]) == Catalog.markdownTable,
            "run `swift run destinations connectors` and paste its table into README.md"
        )
    }
}
