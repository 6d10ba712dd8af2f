import DequeModule
import Foundation
import Synchronization

/// Host names to addresses for outbound calls, so that no caller waits on DNS longer than it chose to:
/// each lookup is shared by everyone asking for the same name at once, its outcome is remembered for a
/// while (an answer for `positiveLifetime`, "no such name" for `negativeLifetime`), and each lane may run
/// only so many lookups at once, so that jobs dialling providers cannot take the threads that requests
/// vetting a URL need. A caller that stops waiting leaves the lookup running: its outcome is remembered
/// for the next caller.
public final class HostResolution: Sendable {
    /// Who is asking: a request vetting a user's URL, or the egress dialling a provider.
    public enum Lane: Sendable, CaseIterable {
        case vetting
        case dialling

        /// Lookups this lane may run at once.
        var concurrency: Int {
            switch self {
            case .vetting: 4
            case .dialling: 8
            }
        }
    }

    public enum Outcome: Sendable, Equatable {
        case addresses([IPAddress])
        /// The name does not exist, or has no address.
        case noSuchHost
        /// The lookup failed (the resolver answered with an error): nothing is known.
        case failed
        /// The caller's wait ended before an answer.
        case timedOut
    }

    /// Bounds memory against a flood of distinct names; expired entries go first, then any.
    static let capacity = 4_096

    private struct Entry {
        let outcome: Outcome
        let expires: ContinuousClock.Instant
    }

    private struct Waiter {
        let continuation: CheckedContinuation<Outcome, Never>
        var patience: Task<Void, Never>?
    }

    private struct State {
        var remembered: [String: Entry] = [:]
        /// The callers waiting for each name being looked up, by ticket.
        var waiting: [String: [Int: Waiter]] = [:]
        var nextTicket = 0
    }

    private let resolver: any NameResolver
    private let positiveLifetime: Duration
    private let negativeLifetime: Duration
    private let state = Mutex(State())
    private let lanes: [Lane: LookupSlots]

    public init(resolver: any NameResolver, positiveLifetime: Duration = .seconds(30), negativeLifetime: Duration = .seconds(5)) {
        self.resolver = resolver
        self.positiveLifetime = positiveLifetime
        self.negativeLifetime = negativeLifetime
        lanes = Dictionary(uniqueKeysWithValues: Lane.allCases.map { ($0, LookupSlots($0.concurrency)) })
    }

    /// The addresses of `host` (an address written out is its own answer), waiting at most `patience`.
    public func resolve(_ host: String, lane: Lane, patience: Duration) async -> Outcome {
        let name = Self.normalized(host)
        if let literal = IPAddress(literal: name) { return .addresses([literal]) }
        return await withCheckedContinuation { continuation in
            let ticket: Int? = state.withLock { state in
                if let entry = state.remembered[name] {
                    if entry.expires > .now {
                        continuation.resume(returning: entry.outcome)
                        return nil
                    }
                    state.remembered[name] = nil
                }
                if state.waiting[name] == nil {
                    state.waiting[name] = [:]
                    // Unstructured: the lookup outlives callers who stop waiting.
                    Task { await self.lookUp(name, lane: lane) }
                }
                let ticket = state.nextTicket
                state.nextTicket += 1
                state.waiting[name]![ticket] = Waiter(continuation: continuation)
                return ticket
            }
            guard let ticket else { return }
            let timer = Task {
                try? await Task.sleep(for: patience)
                // Cancelled when the answer came first: the ticket is gone then, and this does nothing.
                self.stopWaiting(for: name, ticket: ticket)
            }
            state.withLock { $0.waiting[name]?[ticket]?.patience = timer }
        }
    }

    /// What is known of `host` without waiting: its address when it is written out, or an answer still
    /// remembered; nil when it must be looked up.
    func known(_ host: String) -> Outcome? {
        let name = Self.normalized(host)
        if let literal = IPAddress(literal: name) { return .addresses([literal]) }
        return state.withLock { state in
            state.remembered[name].flatMap { $0.expires > .now ? $0.outcome : nil }
        }
    }

    /// Lower-cased, without the brackets of an IPv6 literal or a final dot.
    static func normalized(_ host: String) -> String {
        host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]."))
    }

    private func stopWaiting(for name: String, ticket: Int) {
        let waiter = state.withLock { $0.waiting[name]?.removeValue(forKey: ticket) }
        waiter?.continuation.resume(returning: .timedOut)
    }

    private func lookUp(_ name: String, lane: Lane) async {
        let slots = lanes[lane]!
        await slots.take()
        let outcome: Outcome
        do {
            let addresses = try await resolver.addresses(of: name)
            outcome = addresses.isEmpty ? .noSuchHost : .addresses(addresses)
        } catch {
            outcome = .failed
        }
        slots.give()
        let lifetime: Duration? =
            switch outcome {
            case .addresses: positiveLifetime
            case .noSuchHost: negativeLifetime
            case .failed, .timedOut: nil
            }
        let waiters = state.withLock { state in
            if let lifetime {
                remember(outcome, for: name, lifetime: lifetime, in: &state)
            }
            return state.waiting.removeValue(forKey: name) ?? [:]
        }
        for waiter in waiters.values {
            waiter.patience?.cancel()
            waiter.continuation.resume(returning: outcome)
        }
    }

    private func remember(_ outcome: Outcome, for name: String, lifetime: Duration, in state: inout State) {
        if state.remembered.count >= Self.capacity {
            let now = ContinuousClock.now
            state.remembered = state.remembered.filter { $0.value.expires > now }
            if state.remembered.count >= Self.capacity, let any = state.remembered.keys.first {
                state.remembered[any] = nil
            }
        }
        state.remembered[name] = Entry(outcome: outcome, expires: .now + lifetime)
    }
}

/// A counting semaphore for async code: `take` waits while every slot is taken.
public final class LookupSlots: Sendable {
    private struct State {
        var free: Int
        var waiting: Deque<CheckedContinuation<Void, Never>> = []
    }

    private let state: Mutex<State>

    public init(_ count: Int) {
        state = Mutex(State(free: count))
    }

    public func take() async {
        await withCheckedContinuation { continuation in
            let granted = state.withLock { state in
                guard state.free > 0 else {
                    state.waiting.append(continuation)
                    return false
                }
                state.free -= 1
                return true
            }
            if granted { continuation.resume() }
        }
    }

    public func give() {
        let next = state.withLock { state in
            guard let next = state.waiting.popFirst() else {
                state.free += 1
                return nil as CheckedContinuation<Void, Never>?
            }
            return next
        }
        next?.resume()
    }
}
