import ArgumentParser
import Configuration
import DestinationsCore
import DestinationsServer
import Foundation

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the HTTP server.")

    @OptionGroup var common: CommonOptions

    @Option(help: "Address to listen on (HOST; default 127.0.0.1).")
    var host: String?

    @Option(help: "Port to listen on (PORT; default 8080).")
    var port: Int?

    func run() async throws {
        var values: [AbsoluteConfigKey: ConfigValue] = [:]
        if let host { values["host"] = .init(.string(host), isSecret: false) }
        if let port { values["port"] = .init(.int(port), isSecret: false) }
        let environment = try await common.environment(values)
        do {
            if let (workspace, token) = try await environment.access.bootstrap() {
                print(
                    """
                    Created workspace \(workspace.id) ("\(workspace.name)") and its first API token.
                    It is shown only this once; keep it:

                    \(token)

                    """
                )
                fflush(nil)  // nil: every stream; stdout itself is not concurrency-safe to name
            }
        } catch {
            try? await environment.close()
            throw error
        }
        try await serve(environment: environment)
    }
}
