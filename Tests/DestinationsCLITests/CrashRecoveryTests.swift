import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The real binary, killed with SIGKILL while a refresh runs: after a restart the job is taken up
/// again and completes.
@Suite("Crash recovery", .occupiesATestSlot)
struct CrashRecoveryTests {
    let sandbox: CLISandbox
    var executable: BuiltExecutable { sandbox.executable }
    var directory: URL { sandbox.directory }

    init() throws {
        sandbox = try CLISandbox("crash")
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
                #"{"service_connection": {"type": "braze", "credentials": {"api_key": "k", "instance_url": "\#(fake.baseURL.absoluteString)"}}}"#
            )
            #expect(created.status == 201)
            let id = try #require(created.json["data"]["id"].int)
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
                status = try await api.send(.GET, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=1").json["status"].string ?? ""
                if status != "completed" { try await Task.sleep(for: .milliseconds(50)) }
            }
            #expect(status == "completed")
            let detail = try await api.send(.GET, "/api/v1/destinations/\(id)").json
            #expect(detail["data"]["objects"].encoded.contains("catalog:after-restart"))
            #expect(fake.calls("GET", "/catalogs").count == 2)
            second.process.terminate()
            let stopped = await second.process.finish()
            #expect(stopped.stderr.contains("Re-queued jobs whose worker stopped"))
        }
    }
}
