import DestinationsCore
import DestinationsStorage
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import SQLKit
import ServiceLifecycle
import TestSupport
import Testing

@testable import DestinationsServer

/// Request ids, metrics, readiness, JSON logs and graceful shutdown.
@Suite("Observability and shutdown")
struct ObservabilityTests {
    static let requestID = HTTPField.Name("X-Request-Id")!

    @Test(arguments: TestBackend.all)
    func everyResponseCarriesARequestIdThatEveryLogLineOfTheRequestCarries(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            var headers = session.auth
            headers[Self.requestID] = "client-req.42:a_b"
            let echoed = try await session.request(.get, "/api/v1/destinations/424242", headers: headers)
            #expect(echoed.status == .notFound)
            #expect(echoed.headers[Self.requestID] == "client-req.42:a_b")
            let lines = session.logs.all.filter { $0.contains("/api/v1/destinations/424242") }
            #expect(!lines.isEmpty)
            #expect(lines.allSatisfy { $0.contains(#""request.id": client-req.42:a_b"#) }, "\(lines)")

            // An id that could forge log lines or headers is replaced by a fresh one.
            headers[Self.requestID] = "evil id\u{7f}"
            let replaced = try await session.request(.get, "/api/v1/destinations", headers: headers)
            let fresh = try #require(replaced.headers[Self.requestID])
            #expect(fresh != "evil id\u{7f}")
            #expect(UUID(uuidString: fresh) != nil)
            // Errors, unauthenticated requests and the operational routes carry one too.
            #expect(try await session.request(.get, "/api/v1/destinations", headers: [:]).headers[Self.requestID] != nil)
            #expect(try await session.request(.get, "/healthz", headers: [:]).headers[Self.requestID] != nil)
        }
    }

    @Test(arguments: TestBackend.all)
    func metricsCountRequestsJobsAndProviderCallsWithoutSecrets(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs(["menu"])
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze(key: "braze-metrics-canary")
            #expect(try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed)
            for _ in 0..<3 { _ = try await session.request(.get, "/api/v1/destinations/\(id)") }
            _ = try await session.request(.get, "/api/v1/destinations/999999")

            let response = try await session.request(.get, "/metrics", headers: [:])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body)
            let getByID = try #require(
                Self.sample(text, "destinations_http_requests_total", ["route": "/api/v1/destinations/{id}", "method": "GET", "status": "200"])
            )
            #expect(getByID == 3)
            #expect(
                Self.sample(text, "destinations_http_requests_total", ["route": "/api/v1/destinations/{id}", "method": "GET", "status": "404"]) == 1
            )
            #expect(Self.sample(text, "destinations_http_requests_total", ["route": "/api/v1/destinations", "method": "POST", "status": "201"]) == 1)
            #expect(text.contains("destinations_http_request_duration_seconds_bucket{"))
            #expect(Self.sample(text, "destinations_job_runs_total", ["kind": "refresh_objects", "connector": "braze", "outcome": "completed"]) == 1)
            #expect(text.contains("destinations_job_duration_seconds_bucket{"))
            #expect((Self.sample(text, "destinations_provider_calls_total", ["connector": "braze", "result": "2xx"]) ?? 0) >= 1)
            #expect(text.contains("destinations_provider_call_duration_seconds_bucket{"))
            #expect(Self.sample(text, "destinations_jobs_queued", [:]) != nil)
            #expect(Self.sample(text, "destinations_jobs_running", [:]) != nil)
            #expect(!text.contains("braze-metrics-canary"))
            #expect(!text.contains(session.token))
            #expect(!text.contains("/\(id)"))
        }
    }

    /// The value of one sample: the metric with exactly these labels (in any order).
    static func sample(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(name + "{") || line.hasPrefix(name + " ") {
            let rest = line.dropFirst(name.count)
            var found: [String: String] = [:]
            var valuePart = rest
            if rest.hasPrefix("{"), let close = rest.lastIndex(of: "}") {
                for pair in rest[rest.index(after: rest.startIndex)..<close].split(separator: ",") {
                    let parts = pair.split(separator: "=", maxSplits: 1)
                    if parts.count == 2 { found[String(parts[0])] = String(parts[1]).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
                }
                valuePart = rest[rest.index(after: close)...]
            }
            if found == labels { return Double(valuePart.trimmingCharacters(in: .whitespaces)) }
        }
        return nil
    }

    @Test(arguments: TestBackend.all)
    func readinessFollowsTheDatabaseAndItsSchema(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let ready = try await session.request(.get, "/readyz", headers: [:])
            #expect(ready.status == .ok)
            #expect(try ready.json()["status"].string == "ready")
            // A newer instance migrated the database further: this one must not take traffic.
            try await session.environment.database.write { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (999, 'from the future', 0)").run()
            }
            let behind = try await session.request(.get, "/readyz", headers: [:])
            #expect(behind.status == .serviceUnavailable)
            #expect(try behind.json()["reason"].string?.contains("999") == true)
            #expect(try await session.request(.get, "/healthz", headers: [:]).status == .ok)
        }
    }

    @Test func jsonLogsAreOneObjectPerLineWithTheRequestId() throws {
        let lines = LockedValue<[String]>([])
        var logger = Logger(label: "json-test") { label in
            var handler = JSONLogHandler(label: label) { line in lines.withLock { $0.append(line) } }
            handler.logLevel = .debug
            return handler
        }
        logger[metadataKey: "request.id"] = "r-1"
        logger.info("Job given back to the queue", metadata: ["job.id": "7", "nested": ["a": "b"]])
        let line = try #require(lines.value.first)
        #expect(!line.contains("\n"))
        let object = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        #expect(object["message"].string == "Job given back to the queue")
        #expect(object["level"].string == "info")
        #expect(object["label"].string == "json-test")
        #expect(object["request.id"].string == "r-1")
        #expect(object["job.id"].string == "7")
        #expect(object["nested"]["a"].string == "b")
        #expect(object["time"].string.flatMap { ISO8601DateFormatter.fractional.date(from: $0) } != nil)
    }

    /// SIGTERM's path: the service group shuts down gracefully while a refresh waits on its provider; the
    /// job goes back to the queue at once (its attempt not counted) for another worker, and the database
    /// is closed cleanly.
    @Test func gracefulShutdownGivesARunningJobBack() async throws {
        let server = try TestServer(.sqlite)
        try await FakeProvider.run { fake in
            let (arrived, arrival) = AsyncStream.makeStream(of: Void.self)
            let provider = Gate()
            fake.on("GET", "/catalogs") { _ in
                arrival.yield()
                await provider.wait()
                return .json(#"{"catalogs": [], "message": "success"}"#)
            }
            var settings = server.settings
            settings.connectorBaseURLs["braze"] = fake.baseURL
            settings.shutdownGrace = 5
            // Only the shutdown may end the held call: a timeout on a loaded machine would count an attempt.
            settings.outboundTimeout = 120
            let environment = try await ServerEnvironment.open(settings: settings, logger: server.logs.logger(), resolver: ScriptedResolver())
            let token = try #require(try await environment.access.bootstrap()).token
            let principal = try await environment.access.authenticate(token: token).workspacePrincipal()
            let created = try await environment.destinations.create(
                principal,
                DestinationCreation(type: "braze", credentials: ["api_key": "k", "instance_url": .string(fake.baseURL.absoluteString)])
            )
            let group = ServiceGroup(services: [try buildApplication(environment: environment)], logger: server.logs.logger())
            let running = Task { try await group.run() }
            for await _ in arrived { break }
            await group.triggerGracefulShutdown()
            try await running.value
            await provider.open()

            let database = try await SQLiteDatabase.open(path: server.databasePath, logger: Logger(label: "check"))
            let job = try await database.read { db in
                try await db.raw(
                    "SELECT status, attempts, locked_by FROM jobs WHERE destination_id = \(bind: created.destination.id.rawValue) AND kind = 'refresh_objects'"
                )
                .first()
            }
            try await database.close()
            #expect(try job?.decode(column: "status", as: String.self) == "queued")
            #expect(try job?.decode(column: "attempts", as: Int.self) == 0)
            #expect(try job?.decode(column: "locked_by", as: String?.self) == nil)
            #expect(server.logs.all.contains { $0.contains("Job given back to the queue") })
        }
    }
}
