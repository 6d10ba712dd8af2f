import ArgumentParser
import DestinationsCore
import DestinationsServer
import DestinationsStorage
import Foundation
import Logging
import SQLKit

/// Fills a database for the benchmark straight through the storage layer (HTTP would make seeding the
/// slow part): one big workspace of N destinations with 10 objects each, plus many small workspaces.
/// Prints the big workspace's id, a token for it, and one of its destination ids.
@main
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "destinations-bench-seed")

    @Option(help: "SQLite path or postgres:// URL (as --database of destinations).")
    var database: String

    @Option(help: "File with the base64 credentials key (PostgreSQL needs one; SQLite generates it).")
    var encryptionKeyFile: String?

    @Option(help: "Destinations in the big workspace.")
    var destinations = 100_000

    @Option(help: "Other workspaces.")
    var workspaces = 999

    @Option(help: "Destinations in each other workspace.")
    var perWorkspace = 10

    @Option(help: "Objects per destination.")
    var objects = 10

    func run() async throws {
        var settings = ServerSettings(database: try DatabaseLocation(database))
        if let encryptionKeyFile { settings.encryption = .file(path: encryptionKeyFile) }
        var logger = Logger(label: "seed")
        logger.logLevel = .warning
        let environment = try await ServerEnvironment.open(settings: settings, logger: logger)
        do {
            let big = try await environment.access.createWorkspace(name: "benchmark")
            let token = try await environment.access.issueToken(workspace: big.id)
            let sealed = try environment.secretBox.sealObject(["api_token": .string("bench-token-value")])
            let first = try await insert(big.id, count: destinations, sealed: sealed, into: environment.database)
            for index in 0..<workspaces {
                let workspace = try await environment.access.createWorkspace(name: "workspace \(index)")
                _ = try await insert(workspace.id, count: perWorkspace, sealed: sealed, into: environment.database)
            }
            print("workspace=\(big.id)")
            print("token=\(token)")
            print("first_destination=\(first)")
            try await environment.close()
        } catch {
            try? await environment.close()
            throw error
        }
    }

    /// Multi-row inserts in transactions of a thousand destinations; returns the first id.
    private func insert(_ workspace: WorkspaceID, count: Int, sealed: SealedSecret, into database: any Database) async throws -> Int64 {
        var first: Int64 = 0
        let details = #"{"instance_url":"https://example.api-us1.com"}"#
        let objectCount = objects
        var start = Date().timeIntervalSince1970 * 1000
        for batch in stride(from: 0, to: count, by: 1000) {
            let size = min(1000, count - batch)
            let base = Int64(start)
            start += Double(size)
            let ids = try await database.write { db in
                var insert = db.insert(into: "destinations")
                    .columns("workspace_id", "type", "name", "connection_details", "secrets_key_id", "secrets", "created_at", "updated_at")
                for offset in 0..<size {
                    let created = base + Int64(offset)
                    insert = insert.values(
                        SQLBind(workspace.rawValue), SQLBind("active_campaign"), SQLBind("Destination \(batch + offset)"),
                        SQLBind(details), SQLBind(sealed.keyID), SQLBind(sealed.ciphertext), SQLBind(created), SQLBind(created)
                    )
                }
                let ids = try await insert.returning("id").all(decodingColumn: "id", as: Int64.self)
                for chunk in stride(from: 0, to: ids.count, by: 100) {
                    var objects = db.insert(into: "destination_objects")
                        .columns("destination_id", "position", "full_name", "label", "allow_custom_fields", "allow_case_sensitive_field_names")
                    for id in ids[chunk..<min(chunk + 100, ids.count)] {
                        for position in 0..<objectCount {
                            objects = objects.values(
                                SQLBind(id), SQLBind(position), SQLBind("object_\(position)"), SQLBind("Object \(position)"), SQLBind(true), SQLBind(false)
                            )
                        }
                    }
                    if objectCount > 0 { try await objects.run() }
                }
                return ids
            }
            if batch == 0 { first = ids.min() ?? 0 }
        }
        return first
    }
}
