import Foundation

final class ResponseLog: @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [String] = []

    func append(_ body: String) { lock.withLock { bodies.append(body) } }
    var all: [String] { lock.withLock { bodies } }
}
