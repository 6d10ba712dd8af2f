import Foundation

/// What the writers were told, per destination.
actor Ledger {
    private var expectations: [Int64: CrashConsistencyTests.Expectation] = [:]
    private var creating: Set<String> = []
    private var owners: [Int64: String] = [:]
    private(set) var answered = 0 {
        didSet { wake() }
    }
    private var writing = 0
    private var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []

    /// Returns once `count` writes have been answered, or no writer is left to answer any.
    func waitUntilAnswered(_ count: Int) async {
        guard answered < count, writing > 0 else { return }
        await withCheckedContinuation { waiters.append((count, $0)) }
    }

    func writersStarted(_ count: Int) { writing += count }

    func writerEnded() {
        writing -= 1
        wake()
    }

    private func wake() {
        let due = waiters.filter { $0.count <= answered || writing == 0 }
        waiters.removeAll { $0.count <= answered || writing == 0 }
        for waiter in due { waiter.continuation.resume() }
    }

    func beginCreate(_ name: String) { creating.insert(name) }

    func created(_ id: Int64, _ name: String, by writer: String) {
        creating.remove(name)
        expectations[id] = .init(name: name)
        owners[id] = writer
        answered += 1
    }

    /// A write about to be sent: until it is answered, either outcome is acceptable.
    func begin(_ id: Int64, _ name: String?) { expectations[id]?.uncertain.append(name) }

    func end(_ id: Int64, _ name: String?, answered: Bool) {
        guard answered, var expectation = expectations[id] else { return }
        self.answered += 1
        expectation.name = name
        expectation.uncertain.removeLast()
        expectations[id] = expectation
    }

    func knows(_ id: Int64) -> Bool { expectations[id] != nil }

    func wasInFlight(_ name: String) -> Bool { creating.contains(name) }

    /// After a check, the state seen is the state known.
    func settle(_ listed: [Int64: String]) {
        for id in Set(expectations.keys).union(listed.keys) { expectations[id] = .init(name: listed[id]) }
        creating = []
    }

    func live(of writer: String) -> [Int64] {
        expectations.filter { $0.value.name != nil && owners[$0.key] == writer }.map(\.key).sorted()
    }

    func all() -> [(Int64, CrashConsistencyTests.Expectation)] { expectations.sorted { $0.key < $1.key }.map { ($0.key, $0.value) } }
}
