import TestSupport
import Testing

@testable import DestinationsConnectors

@Suite("README")
struct ReadmeTests {
    @Test func theSupportedTypesTableIsTheRegistrys() throws {
        #expect(
            try ReadmeBlock.text("connectors") == Catalog.markdownTable,
            "run `swift run destinations connectors` and paste its table into README.md"
        )
    }
}
