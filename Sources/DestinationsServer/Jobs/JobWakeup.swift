import DestinationsCore
import Synchronization

/// In-process wake-ups for the job worker: whoever queues a job calls `jobQueued()`, the worker's
/// dispatcher hears it at once instead of at its next poll. Jobs queued while one such wake-up waits to be
/// heard add none: a burst of requests costs the dispatcher one claim per batch, not one each. Likewise
/// jobs that finish while a wake-up for finished jobs waits are tallied into it: the dispatcher then frees
/// all their places at once and fills them with one claim, instead of a claim for each (with a wake-up
/// per finished job, a busy provider's share was refilled one job per claim: ~400 jobs a second).
final class JobWakeup: JobNotifier {
    enum Event: Sendable {
        case jobQueued
        /// Jobs finished: `takeFinished()` says how many of each type.
        case jobsFinished
        case tick
    }

    let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation
    private let queuedUnheard = Atomic(false)
    private let finished = Mutex<(byType: [String: Int], unheard: Bool)>(([:], false))

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

    /// A job of `type` finished.
    func jobFinished(type: String) {
        let wake = finished.withLock { tally in
            tally.byType[type, default: 0] += 1
            defer { tally.unheard = true }
            return !tally.unheard
        }
        if wake { continuation.yield(.jobsFinished) }
    }

    /// The jobs that finished since the last call, by type; jobs finishing from now on wake the dispatcher again.
    func takeFinished() -> [String: Int] {
        finished.withLock { tally in
            defer { tally = ([:], false) }
            return tally.byType
        }
    }

    func send(_ event: Event) {
        continuation.yield(event)
    }

    func finish() {
        continuation.finish()
    }
}
