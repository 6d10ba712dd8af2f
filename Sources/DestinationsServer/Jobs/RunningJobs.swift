/// The jobs this worker runs, in all and by destination type.
struct RunningJobs {
    let providerLimit: Int
    private(set) var total = 0
    private var byType: [String: Int] = [:]
    /// The types at their limit, whose queued jobs wait.
    private(set) var saturatedTypes: Set<String> = []

    init(providerLimit: Int) {
        self.providerLimit = providerLimit
    }

    mutating func started(_ type: String) {
        total += 1
        byType[type, default: 0] += 1
        if byType[type]! >= providerLimit { saturatedTypes.insert(type) }
    }

    mutating func finished(_ type: String) {
        total -= 1
        byType[type, default: 1] -= 1
        if byType[type]! < providerLimit { saturatedTypes.remove(type) }
        if byType[type] == 0 { byType[type] = nil }
    }
}
