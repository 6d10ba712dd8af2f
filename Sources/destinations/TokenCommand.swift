import ArgumentParser
import DestinationsCore
import DestinationsServer

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token",
        abstract: "Manage API tokens.",
        subcommands: [Create.self, Revoke.self]
    )

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token and print it (shown only this once).",
            discussion: """
                A workspace token (--workspace) reaches that workspace's API. An organization token \
                (--organization, Census's personal access token) reaches only the organization API: \
                /api/v1/workspaces, each workspace's API key, and the organization's audit trail.
                """
        )

        @OptionGroup var common: CommonOptions

        @Option(help: "The workspace's id: a workspace token.")
        var workspace: Int64?

        @Flag(help: "An organization token instead.")
        var organization = false

        @Option(help: "With --organization: the organization's id.")
        var organizationID: Int64 = AccessService.defaultOrganization.rawValue

        func validate() throws {
            guard (workspace != nil) != organization else {
                throw ValidationError("Give either --workspace <id> or --organization")
            }
        }

        func run() async throws {
            let token = try await common.environment().closing { environment in
                if let workspace {
                    try await environment.access.issueToken(workspace: WorkspaceID(workspace))
                } else {
                    try await environment.access.issueOrganizationToken(organization: OrganizationID(organizationID))
                }
            }
            print(token)
        }
    }

    struct Revoke: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Revoke an API token.")

        @OptionGroup var common: CommonOptions

        @Argument(help: "The token, with or without its secret-token: prefix.")
        var token: String

        func run() async throws {
            let revoked = try await common.environment().closing { try await $0.access.revoke(token: token) }
            guard revoked else {
                throw CommandFailure("No live token matches; it may already be revoked")
            }
        }
    }
}
