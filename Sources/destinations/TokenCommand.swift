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
            abstract: "Create an API token for a workspace and print it (shown only this once)."
        )

        @OptionGroup var common: CommonOptions

        @Option(help: "The workspace's id.")
        var workspace: Int64

        func run() async throws {
            let token = try await common.environment().closing {
                try await $0.access.issueToken(workspace: WorkspaceID(workspace))
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
