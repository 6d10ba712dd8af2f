import ArgumentParser
import DestinationsCore
import DestinationsServer

struct WorkspaceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "workspace",
        abstract: "Manage workspaces.",
        subcommands: [Create.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a workspace and print its id.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The workspace's name.")
        var name: String

        @Option(help: "The organization's id.")
        var organization: Int64 = AccessService.defaultOrganization.rawValue

        func run() async throws {
            let workspace = try await common.environment().closing {
                try await $0.access.createWorkspace(name: name, organization: OrganizationID(organization))
            }
            print(workspace.id)
        }
    }
}
