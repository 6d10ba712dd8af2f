import DestinationsCore
import DestinationsStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// Several server instances on one PostgreSQL database, as behind a load balancer.
@Suite(
    "Instances sharing PostgreSQL",
    .occupiesATestSlot,
    .enabled(if: TestBackend.postgresURL != nil, "set TEST_POSTGRES_URL to run the PostgreSQL suites")
)
struct PostgresInstancesTests {
    static let key = EncryptionKey.generate().base64

    static func settings(
        _ location: DatabaseLocation,
        fake: FakeProvider,
        pollInterval: Double = 0.05,
        databaseTimeout: Double = 60
    ) -> ServerSettings {
        var settings = ServerSettings(
            port: 0,
            database: location,
            encryption: .inline(base64: key),
            logLevel: .info,
            databasePoolSize: 4,
            databaseTimeout: databaseTimeout,
            jobs: JobSettings(pollInterval: pollInterval, leaseDuration: 60, retry: RetryPolicy(maxAttempts: 3, baseDelay: 0.01)),
            allowPrivateNetworks: true,
            outboundTimeout: 30,
            connectorBaseURLs: ["braze": fake.baseURL]
        )
        // These tests fire requests in bursts on purpose; the budgets have their own tests.
        settings.rateLimits.enabled = false
        return settings
    }

    /// Runs `body` with a running application (its workers included) over the environment.
    static func serving<T: Sendable>(_ environment: ServerEnvironment, _ body: @Sendable (any TestClientProtocol) async throws -> T) async throws -> T
    {
        try await buildApplication(environment: environment).test(.router) { try await body($0) }
    }

    static func create(_ client: any TestClientProtocol, token: String, name: String, fake: FakeProvider) async throws -> Int64 {
        let response = try await client.execute(
            uri: "/api/v1/destinations",
            method: .post,
            headers: [.authorization: "Bearer \(token)", .contentType: "application/json"],
            body: ByteBuffer(
                string:
                    #"{"service_connection": {"type": "braze", "name": "\#(name)", "credentials": {"api_key": "k", "instance_url": "\#(fake.baseURL.absoluteString)"}}}"#
            )
        )
        guard response.status == .created, let id = try response.json()["data"]["id"].int else { throw TestFailure("create: \(response.status)") }
        return id
    }

