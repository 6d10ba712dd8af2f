import DestinationsConnectors
import DestinationsCore
import DestinationsStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import TestSupport

@testable import DestinationsServer

/// A server on a fresh SQLite file in a temporary directory (removed with the value), with a first
/// workspace and token, and every log line it writes captured.
final class TestServer: Sendable {
    let directory: URL
    let settings: ServerSettings
    let logs: CapturedLogs
    let encryptionKey: String
    let clock: any WallClock
    /// Answers the server's name lookups: nothing a test does asks real DNS.
    let resolver: ScriptedResolver

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// The database each run gets a fresh one of.
    let backend: TestBackend
    /// Whether the server listens on a loopback port (`Session.port`), for a browser; in-process otherwise.
    let live: Bool
    /// The database the last run used, to read it back afterwards.
    private let lastDatabase = LockedValue<DatabaseLocation?>(nil)

    init(
        _ backend: TestBackend,
        publicURL: String? = nil,
        // Sixteen jobs at once, not the server's 512: ~400 test servers share two cores and one PostgreSQL,
        // and the suite took 271 s instead of 165 s with every server running hundreds of jobs.
        jobs: JobSettings = JobSettings(concurrency: 16, pollInterval: 0.05, leaseDuration: 60, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01)),
        // No delivery workers unless a test asks for them: hundreds of servers polling for deliveries none
        // of their tests expects would only load the machine. Events are recorded either way.
        webhooks: WebhookSettings = WebhookSettings(concurrency: 0),
        clock: any WallClock = SystemClock(),
        resolver: ScriptedResolver = ScriptedResolver(),
        live: Bool = false
    ) throws {
        self.live = live
        self.clock = clock
        self.resolver = resolver
        self.backend = backend
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("destinations-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        encryptionKey = EncryptionKey.generate().base64
        var settings = ServerSettings(
            port: 0,
            database: .sqlite(path: directory.appendingPathComponent("test.sqlite").path),
            encryption: .inline(base64: encryptionKey),
            publicURL: publicURL,
            logLevel: .trace,
            sqliteReaders: 2,
            // Every suite runs at once against one PostgreSQL server: a slow call is load, not an outage.
            databaseTimeout: 60,
            jobs: jobs,
            webhooks: webhooks,
            allowPrivateNetworks: true,
            // Likewise a fake provider on loopback that answers late; the timeout tests set their own.
            outboundTimeout: 30
        )
        // The suites fire requests as fast as they can; the rate limit tests switch it on.
        settings.rateLimits.enabled = false
        self.settings = settings
        logs = CapturedLogs()
    }

    var databasePath: String { directory.appendingPathComponent("test.sqlite").path }

    /// Runs `body` against the application over a fresh environment, with the bootstrap token, every
    /// connector pointed at a fake provider.
    /// `configure` adjusts the settings last, knowing the fake provider.
    func run<T: Sendable>(
        configure: @Sendable (inout ServerSettings, FakeProvider) -> Void = { _, _ in },
        body: @Sendable (Session) async throws -> T
    ) async throws -> T {
        try await TestSlots.occupy { try await run(configure: configure, inSlot: body) }
    }

    private func run<T: Sendable>(
        configure: @Sendable (inout ServerSettings, FakeProvider) -> Void,
        inSlot body: @Sendable (Session) async throws -> T
    ) async throws -> T {
        try await FakeProvider.run { fake in
            var settings = self.settings
            settings.database = try await backend.freshDatabase(in: directory)
            for type in Catalog.registry.declarations.map(\.serviceName) where settings.connectorBaseURLs[type] == nil {
                settings.connectorBaseURLs[type] = fake.baseURL
            }
            configure(&settings, fake)
            lastDatabase.value = settings.database
            return try await run(settings: settings, fake: fake, body)
        }
    }

    private func run<T: Sendable>(settings: ServerSettings, fake: FakeProvider, _ body: @Sendable (Session) async throws -> T) async throws -> T {
        let environment = try await ServerEnvironment.open(settings: settings, logger: logs.logger(), clock: clock, resolver: resolver)
        let bootstrap = try await environment.access.bootstrap()
        let app = try buildApplication(environment: environment)
        return try await app.test(live ? .live : .router) { client in
            let token = try await {
                if let bootstrap { return bootstrap.token }
                let workspace = try await environment.access.createWorkspace(name: "tests")
                return try await environment.access.issueToken(workspace: workspace.id)
            }()
            return try await body(Session(client: client, token: token, environment: environment, logs: logs, fake: fake, port: client.port))
        }
    }

    /// Everything the database holds: for SQLite every byte of its files (main file, WAL, shared
    /// memory), for PostgreSQL every row of every table as text.
    func databaseBytes() async throws -> Data {
        switch backend {
        case .sqlite:
            var bytes = Data()
            for suffix in ["", "-wal", "-shm"] {
                let path = databasePath + suffix
                if FileManager.default.fileExists(atPath: path) {
                    bytes.append(try Data(contentsOf: URL(fileURLWithPath: path)))
                }
            }
            return bytes
        case .postgres:
            guard case .postgres(let location) = lastDatabase.value else { throw TestFailure("the server never ran") }
            let database = PostgresDatabase(location: location, poolSize: 2, deadline: .seconds(60), logger: Logger(label: "tests"))
            defer { Task { try? await database.close() } }
            return try await database.read { db in
                let tables = try await db.raw("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()")
                    .all(decodingColumn: "table_name", as: String.self)
                var bytes = Data()
                for table in tables {
                    for row in try await db.raw(SQLQueryString("SELECT row_to_json(t)::text AS row FROM \(unsafeRaw: table) t")).all(
                        decodingColumn: "row",
                        as: String.self
                    ) {
                        bytes.append(Data(row.utf8))
                    }
                }
                return bytes
            }
        }
    }
}
