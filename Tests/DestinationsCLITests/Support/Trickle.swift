import Foundation
import TestSupport

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
