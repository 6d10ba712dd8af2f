import DestinationsCore
import Foundation

/// Counts distinct ids, and ids seen twice.
final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var seen: Set<JobID> = []
    private var repeated = 0

    func add(_ id: JobID) -> Int {
        lock.withLock {
            if !seen.insert(id).inserted { repeated += 1 }
            return seen.count
        }
    }

    var count: Int { lock.withLock { seen.count } }
    var duplicates: Int { lock.withLock { repeated } }
}
