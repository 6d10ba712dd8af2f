import Foundation
import TestSupport
import Testing

/// Clients that trickle their requests: the server closes or answers them within its configured timeouts
/// and serves everyone else meanwhile.
@Suite("Slow clients", .occupiesATestSlot)
struct SlowClientTests {
    let sandbox: CLISandbox
    var executable: BuiltExecutable { sandbox.executable }
    var directory: URL { sandbox.directory }

    init() throws {
        sandbox = try CLISandbox("slow")
    }

    @Test func tricklingHeadersAreCutOffAndTricklingBodiesTimeOut() async throws {
        let server = try await executable.serve(
            environment: [
                "DATABASE_URL": directory.appendingPathComponent("slow.sqlite").path,
                // Two seconds, not one: on a loaded 2-core machine the other client's own request can wait a
                // second to be read, and would be cut off as the trickling ones are.
                "HTTP_IDLE_TIMEOUT_SECONDS": "2",
                "HTTP_BODY_TIMEOUT_SECONDS": "2",
            ],
            in: directory
        )
        defer { server.process.terminate() }
        let (port, token) = (server.port, try #require(server.firstToken))

        // A header line every 300 ms, never the blank line that ends them.
        async let loris = Trickle.run(port: port, head: "GET /healthz HTTP/1.1\r\nHost: x\r\n", pieces: Array(repeating: "X-Slow: 1\r\n", count: 20))
        // A body promised in full, sent a byte every 300 ms.
        let slowBody =
            "POST /api/v1/destinations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(token)\r\n"
            + "Content-Type: application/json\r\nContent-Length: 200\r\n\r\n"
        async let drip = Trickle.run(port: port, head: slowBody, pieces: Array(repeating: " ", count: 20))
        // Everyone else is served meanwhile.
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await API(port: port, token: token).send(.GET, "/api/v1/destinations").status == 200)

        let (lorisOutcome, dripOutcome) = await (loris, drip)
        #expect(lorisOutcome.closedEarly, "the server waited \(lorisOutcome.seconds) s for headers")
        #expect(lorisOutcome.seconds < 5)
        #expect(dripOutcome.answer.hasPrefix("HTTP/1.1 408"), "\(dripOutcome.answer)")
        #expect(dripOutcome.seconds < 5)
    }

    @Test func aMegabyteHeaderIsRefusedAndTheServerGoesOn() async throws {
        let server = try await executable.serve(environment: ["DATABASE_URL": directory.appendingPathComponent("big.sqlite").path], in: directory)
        defer { server.process.terminate() }
        let (port, token) = (server.port, try #require(server.firstToken))
        let huge = "GET /api/v1/destinations HTTP/1.1\r\nHost: x\r\nX-Huge: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n"
        let outcome = await Trickle.run(port: port, head: huge, pieces: ["\r\n"])
        #expect(outcome.closedEarly)
        #expect(outcome.answer.isEmpty || outcome.answer.hasPrefix("HTTP/1.1 4"), "\(outcome.answer.prefix(100))")
        #expect(try await API(port: port, token: token).send(.GET, "/api/v1/destinations").status == 200)
    }
}
