import DestinationsCore
import Foundation

final class CountingNotifier: JobNotifier, @unchecked Sendable {
    private let lock = NSLock()
    private var notified = 0

    var count: Int { lock.withLock { notified } }

    func jobQueued() { lock.withLock { notified += 1 } }
}
