import Foundation
import Logging
import NIOCore
import NIOPosix

/// Holds a call until released, deaf to cancellation, as PostgresNIO's `listen` can be.
final class DeafHold: @unchecked Sendable {
    private let lock = NSLock()
    private var waiter: CheckedContinuation<Void, Never>?
    private var released = false

    func wait() async {
        await withCheckedContinuation { continuation in
            let alreadyReleased = lock.withLock {
                if !released { waiter = continuation }
                return released
            }
            if alreadyReleased { continuation.resume() }
        }
    }

    func release() {
        let waiter = lock.withLock {
            released = true
            defer { self.waiter = nil }
            return self.waiter
        }
        waiter?.resume()
    }
}
