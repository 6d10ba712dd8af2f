import DestinationsCore

/// The jobs this worker runs, in all and by destination type.
struct RunningJobs {
    let providerLimit: Int
    private(set) var total = 0
    private var byType: [String: Int] = [:]

    init(providerLimit: Int) {
        self.providerLimit = providerLimit
    }

    /// Room for up to `batch` jobs out of `concurrency`: in all, and for each type by its share.
    func room(concurrency: Int, batch: Int) -> ClaimRoom {
        let total = max(0, min(concurrency - total, batch))
        return ClaimRoom(
            total: total,
            byType: byType.filter { providerLimit - $0.value < total }.mapValues { max(0, providerLimit - $0) },
            otherTypes: min(providerLimit, total)
        )
    }

    /// Whether the type holds its whole share.
    func isFull(_ type: String) -> Bool {
        byType[type, default: 0] >= providerLimit
    }

    mutating func started(_ type: String) {
        total += 1
        byType[type, default: 0] += 1
    }

    mutating func finished(_ type: String, count: Int = 1) {
        total -= count
        byType[type, default: count] -= count
        if byType[type] == 0 { byType[type] = nil }
    }
}
