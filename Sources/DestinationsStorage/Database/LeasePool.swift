import DequeModule

/// Hands out each of a fixed set of resources to one task at a time, in arrival order.
actor LeasePool<Resource: Sendable> {
    private var idle: [Resource]
    private var waiters: Deque<CheckedContinuation<Resource, Never>> = []

    init(_ resources: [Resource]) {
        precondition(!resources.isEmpty, "a lease pool needs at least one resource")
        self.idle = resources
    }

    func acquire() async -> Resource {
        if let resource = idle.popLast() { return resource }
        return await withCheckedContinuation { waiters.append($0) }
    }

    func release(_ resource: Resource) {
        if let waiter = waiters.popFirst() {
            waiter.resume(returning: resource)
        } else {
            idle.append(resource)
        }
    }
}

extension LeasePool {
    nonisolated func withLease<T: Sendable>(_ body: (Resource) async throws -> T) async throws -> T {
        let resource = await acquire()
        do {
            let result = try await body(resource)
            await release(resource)
            return result
        } catch {
            await release(resource)
            throw error
        }
    }
}
