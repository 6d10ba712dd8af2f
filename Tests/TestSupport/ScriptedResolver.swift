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

    public func addresses(of host: String) async throws -> [IPAddress] {
        let answer: Answer? = state.withLock { state in
            state.lookups.append(host)
            guard var queue = state.answers[host], let first = queue.first else { return nil }
            if queue.count > 1 {
                queue.removeFirst()
                state.answers[host] = queue
            }
            return first
        }
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
