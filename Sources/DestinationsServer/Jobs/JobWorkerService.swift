import DestinationsCore
import Foundation
import Logging
import ServiceLifecycle

public struct JobSettings: Sendable {
    /// Jobs run at once by this process. Jobs wait on providers, not on the CPU: this is about open
    /// connections and memory (a few kilobytes a job), not cores.
    public var concurrency: Int
    /// Jobs of one destination type run at once by this process, so that a slow provider holds at most
    /// this many workers and the rest serve the others.
    public var providerConcurrency: Int
    /// How often an idle worker looks for due jobs (retries, other processes' jobs, expired leases).
    public var pollInterval: Double
    /// How long a claim lasts unless renewed; a dead worker's jobs return to the queue after it.
    public var leaseDuration: Double
    public var retry: RetryPolicy

    public init(
        concurrency: Int = 512,
        providerConcurrency: Int? = nil,
        pollInterval: Double = 1,
        leaseDuration: Double = 60,
        retry: RetryPolicy = RetryPolicy()
    ) {
        self.concurrency = concurrency
        self.providerConcurrency = providerConcurrency ?? Self.defaultProviderConcurrency(concurrency)
        self.pollInterval = pollInterval
        self.leaseDuration = leaseDuration
        self.retry = retry
    }

    /// Half the workers: one provider never holds them all.
    static func defaultProviderConcurrency(_ concurrency: Int) -> Int {
        max(1, concurrency / 2)
    }
}

/// Claims due jobs and runs up to `concurrency` of them at once, in the service group: it starts with
/// the server and, on graceful shutdown, stops claiming and gives unfinished jobs back to the queue.
struct JobWorkerService: Service, CustomStringConvertible {
    /// Jobs claimed at most by one statement: a burst of queued work starts in a few writes, not one each.
    static let claimBatch = 32

    // ServiceLifecycle logs each service's description: keep the runner's settings out of it.
    var description: String { "JobWorkerService(concurrency: \(settings.concurrency))" }

    let queue: any JobQueue
    let runner: JobRunner
    let wakeup: JobWakeup
    let outcomes: JobOutcomes
    let settings: JobSettings
    let clock: any WallClock
    let logger: Logger
    let worker = "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: .min ... .max))"

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await dispatch()
        } onGracefulShutdown: {
            wakeup.finish()
        }
    }

    private func dispatch() async throws {
        // Discarding: a plain task group keeps every finished child until it is awaited, which this loop
        // never does, so memory grew with every job run (found by the soak).
        await withDiscardingTaskGroup { group in
            group.addTask { await tick() }
            var running = RunningJobs(providerLimit: settings.providerConcurrency)
            var lastReap = ContinuousClock.now
            // After the database failed a claim, wait a moment before the next instead of spinning.
            var claimsPausedUntil = ContinuousClock.now
            // Whether a claim could find anything: not after one came back empty, until a job is queued, a
            // poll comes round (retries fall due, other instances queue), or a provider at its share frees a
            // worker for its queued jobs.
            var queueMayHaveWork = true
            for await event in wakeup.events {
                switch event {
                case .jobQueued:
                    queueMayHaveWork = true
                case .jobsFinished:
                    for (type, count) in wakeup.takeFinished() {
                        if running.isFull(type) { queueMayHaveWork = true }
                        running.finished(type, count: count)
                    }
                case .tick:
                    queueMayHaveWork = true
                    if ContinuousClock.now - lastReap > .seconds(settings.leaseDuration / 2) {
                        lastReap = ContinuousClock.now
                        await reapExpiredLeases()
                    }
                }
                // Claims until the queue has nothing this worker has room for.
                while queueMayHaveWork, ContinuousClock.now >= claimsPausedUntil {
                    let room = running.room(concurrency: settings.concurrency, batch: Self.claimBatch)
                    guard room.total > 0 else { break }
                    wakeup.heard()
                    guard let batch = await claim(room) else {
                        claimsPausedUntil = .now + .seconds(1)
                        break
                    }
                    for lease in batch {
                        let type = lease.job.destinationType
                        running.started(type)
                        group.addTask {
                            await execute(lease)
                            wakeup.jobFinished(type: type)
                        }
                    }
                    if batch.isEmpty { queueMayHaveWork = false }
                }
            }
            // Graceful shutdown: running jobs are cancelled and give their leases back before the group ends.
            group.cancelAll()
        }
    }

    private func tick() async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(settings.pollInterval))
            wakeup.send(.tick)
        }
    }

    /// Due jobs, oldest first (empty when none is due), or nil when the database failed.
    private func claim(_ room: ClaimRoom) async -> [JobLease]? {
        let now = clock.now()
        do {
            return try await queue.claim(worker: worker, now: now, leaseUntil: now.addingTimeInterval(settings.leaseDuration), room: room)
        } catch {
            logger.warning("Could not claim a job; trying again shortly", metadata: ["error": "\(error)"])
            return nil
        }
    }

    private func reapExpiredLeases() async {
        do {
            let count = try await queue.requeueExpired(now: clock.now())
            if count > 0 { logger.warning("Re-queued jobs whose worker stopped", metadata: ["count": "\(count)"]) }
        } catch {
            logger.error("Could not re-queue expired jobs", metadata: ["error": "\(error)"])
        }
    }

    private func execute(_ lease: JobLease) async {
        let job = lease.job
        var logger = logger
        logger[metadataKey: "job.id"] = "\(job.id)"
        logger[metadataKey: "job.kind"] = "\(job.kind.rawValue)"
        logger[metadataKey: "destination.id"] = "\(job.destinationID)"
        logger.debug("Job started", metadata: ["attempt": "\(job.attempts)"])
        do {
            let outcome = try await withThrowingTaskGroup(of: JobRunner.Outcome?.self) { group in
                group.addTask {
                    try await keepLeased(lease)
                    return nil
                }
                group.addTask { try await runner.run(lease) }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let outcome = result { return outcome }
                }
                throw CancellationError()
            }
            outcomes.publish(.init(job: job, outcome: outcome))
            switch outcome {
            case .completed: logger.info("Job completed")
            case .retrying(let delay, let message): logger.info("Job will retry", metadata: ["in.seconds": "\(Int(delay))", "reason": "\(message)"])
            case .failed(let message): logger.warning("Job failed", metadata: ["reason": "\(message)"])
            case .abandoned: logger.warning("Job lease was lost to another worker; its result was dropped")
            }
        } catch {
            // Cancelled (shutdown) or the database failed: give the job back rather than wait for the lease.
            do {
                // In a task of its own: this one may be cancelled, and the database refuses cancelled work.
                let released = try await Task { [queue, clock] in try await queue.release(lease, now: clock.now()) }.value
                logger.info("Job given back to the queue", metadata: ["released": "\(released)", "reason": "\(type(of: error))"])
            } catch let releaseError {
                logger.error("Job could not be given back; it returns when its lease expires", metadata: ["error": "\(releaseError)"])
            }
        }
    }

    /// Renews the lease every third of its length while the job runs.
    private func keepLeased(_ lease: JobLease) async throws {
        while true {
            try await Task.sleep(for: .seconds(settings.leaseDuration / 3))
            guard try await queue.renew(lease, until: clock.now().addingTimeInterval(settings.leaseDuration)) else {
                logger.warning("Job lease was lost", metadata: ["job.id": "\(lease.job.id)"])
                return
            }
        }
    }
}
