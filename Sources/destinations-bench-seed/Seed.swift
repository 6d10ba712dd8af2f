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
struct BenchTool: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "destinations-bench-seed",
        subcommands: [Seed.self, Claims.self],
        defaultSubcommand: Seed.self
    )
}

/// Which database to open, as `destinations` would.
struct DatabaseOptions: ParsableArguments {
    @Option(help: "SQLite path or postgres:// URL (as --database of destinations).")
    var database: String

    @Option(help: "File with the base64 credentials key (PostgreSQL needs one; SQLite generates it).")
    var encryptionKeyFile: String?

    func open(label: String) async throws -> ServerEnvironment {
        var settings = ServerSettings(database: try DatabaseLocation(database))
        if let encryptionKeyFile { settings.encryption = .file(path: encryptionKeyFile) }
        var logger = Logger(label: label)
        logger.logLevel = .warning
        return try await ServerEnvironment.open(settings: settings, logger: logger)
    }
}

struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Fill a database for bench/run.")

    @OptionGroup var store: DatabaseOptions

    @Option(help: "Destinations in the big workspace.")
    var destinations = 100_000

    @Option(help: "Other workspaces.")
    var workspaces = 999

    @Option(help: "Destinations in each other workspace.")
    var perWorkspace = 10

    @Option(help: "Objects per destination.")
    var objects = 10

    func run() async throws {
        let environment = try await store.open(label: "seed")
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
        // A loopback port: never dialled (bench/run points the type at a refusing port of its own), and could
        // not leave the machine if it were.
        let details = #"{"instance_url":"http://127.0.0.1:9"}"#
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
                        SQLBind(workspace.rawValue),
                        SQLBind("active_campaign"),
                        SQLBind("Destination \(batch + offset)"),
                        SQLBind(details),
                        SQLBind(sealed.keyID),
                        SQLBind(sealed.ciphertext),
                        SQLBind(created),
                        SQLBind(created)
                    )
                }
                let ids = try await insert.returning("id").all(decodingColumn: "id", as: Int64.self)
                try await SQLDestinationStore.countDestinations(of: workspace, by: Int64(ids.count), in: db)
                for chunk in stride(from: 0, to: ids.count, by: 100) {
                    var objects = db.insert(into: "destination_objects")
                        .columns("destination_id", "position", "full_name", "label", "allow_custom_fields", "allow_case_sensitive_field_names")
                    for id in ids[chunk..<min(chunk + 100, ids.count)] {
                        for position in 0..<objectCount {
                            objects = objects.values(
                                SQLBind(id),
                                SQLBind(position),
                                SQLBind("object_\(position)"),
                                SQLBind("Object \(position)"),
                                SQLBind(true),
                                SQLBind(false)
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

/// Measures the job queue: queues a job for each of `jobs` destinations, then lets `workers` claim them
/// concurrently until none is left, and prints claims per second.
struct Claims: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Measure job claims per second.")

    @OptionGroup var store: DatabaseOptions

    @Option var jobs = 5_000
    @Option var workers = 4

    func run() async throws {
        let environment = try await store.open(label: "claims")
        let workspace = try await environment.access.createWorkspace(name: "claims")
        let queue = SQLJobQueue(database: environment.database)
        let store = SQLDestinationStore(database: environment.database)
        let sealed = try environment.secretBox.sealObject([:])
        for index in 0..<jobs {
            _ = try await store.insert(
                NewDestination(
                    workspaceID: workspace.id,
                    type: "braze",
                    name: "d\(index)",
                    connectionDetails: [:],
                    secrets: sealed,
                    objects: [],
                    initialJobs: [NewJob(kind: .refreshObjects, maxAttempts: 3)],
                    now: Date()
                )
            )
        }
        let started = ContinuousClock.now
        let claimed = try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var count = 0
                    while try await queue.claim(worker: "bench-\(worker)", now: Date(), leaseUntil: Date() + 60) != nil { count += 1 }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        let elapsed = (ContinuousClock.now - started).components
        let seconds = Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
        print("claimed=\(claimed) workers=\(workers) seconds=\(String(format: "%.2f", seconds)) per_second=\(Int(Double(claimed) / seconds))")
        try await environment.close()
    }
}