    @Test func twoInstancesRunEachJobExactlyOnceAndCountAlike() async throws {
        let location = try await TestBackend.postgres.freshDatabase(in: FileManager.default.temporaryDirectory)
        try await FakeProvider.run { fake in
            // Held until every refresh request is in, so that requests fired together find the job still running.
            let gate = Gate()
            fake.on("GET", "/catalogs") { _ in
                await gate.wait()
                return .json(#"{"catalogs": [], "message": "success"}"#)
            }
            let a = try await ServerEnvironment.open(
                settings: Self.settings(location, fake: fake),
                logger: Logger(label: "a"),
                resolver: ScriptedResolver()
            )
            let b = try await ServerEnvironment.open(
                settings: Self.settings(location, fake: fake),
                logger: Logger(label: "b"),
                resolver: ScriptedResolver()
            )
            let token = try #require(try await a.access.bootstrap()).token
            let (outcomesA, outcomesB) = (a.jobOutcomes.subscribe(), b.jobOutcomes.subscribe())
            try await Self.serving(a) { clientA in
                try await Self.serving(b) { clientB in
                    let ids = try await withThrowingTaskGroup(of: Int64.self) { group in
                        for index in 0..<20 {
                            group.addTask {
                                try await Self.create(index.isMultiple(of: 2) ? clientA : clientB, token: token, name: "d\(index)", fake: fake)
                            }
                        }
                        return try await group.reduce(into: []) { $0.append($1) }
                    }
                    // Both instances ask to refresh the same destinations at once: one job each.
                    let keys = try await withThrowingTaskGroup(of: (Int64, Int64).self) { group in
                        for id in ids {
                            for client in [clientA, clientB] {
                                group.addTask {
                                    let response = try await client.execute(
                                        uri: "/api/v1/destinations/\(id)/refresh_objects",
                                        method: .post,
                                        headers: [.authorization: "Bearer \(token)"]
                                    )
                                    return (id, try response.json()["refresh_key"].int ?? -1)
                                }
                            }
                        }
                        return try await group.reduce(into: [Int64: Set<Int64>]()) { $0[$1.0, default: []].insert($1.1) }
                    }
                    #expect(keys.values.allSatisfy { $0.count == 1 })
                    await gate.open()
                    // Wait until every job (refreshes and connection tests) has settled, on whichever instance ran it.
                    let expected = try await a.database.read { db in
                        try await db.raw("SELECT COUNT(*) AS n FROM jobs").first(decodingColumn: "n", as: Int.self) ?? 0
                    }
                    let settled = Counter()
                    await withTaskGroup(of: Void.self) { group in
                        for stream in [outcomesA, outcomesB] {
                            group.addTask {
                                for await event in stream where event.outcome == .completed {
                                    if settled.add(event.job.id) >= expected { return }
                                }
                            }
                        }
                        await group.next()
                        group.cancelAll()
                    }
                    #expect(settled.count == expected)
                    #expect(settled.duplicates == 0, "a job completed twice")
                    // One call per attempt (a call held past the outbound timeout is retried).
                    let (refreshes, attempts) = try await a.database.read { db in
                        let row = try await db.raw("SELECT COUNT(*) AS n, SUM(attempts) AS a FROM jobs WHERE kind = 'refresh_objects'").first()
                        return (try row?.decode(column: "n", as: Int.self) ?? 0, try row?.decode(column: "a", as: Int.self) ?? 0)
                    }
                    #expect(refreshes == 20)
                    #expect(fake.calls("GET", "/catalogs").count == attempts)
                    // Both instances count the same list.
                    for client in [clientA, clientB] {
                        let list = try await client.execute(
                            uri: "/api/v1/destinations?per_page=7",
                            method: .get,
                            headers: [.authorization: "Bearer \(token)"]
                        ).json()
                        #expect(list["pagination"]["total_records"].int == 20)
                        #expect(list["pagination"]["last_page"].int == 3)
                    }
                }
            }
        }
    }

    @Test func concurrentMigrationsApplyEachVersionOnce() async throws {
        let location = try await TestBackend.postgres.freshDatabase(in: FileManager.default.temporaryDirectory)
        guard case .postgres(let postgres) = location else { return }
        let databases = (0..<4).map { _ in PostgresDatabase(location: postgres, poolSize: 2, deadline: .seconds(60), logger: Logger(label: "m")) }
        let applied = try await withThrowingTaskGroup(of: [Int].self) { group in
            for database in databases {
                group.addTask { try await Migrator(database: database, logger: Logger(label: "m")).migrate() }
            }
            return try await group.reduce(into: []) { $0 += $1 }
        }
        let latest = Migrator(database: databases[0], logger: Logger(label: "m")).latestVersion
        #expect(applied.sorted() == Array(1...latest))
        let rows = try await databases[0].read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM schema_migrations").first(decodingColumn: "n", as: Int.self)
        }
        #expect(rows == latest)
        for database in databases { try await database.close() }
    }

    @Test func aJobQueuedAnywhereWakesAWorkerAtOnce() async throws {
        let location = try await TestBackend.postgres.freshDatabase(in: FileManager.default.temporaryDirectory)
        try await FakeProvider.run { fake in
            fake.brazeCatalogs(["menu"])
            // The worker polls only every ten minutes: only a notification can wake it in time.
            let worker = try await ServerEnvironment.open(
                settings: Self.settings(location, fake: fake, pollInterval: 600),
                logger: Logger(label: "worker"),
                resolver: ScriptedResolver()
            )
            let queuer = try await ServerEnvironment.open(
                settings: Self.settings(location, fake: fake),
                logger: Logger(label: "queuer"),
                resolver: ScriptedResolver()
            )
            let token = try #require(try await queuer.access.bootstrap()).token
            let outcomes = worker.jobOutcomes.subscribe()
            try await Self.serving(worker) { _ in
                // The queuer has no application, so no worker of its own.
                let principal = try await queuer.access.authenticate(token: token).workspacePrincipal()
                let destination = try await queuer.destinations.create(
                    principal,
                    DestinationCreation(type: "braze", credentials: ["api_key": "k", "instance_url": .string(fake.baseURL.absoluteString)])
                )
                let started = ContinuousClock.now
                for await event in outcomes where event.job.destinationID == destination.destination.id {
                    #expect(event.outcome == .completed)
                    break
                }
                #expect(ContinuousClock.now - started < .seconds(30))
            }
            try await queuer.close()
        }
    }

