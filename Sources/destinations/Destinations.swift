import ArgumentParser

@main
struct Destinations: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "A self-hosted server for the destinations part of the Census Management API.",
        subcommands: [
            Serve.self, Migrate.self, OrganizationCommand.self, WorkspaceCommand.self, TokenCommand.self, ConnectorsCommand.self,
            SettingsCommand.self,
            ContractSchemasCommand.self,
        ],
        defaultSubcommand: Serve.self
    )
}
