import Foundation
import Synchronization

/// Who a token stood for a moment ago, so that every request does not read the token table. A revocation
/// through this process forgets at once; one through another process (the CLI, another instance) takes
/// effect within `lifetime`.
final class AuthenticationCache: Sendable {
    private struct Entry {
        let caller: Caller
        let expires: Date
    }

    /// Bounds memory against a flood of distinct valid tokens; cleared whole when reached.
    static let capacity = 10_000

    private let lifetime: TimeInterval
    private let entries = Mutex<[Data: Entry]>([:])

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    func caller(for hash: Data, now: Date) -> Caller? {
        entries.withLock { entries in
            guard let entry = entries[hash] else { return nil }
            guard entry.expires > now else {
                entries[hash] = nil
                return nil
            }
            return entry.caller
        }
    }

    func remember(_ caller: Caller, for hash: Data, now: Date) {
        guard lifetime > 0 else { return }
        entries.withLock { entries in
            if entries.count >= Self.capacity { entries.removeAll(keepingCapacity: true) }
            entries[hash] = Entry(caller: caller, expires: now.addingTimeInterval(lifetime))
        }
    }

    func forget(_ hash: Data) {
        _ = entries.withLock { $0.removeValue(forKey: hash) }
    }

    /// After a change that revokes tokens whose values this process never saw (a workspace's, on its deletion).
    func forgetAll() {
        entries.withLock { $0.removeAll() }
    }
}
