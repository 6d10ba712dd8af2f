import ArgumentParser
import DestinationsConnectors

struct ContractSchemasCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "contract-schemas",
        abstract: "Print the schemas of openapi.yaml that follow from the connector registry, between their markers."
    )

    func run() {
        print(Catalog.contractSchemas)
    }
}
