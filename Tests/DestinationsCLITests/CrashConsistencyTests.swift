import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The real binary under concurrent creates, renames and deletes, killed with SIGKILL at seeded random
/// moments and restarted: every acknowledged write is there as acknowledged, nothing else is half there,
/// the database file is sound, and the refreshes queued before a kill complete after it.
@Suite("Crash consistency")
final class CrashConsistencyTests: Sendable {
    let executable: BuiltExecutable
    let directory: URL

    init() throws {
        executable = try BuiltExecutable()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("destinations-consistency-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
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
                    objects = "\(try await api.send(.GET, "/api/v1/destinations/\(id)").json["data"]?.objectValue?["objects"] ?? .null)"
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
                    if created.status == 201, case .number(let id)? = created.json["data"]?.objectValue?["id"] {
                        await ledger.created(Int64(id), name, by: writer)
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
        var total = ""
        repeat {
            let answer = try await api.send(.GET, "/api/v1/destinations?per_page=100&page=\(page)")
            total = "\(answer.json["pagination"]?.objectValue?["total_records"] ?? .null)"
            guard case .array(let items)? = answer.json["data"], !items.isEmpty else { break }
            for item in items {
                if case .number(let id)? = item.objectValue?["id"], let name = item.objectValue?["name"]?.stringValue { listed[Int64(id)] = name }
            }
            page += 1
        } while true
        // The count the lists report agrees with the rows.
        #expect(total == "\(listed.count)")
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
            let objects = "\(try await api.send(.GET, "/api/v1/destinations/\(id)").json["data"]?.objectValue?["objects"] ?? .null)"
            #expect(objects.contains("subscription_group_membership"), "destination \(id) has no objects")
        }
        await ledger.settle(listed)
        return listed.keys.sorted()
    }
}

/// What the writers were told, per destination.
actor Ledger {
    private var expectations: [Int64: CrashConsistencyTests.Expectation] = [:]
    private var creating: Set<String> = []
    private var owners: [Int64: String] = [:]
    private(set) var answered = 0 {
        didSet { wake() }
    }
    private var writing = 0
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// Returns once `count` writes have been answered, or no writer is left to answer any.
    func waitUntilAnswered(_ count: Int) async {
        guard answered < count, writing > 0 else { return }
        await withCheckedContinuation { waiters.append((count, $0)) }
    }

    func writersStarted(_ count: Int) { writing += count }

    func writerEnded() {
        writing -= 1
        wake()
    }

    private func wake() {
        let due = waiters.filter { $0.count <= answered || writing == 0 }
        waiters.removeAll { $0.count <= answered || writing == 0 }
        for waiter in due { waiter.continuation.resume() }
    }

    func beginCreate(_ name: String) { creating.insert(name) }

    func created(_ id: Int64, _ name: String, by writer: String) {
        creating.remove(name)
        expectations[id] = .init(name: name)
        owners[id] = writer
        answered += 1
    }

    /// A write about to be sent: until it is answered, either outcome is acceptable.
    func begin(_ id: Int64, _ name: String?) { expectations[id]?.uncertain.append(name) }

    func end(_ id: Int64, _ name: String?, answered: Bool) {
        guard answered, var expectation = expectations[id] else { return }
        self.answered += 1
        expectation.name = name
        expectation.uncertain.removeLast()
        expectations[id] = expectation
    }

    func knows(_ id: Int64) -> Bool { expectations[id] != nil }

    func wasInFlight(_ name: String) -> Bool { creating.contains(name) }

    /// After a check, the state seen is the state known.
    func settle(_ listed: [Int64: String]) {
        for id in Set(expectations.keys).union(listed.keys) { expectations[id] = .init(name: listed[id]) }
        creating = []
    }

    func live(of writer: String) -> [Int64] {
        expectations.filter { $0.value.name != nil && owners[$0.key] == writer }.map(\.key).sorted()
    }

    func all() -> [(Int64, CrashConsistencyTests.Expectation)] { expectations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}

/// SplitMix64: the same moments and operations for a given seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