    /// Tries again, half a second apart: after a missed deadline the pool fails fast for a moment.
    static func patiently<T>(_ attempt: () async throws -> T) async throws -> T {
        for _ in 1..<30 {
            if let value = try? await attempt() { return value }
            try await Task.sleep(for: .milliseconds(500))
        }
        return try await attempt()
    }

    @Test func anOutageAnswers503FastAndTheServerRecoversByItself() async throws {
        let location = try await TestBackend.postgres.freshDatabase(in: FileManager.default.temporaryDirectory)
        guard case .postgres(let direct) = location else { return }
        let proxy = try await TCPProxy(targetHost: direct.host, targetPort: direct.port)
        var throughProxy = direct
        throughProxy.host = "127.0.0.1"
        throughProxy.port = proxy.port
        let proxied = throughProxy
        // Migrated beforehand, patiently: under the suites' load the schema takes a while.
        let setup = PostgresDatabase(location: direct, poolSize: 2, deadline: .seconds(60), logger: Logger(label: "outage"))
        try await Migrator(database: setup, logger: Logger(label: "outage")).migrate()
        try await setup.close()
        try await FakeProvider.run { fake in
            // The short deadline this test is about can trip under the other suites' load before the outage
            // too: the set-up tries again.
            let environment = try await Self.patiently {
                try await ServerEnvironment.open(
                    settings: Self.settings(.postgres(proxied), fake: fake, databaseTimeout: 5),
                    logger: Logger(label: "outage"),
                    resolver: ScriptedResolver()
                )
            }
            let workspace = try await Self.patiently { try await environment.access.createWorkspace(name: "outage") }
            let token = try await Self.patiently { try await environment.access.issueToken(workspace: workspace.id) }
            let auth: HTTPFields = [.authorization: "Bearer \(token)"]
            try await Self.serving(environment) { client in
                let acknowledged = try await Self.patiently { try await Self.create(client, token: token, name: "before", fake: fake) }
                proxy.cut()
                var statuses: [HTTPResponse.Status] = []
                let started = ContinuousClock.now
                for _ in 0..<5 {
                    let response = try await client.execute(uri: "/api/v1/destinations/\(acknowledged)", method: .get, headers: auth)
                    statuses.append(response.status)
                    if response.status == .serviceUnavailable {
                        #expect(try response.json()["status"].string == "error")
                        #expect(response.headers[.retryAfter] == "1")
                    }
                }
                let write = try await client.execute(
                    uri: "/api/v1/destinations",
                    method: .post,
                    headers: auth.merging([.contentType: "application/json"]),
                    body: ByteBuffer(
                        string:
                            #"{"service_connection": {"type": "braze", "credentials": {"api_key": "k", "instance_url": "https://x.example.com"}}}"#
                    )
                )
                statuses.append(write.status)
                let readiness = try await client.execute(uri: "/readyz", method: .get)
                statuses.append(readiness.status)
                #expect(try readiness.json()["reason"].string == "database unreachable")
                #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
                #expect(statuses.allSatisfy { $0 == .serviceUnavailable }, "\(statuses)")
                // Fast: at most one deadline for the first call, at once for the rest.
                #expect(ContinuousClock.now - started < .seconds(12))
                proxy.restore()
                var recovered = false
                for _ in 0..<300 where !recovered {
                    recovered = try await client.execute(uri: "/api/v1/destinations/\(acknowledged)", method: .get, headers: auth).status == .ok
                    if !recovered { try await Task.sleep(for: .milliseconds(100)) }
                }
                #expect(recovered)
                // Patiently from here on: with every suite at once, PostgreSQL runs out of connections now and then,
                // and a 503 is then the right answer.
                try await Self.patiently {
                    let status = try await client.execute(uri: "/readyz", method: .get).status
                    guard status == .ok else { throw TestFailure("readyz after recovery: \(status)") }
                }
                // What was acknowledged before the outage is there; what was refused during it is not.
                let list = try await Self.patiently {
                    let listed = try await client.execute(uri: "/api/v1/destinations", method: .get, headers: auth)
                    guard listed.status == .ok else { throw TestFailure("list: \(listed.status)") }
                    return try listed.json()
                }
                #expect(list["pagination"]["total_records"].int == 1, "\(list)")
            }
        }
        try await proxy.close()
    }
}
