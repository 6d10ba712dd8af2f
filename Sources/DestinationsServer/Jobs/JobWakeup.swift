import DestinationsCore
import Synchronization

/// In-process wake-ups for the job worker: whoever queues a job calls `jobQueued()`, the worker's
/// dispatcher hears it at once instead of at its next poll. Jobs queued while one such wake-up waits to be
/// heard add none: a burst of requests costs the dispatcher one claim per batch, not one each.
final class JobWakeup: JobNotifier {
    enum Event: Sendable {
        case jobQueued
        /// A job of this destination type finished.
        case jobFinished(type: String)
        case tick
    }

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let queuedUnheard = Atomic(false)

    init() {
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
    }

    func jobQueued() {
        if !queuedUnheard.exchange(true, ordering: .acquiringAndReleasing) {
            continuation.yield(.jobQueued)
        }
    }

    /// The dispatcher is about to claim: jobs queued from now on need a wake-up of their own.
    func heard() {
        queuedUnheard.store(false, ordering: .releasing)
    }

    func send(_ event: Event) {
        continuation.yield(event)
    }

    func finish() {
        continuation.finish()
    }
}
