import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The real binary, killed with SIGKILL while a refresh runs: after a restart the job is taken up
/// again and completes.
@Suite("Crash recovery")
final class CrashRecoveryTests: Sendable {
    let executable: BuiltExecutable
    let directory: URL

    init() throws {
        executable = try BuiltExecutable()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("destinations-crash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func aRefreshKilledMidwayCompletesAfterRestart() async throws {
        let (executable, directory) = (self.executable, self.directory)
        try await FakeProvider.run { fake in
            let (firstCall, calledOnce) = AsyncStream.makeStream(of: Void.self)
            let (killDone, killed) = AsyncStream.makeStream(of: Void.self)
            let hang = HangSwitch()
            fake.on("GET", "/catalogs") { _ in
                calledOnce.yield()
                // The first answer is held until the process that asked has been killed.
                if await hang.firstTime() { for await _ in killDone { break } }
                return .json(#"{"catalogs": [{"name": "after-restart"}], "message": "success"}"#)
            }
            let environment = [
                "DATABASE_URL": directory.appendingPathComponent("crash.sqlite").path,
                "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
                "CONNECTORS_BRAZE_BASE_URL": fake.baseURL.absoluteString,
                "JOBS_LEASE_SECONDS": "3",
                "JOBS_POLL_INTERVAL": "0.1",
            ]
            let first = try await executable.serve(environment: environment, in: directory)
            let token = try #require(first.firstToken)

            let created = try await API(port: first.port, token: token).send(
                .POST,
                "/api/v1/destinations",
                #"{"service_connection": {"type": "braze", "credentials": {"api_key": "k", "instance_url": "https://rest.iad-03.braze.com"}}}"#
            )
            #expect(created.status == 201)
            let id = try #require(created.json["data"]?.objectValue?["id"])
            for await _ in firstCall { break }
            kill(first.process.pid, SIGKILL)
            let ended = await first.process.finish()
            #expect(ended.status == SIGKILL)
            killed.yield()

            let second = try await executable.serve(environment: environment, in: directory)
            defer { second.process.terminate() }
            let api = API(port: second.port, token: token)
            // The first job (key 1) was running when the process died.
            var status = ""
            for _ in 0..<300 where status != "completed" {
                status = try await api.send(.GET, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=1").json["status"]?.stringValue ?? ""
                if status != "completed" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == "completed")
            let detail = try await api.send(.GET, "/api/v1/destinations/\(id)").json
            let objects = detail["data"]?.objectValue?["objects"]
            #expect("\(String(describing: objects))".contains("catalog:after-restart"))
            #expect(fake.calls("GET", "/catalogs").count == 2)
            second.process.terminate()
            let stopped = await second.process.finish()
            #expect(stopped.stderr.contains("Re-queued jobs whose worker stopped"))
        }
    }
}

actor HangSwitch {
    private var used = false

    func firstTime() -> Bool {
        defer { used = true }
        return !used
    }
}

/// Plain HTTP calls to a server the test started.
struct API {
    let port: Int
    let token: String
    /// One client per server lifetime where servers are killed: no connection outlives its server.
    var client: HTTPClient = .shared

    struct Answer {
        let status: Int
        let json: [String: JSONValueLite]
    }

    func send(_ method: HTTPMethod, _ path: String, _ body: String? = nil) async throws -> Answer {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)\(path)")
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        // A pooled connection would outlive a killed server and fail the first call to its successor.
        request.headers.add(name: "Connection", value: "close")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body))
        }
        let response = try await client.execute(request, timeout: .seconds(10))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = (try? JSONDecoder().decode([String: JSONValueLite].self, from: Data(bytes.readableBytesView))) ?? [:]
        return Answer(status: Int(response.status.code), json: json)
    }
}

/// Enough JSON to read answers without the server's own types.
enum JSONValueLite: Decodable, CustomStringConvertible {
    case string(String)
    case number(Double)
    case bool(Bool)
    case object([String: JSONValueLite])
    case array([JSONValueLite])
    case null

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValueLite].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValueLite].self))
        }
    }

    var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    var objectValue: [String: JSONValueLite]? { if case .object(let value) = self { value } else { nil } }

    var description: String {
        switch self {
        case .string(let value): value
        case .number(let value): value == value.rounded() ? String(Int(value)) : String(value)
        case .bool(let value): String(value)
        case .object(let value): "{" + value.map { "\($0.key): \($0.value)" }.sorted().joined(separator: ", ") + "}"
        case .array(let value): "[" + value.map(\.description).joined(separator: ", ") + "]"
        case .null: "null"
        }
    }
}
