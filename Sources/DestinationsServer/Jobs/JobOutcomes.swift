import DestinationsCore
import Foundation

/// Publishes each run's outcome to whoever listens (the metrics, and tests that wait for a job).
final class JobOutcomes: @unchecked Sendable {
    struct Event: Sendable {
        let job: Job
        let outcome: JobRunner.Outcome
    }

    private let lock = NSLock()
    private var subscribers: [UUID: AsyncStream<Event>.Continuation] = [:]

    func subscribe() -> AsyncStream<Event> {
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        let id = UUID()
        lock.withLock { subscribers[id] = continuation }
        continuation.onTermination = { [weak self] _ in
            self?.lock.withLock { _ = self?.subscribers.removeValue(forKey: id) }
        }
        return stream
    }

    func publish(_ event: Event) {
        for subscriber in lock.withLock({ Array(subscribers.values) }) {
            subscriber.yield(event)
        }
    }
}
