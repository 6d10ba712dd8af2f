import ArgumentParser
import Configuration
import DestinationsServer
import Foundation
import Logging

/// The options every command takes, so each reads the same database with the same key.
struct CommonOptions: ParsableArguments {
    @Option(help: "SQLite file path or sqlite:// URL (DATABASE_URL; default ./data/destinations.sqlite).")
    var database: String?

    @Option(help: "File holding the base64 of the 32-byte credentials key (ENCRYPTION_KEY_FILE).")
    var encryptionKeyFile: String?

    @Option(help: "Optional JSON configuration file (CONFIG_FILE).")
    var configFile: String?

    /// Flags first, then the environment, then the file.
    func settings(_ extra: [AbsoluteConfigKey: ConfigValue] = [:]) async throws -> ServerSettings {
        var values = extra
        if let database { values["database.url"] = .init(.string(database), isSecret: false) }
        if let encryptionKeyFile { values["encryption.key.file"] = .init(.string(encryptionKeyFile), isSecret: false) }
        return try ServerSettings(reader: try await .layered(overrides: values, configFile: configFile))
    }

    /// Logs go to standard error, so standard output carries only the values scripts capture.
    func environment(_ extra: [AbsoluteConfigKey: ConfigValue] = [:]) async throws -> ServerEnvironment {
        let settings = try await settings(extra)
        LoggingSystem.bootstrap { label in settings.logFormat.handler(label: label, level: settings.logLevel) }
        return try await ServerEnvironment.open(settings: settings, logger: Logger(label: "destinations"))
    }
}

extension ServerEnvironment {
    /// Runs a command's work and closes the database whatever happens.
    func closing<T>(_ body: (ServerEnvironment) async throws -> T) async throws -> T {
        do {
            let result = try await body(self)
            try await close()
            return result
        } catch {
            try? await close()
            throw error
        }
    }
}

/// A command that ran but could not do its job: reported as "Error: ..." with exit status 1, without the
/// usage text a ValidationError would add.
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
