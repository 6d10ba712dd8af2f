import DestinationsConnectors
import Foundation
import Synchronization

/// A name resolver that answers from a script and never asks DNS: names it was not told about fail, so a
/// test cannot send a query off the machine by accident. It records every lookup.
public final class ScriptedResolver: NameResolver {
    public enum Answer: Sendable {
        /// These addresses (written out).
        case addresses([String])
        case noSuchHost
        /// No answer for this long, then `then`.
        indirect case stall(Duration, then: Answer)
    }

    public struct NotScripted: Error {
        public let name: String
    }

    private struct State {
        /// Successive lookups of a name take successive answers; the last one stays.
        var answers: [String: [Answer]]
        var lookups: [String] = []
        /// Callers waiting for that many lookups.
        var waiting: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let state: Mutex<State>

    public init(_ answers: [String: Answer] = [:]) {
        state = Mutex(State(answers: answers.mapValues { [$0] }))
    }

    /// Answers for the next lookups of `name`, in order, after those already scripted.
    public func script(_ name: String, _ answers: Answer...) {
        state.withLock { $0.answers[name, default: []] += answers }
    }

    /// Every name looked up so far, in order.
    public var lookups: [String] { state.withLock { $0.lookups } }

    /// Returns once `count` lookups have been asked for.
    public func waitForLookups(_ count: Int) async {
        await withCheckedContinuation { continuation in
            let reached = state.withLock { state in
                guard state.lookups.count < count else { return true }
                state.waiting.append((count, continuation))
                return false
            }
            if reached { continuation.resume() }
        }
    }

    public func addresses(of host: String) async throws -> [IPAddress] {
        let (answer, reached): (Answer?, [CheckedContinuation<Void, Never>]) = state.withLock { state in
            state.lookups.append(host)
            let count = state.lookups.count
            let reached = state.waiting.filter { $0.count <= count }.map(\.continuation)
            state.waiting.removeAll { $0.count <= count }
            guard var queue = state.answers[host], let first = queue.first else { return (nil, reached) }
            if queue.count > 1 {
                queue.removeFirst()
                state.answers[host] = queue
            }
            return (first, reached)
        }
        for continuation in reached { continuation.resume() }
        guard let answer else { throw NotScripted(name: host) }
        return try await Self.give(answer)
    }

    private static func give(_ answer: Answer) async throws -> [IPAddress] {
        switch answer {
        case .addresses(let written):
            return written.compactMap(IPAddress.init(literal:))
        case .noSuchHost:
            return []
        case .stall(let duration, let then):
            try await Task.sleep(for: duration)
            return try await give(then)
        }
    }
}
