import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The real binary under concurrent creates, renames and deletes, killed with SIGKILL at seeded random
/// moments and restarted: every acknowledged write is there as acknowledged, nothing else is half there,
/// the database file is sound, and the refreshes queued before a kill complete after it.
@Suite("Crash consistency", .occupiesATestSlot)
struct CrashConsistencyTests {
    let sandbox: CLISandbox
    var executable: BuiltExecutable { sandbox.executable }
    var directory: URL { sandbox.directory }

    init() throws {
        sandbox = try CLISandbox("consistency")
    }

    /// What a client was told about one destination: its name, or that it is gone; `uncertain` while a
    /// request about it had no answer when the process died (then either state is right).
    struct Expectation: Sendable {
        var name: String?
        var uncertain: [String?] = []
    }

    @Test(arguments: [7, 1_337])
    func acknowledgedWritesSurviveSIGKILL(seed: UInt64) async throws {
        let (executable, directory) = (self.executable, self.directory)
        let database = directory.appendingPathComponent("seed-\(seed).sqlite").path
        try await FakeProvider.run { fake in
            fake.brazeCatalogs(["survivor"])
            var random = SeededGenerator(seed: seed)
            let environment = [
                "DATABASE_URL": database,
                "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
                "CONNECTORS_BRAZE_BASE_URL": fake.baseURL.absoluteString,
                "RATE_LIMIT_ENABLED": "false",
                "JOBS_LEASE_SECONDS": "3",
                "JOBS_POLL_INTERVAL": "0.1",
            ]
            let ledger = Ledger()
            var token = ""
            for round in 0..<3 {
                let server = try await executable.serve(environment: environment, in: directory)
                if round == 0 { token = try #require(server.firstToken) }
                let client = HTTPClient()
                let api = API(port: server.port, token: token, client: client)
                try await Self.verify(api, ledger)
                // Killed at a seeded moment after some progress, however loaded the machine is.
                let killAfter = Duration.milliseconds(Int.random(in: 0...400, using: &random))
                let progress = await ledger.answered + 10
                await ledger.writersStarted(8)
                let writers = (0..<8).map { writer in
                    let seed = random.next()
                    return Task {
                        await Self.write(api, ledger, writer: "\(round)-\(writer)", instanceURL: fake.baseURL.absoluteString, seed: seed)
                        await ledger.writerEnded()
                    }
                }
                await ledger.waitUntilAnswered(progress)
                try await Task.sleep(for: killAfter)
                kill(server.process.pid, SIGKILL)
                _ = await server.process.finish()
                for writer in writers { writer.cancel() }
                for writer in writers { await writer.value }
                try await client.shutdown()
            }
            let last = try await executable.serve(environment: environment, in: directory)
            let client = HTTPClient()
            let api = API(port: last.port, token: token, client: client)
            let survivors = try await Self.verify(api, ledger)
            // The kills landed among real work: many writes were answered, and some destinations remain.
            let answered = await ledger.answered
            #expect(answered >= 30, "only \(answered) writes were answered")
            #expect(!survivors.isEmpty)
            // Every refresh queued before a kill, and the ones queued since, complete.
            for id in survivors {
                var objects = ""
                for _ in 0..<200 where !objects.contains("catalog:survivor") {
                    objects = try await api.send(.GET, "/api/v1/destinations/\(id)").json["data"]["objects"].encoded
                    if !objects.contains("catalog:survivor") { try await Task.sleep(for: .milliseconds(50)) }
                }
                #expect(objects.contains("catalog:survivor"), "destination \(id)")
            }
            try await client.shutdown()
            last.process.terminate()
            _ = await last.process.finish()
            let check = try RunningProcess(
                executable: "/usr/bin/python3",
                arguments: [
                    "-c", "import sqlite3, sys; print(sqlite3.connect(sys.argv[1]).execute('PRAGMA integrity_check').fetchone()[0])", database,
                ],
                environment: ProcessInfo.processInfo.environment,
                directory: directory.path
            )
            #expect(await check.finish().stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
        }
    }

    /// Random creates, renames and deletes of the writer's own destinations (so that the order of answers is
    /// the order of writes) until cancelled, each recorded only once it was answered.
    static func write(_ api: API, _ ledger: Ledger, writer: String, instanceURL: String, seed: UInt64) async {
        var random = SeededGenerator(seed: seed)
        var step = 0
        while !Task.isCancelled {
            step += 1
            let known = await ledger.live(of: writer)
            do {
                switch (Int.random(in: 0..<10, using: &random), known.randomElement(using: &random)) {
                case (0..<5, _), (_, nil):
                    let name = "w\(writer)-\(step)"
                    await ledger.beginCreate(name)
                    let created = try await api.send(
                        .POST,
                        "/api/v1/destinations",
                        #"{"service_connection": {"type": "braze", "name": "\#(name)", "credentials": {"api_key": "k", "instance_url": "\#(instanceURL)"}}}"#
                    )
                    if created.status == 201, let id = created.json["data"]["id"].int {
                        await ledger.created(id, name, by: writer)
                    }
                case (5..<8, let id?):
                    let name = "r\(writer)-\(step)"
                    await ledger.begin(id, name)
                    let renamed = try await api.send(.PATCH, "/api/v1/destinations/\(id)", #"{"service_connection": {"name": "\#(name)"}}"#)
                    await ledger.end(id, renamed.status == 200 ? name : nil, answered: renamed.status == 200 || renamed.status == 404)
                case (_, let id?):
                    await ledger.begin(id, nil)
                    let deleted = try await api.send(.DELETE, "/api/v1/destinations/\(id)")
                    await ledger.end(id, nil, answered: deleted.status == 200)
                }
            } catch {
                // No answer: the process died under the request, whose outcome stays uncertain.
                return
            }
        }
    }

    /// Checks the server against the ledger and returns the ids that exist.
    @discardableResult
    static func verify(_ api: API, _ ledger: Ledger) async throws -> [Int64] {
        var listed: [Int64: String] = [:]
        var page = 1
        var total: Int64?
        repeat {
            let answer = try await api.send(.GET, "/api/v1/destinations?per_page=100&page=\(page)")
            total = answer.json["pagination"]["total_records"].int
            guard let items = answer.json["data"].array, !items.isEmpty else { break }
            for item in items {
                if let id = item["id"].int, let name = item["name"].string { listed[id] = name }
            }
            page += 1
        } while true
        // The count the lists report agrees with the rows.
        #expect(total == Int64(listed.count))
        for (id, expectation) in await ledger.all() {
            let allowed = [expectation.name] + expectation.uncertain
            #expect(allowed.contains(listed[id]), "destination \(id) is \(listed[id] ?? "gone"), expected one of \(allowed)")
        }
        for (id, name) in listed {
            if await ledger.knows(id) { continue }
            // Created, but the process died before answering: only a create that was in flight may be there.
            #expect(await ledger.wasInFlight(name), "destination \(id) (\(name)) was never asked for")
        }
        for id in listed.keys {
            // Created whole: the connector's static objects came with it.
            let objects = try await api.send(.GET, "/api/v1/destinations/\(id)").json["data"]["objects"].encoded
            #expect(objects.contains("subscription_group_membership"), "destination \(id) has no objects")
        }
        await ledger.settle(listed)
        return listed.keys.sorted()
    }
}
