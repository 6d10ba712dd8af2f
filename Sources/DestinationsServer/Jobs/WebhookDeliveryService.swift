import DestinationsCore
import Foundation
import Logging
import ServiceLifecycle

/// Sends due webhook deliveries, up to `concurrency` at once, with workers of its own: provider jobs and
/// deliveries each keep their budget whatever the other waits for. Due deliveries are found by polling
/// (any instance's outbox may hold them); a full claim is followed at once by the next.
struct WebhookDeliveryService: Service, CustomStringConvertible {
    static let claimBatch = 32

    var description: String { "WebhookDeliveryService(concurrency: \(settings.concurrency))" }

    let queue: any WebhookDeliveryQueue
    let sender: WebhookSender
    let settings: WebhookSettings
    let metrics: ServerMetrics
    let clock: any WallClock
    let logger: Logger
    let worker = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-webhooks-\(UInt32.random(in: .min ... .max))"

    private enum Event {
        case tick
        case finished
    }

    func run() async throws {
        let (events, continuation) = AsyncStream.makeStream(of: Event.self)
        await withGracefulShutdownHandler {
            await dispatch(events, continuation)
        } onGracefulShutdown: {
            continuation.finish()
        }
    }

    private func dispatch(_ events: AsyncStream<Event>, _ continuation: AsyncStream<Event>.Continuation) async {
        await withDiscardingTaskGroup { group in
            group.addTask {
                while !Task.isCancelled {
                    try? await Task.sleep(for: .seconds(settings.pollInterval))
                    continuation.yield(.tick)
                }
            }
            var inFlight = 0
            var lastReap = ContinuousClock.now - .seconds(settings.leaseDuration)
            for await event in events {
                if case .finished = event { inFlight -= 1 }
                if ContinuousClock.now - lastReap > .seconds(settings.leaseDuration / 2) {
                    lastReap = ContinuousClock.now
                    await reapExpiredLeases()
                }
                while inFlight < settings.concurrency {
                    let limit = min(Self.claimBatch, settings.concurrency - inFlight)
                    let leases = await claim(limit: limit)
                    for lease in leases {
                        inFlight += 1
                        group.addTask {
                            await deliver(lease)
                            continuation.yield(.finished)
                        }
                    }
                    if leases.count < limit { break }
                }
            }
            group.cancelAll()
        }
    }

    private func claim(limit: Int) async -> [WebhookDeliveryLease] {
        let now = clock.now()
        do {
            return try await queue.claim(worker: worker, now: now, leaseUntil: now.addingTimeInterval(settings.leaseDuration), limit: limit)
        } catch {
            logger.warning("Could not claim webhook deliveries; trying again shortly", metadata: ["error": "\(error)"])
            return []
        }
    }

    private func reapExpiredLeases() async {
        do {
            let count = try await queue.requeueExpired(now: clock.now())
            if count > 0 { logger.warning("Re-queued webhook deliveries whose worker stopped", metadata: ["count": "\(count)"]) }
        } catch {
            logger.error("Could not re-queue expired webhook deliveries", metadata: ["error": "\(error)"])
        }
    }

    private func deliver(_ lease: WebhookDeliveryLease) async {
        var logger = logger
        logger[metadataKey: "webhook.id"] = "\(lease.webhookID)"
        logger[metadataKey: "webhook.delivery.id"] = "\(lease.id)"
        let (attempt, outcome) = await sender.send(lease)
        // Shutting down: the attempt was cut short, so it is given back rather than counted.
        let cancelled = Task.isCancelled
        do {
            // In a task of its own: this one may be cancelled, and the database refuses cancelled work.
            try await Task { [queue, clock] in
                if cancelled {
                    try await queue.release(lease, now: clock.now())
                } else {
                    _ = try await queue.finish(lease, attempt: attempt, outcome: outcome)
                }
            }.value
            if cancelled { return }
        } catch {
            logger.error("A webhook attempt could not be recorded; it is sent again when its lease expires", metadata: ["error": "\(error)"])
            return
        }
        let seconds = Double(attempt.durationMilliseconds) / 1000
        switch outcome {
        case .succeeded:
            metrics.webhookAttempt(outcome: "succeeded", seconds: seconds)
            logger.debug("Webhook delivered", metadata: ["status": "\(attempt.statusCode ?? 0)"])
        case .retry(let at):
            metrics.webhookAttempt(outcome: "retrying", seconds: seconds)
            logger.info("Webhook delivery will retry", metadata: ["at": "\(at)", "reason": "\(attempt.error ?? "")"])
        case .failed:
            metrics.webhookAttempt(outcome: "failed", seconds: seconds)
            logger.warning("Webhook delivery failed", metadata: ["reason": "\(attempt.error ?? "")"])
        }
    }
}
