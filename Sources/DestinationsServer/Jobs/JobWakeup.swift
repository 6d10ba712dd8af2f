import DestinationsCore

/// In-process wake-ups for the job worker: whoever queues a job calls `jobQueued()`, the worker's
/// dispatcher hears it at once instead of at its next poll.
final class JobWakeup: JobNotifier {
    enum Event: Sendable {
        case jobQueued
        /// A job of this destination type finished.
        case jobFinished(type: String)
        case tick
    }

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    init() {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    func jobQueued() {
        continuation.yield(.jobQueued)
    }

    func send(_ event: Event) {
        continuation.yield(event)
    }

    func finish() {
        continuation.finish()
    }
}
