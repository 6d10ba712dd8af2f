import Foundation
import TestSupport
import Testing

/// Clients that trickle their requests: the server closes or answers them within its configured timeouts
/// and serves everyone else meanwhile.
@Suite("Slow clients")
final class SlowClientTests: Sendable {
    let executable: BuiltExecutable
    let directory: URL

    init() throws {
        executable = try BuiltExecutable()
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("destinations-slow-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    @Test func tricklingHeadersAreCutOffAndTricklingBodiesTimeOut() async throws {
        let server = try await executable.serve(
            environment: [
                "DATABASE_URL": directory.appendingPathComponent("slow.sqlite").path,
                "HTTP_IDLE_TIMEOUT_SECONDS": "1",
                "HTTP_BODY_TIMEOUT_SECONDS": "1",
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
        #expect(lorisOutcome.seconds < 4)
        #expect(dripOutcome.answer.hasPrefix("HTTP/1.1 408"), "\(dripOutcome.answer)")
        #expect(dripOutcome.seconds < 4)
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

/// A raw TCP client that sends `head`, then `pieces` 300 ms apart, until the server answers or closes.
enum Trickle {
    struct Outcome: Sendable {
        /// Whatever the server sent back.
        var answer: String
        /// Whether the server closed or answered before every piece was sent.
        var closedEarly: Bool
        var seconds: Double
    }

    static func run(port: Int, head: String, pieces: [String]) async -> Outcome {
        await withCheckedContinuation { continuation in
            // Blocking socket calls, on a thread of their own rather than one of the few the tests share.
            Thread.detachNewThread {
                continuation.resume(returning: blocking(port: port, head: head, pieces: pieces))
            }
        }
    }

    private static func blocking(port: Int, head: String, pieces: [String]) -> Outcome {
        let started = Date()
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(descriptor) }
        var address = loopbackAddress(port: UInt16(port))
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return Outcome(answer: "could not connect", closedEarly: false, seconds: 0) }
        var timeout = timeval(tv_sec: 0, tv_usec: 300_000)
        setsockopt(descriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var answer = Data()
        var closed = false
        func send(_ text: String) -> Bool {
            Array(text.utf8).withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) } > 0
        }
        /// Reads for up to 300 ms; true once the server has closed.
        func receive() -> Bool {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let count = recv(descriptor, &buffer, buffer.count, 0)
            if count > 0 { answer.append(contentsOf: buffer[0..<count]) }
            return count == 0 || (count < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        }
        if send(head) {
            for piece in pieces {
                if receive() || !answer.isEmpty {
                    closed = true
                    break
                }
                guard send(piece) else {
                    closed = true
                    break
                }
            }
        }
        // Whatever the server says once the trickle ends.
        for _ in 0..<5 where !closed { closed = receive() }
        return Outcome(answer: String(decoding: answer, as: UTF8.self), closedEarly: closed, seconds: Date().timeIntervalSince(started))
    }
}
