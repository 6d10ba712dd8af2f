import ArgumentParser
import DestinationsCore
import DestinationsServer

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Apply pending database migrations, then exit (serve applies them too)."
    )

    @OptionGroup var common: CommonOptions

    func run() async throws {
        let version = try await common.environment().closing { try await $0.schemaVersion() }
        print(version)
    }
}
