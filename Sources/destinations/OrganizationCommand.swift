import ArgumentParser
import DestinationsCore
import DestinationsServer

struct OrganizationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "organization",
        abstract: "Manage organizations (organization 1 exists from the start).",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an organization and print its id.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The organization's name.")
        var name: String

        func run() async throws {
            let organization = try await common.environment().closing { try await $0.access.createOrganization(name: name) }
            print(organization.id)
        }
    }
}
