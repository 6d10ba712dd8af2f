import ArgumentParser
import DestinationsConnectors

struct ConnectorsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "connectors",
        abstract: "Print the supported destination types and their credentials as a Markdown table."
    )

    func run() {
        print(Catalog.markdownTable)
    }
}
