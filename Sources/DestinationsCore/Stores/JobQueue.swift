import Foundation

/// The part of the queue that use cases queueing work need.
public protocol JobEnqueuing: Sendable {
    /// Queues the job, unless one of the same kind and payload is already queued or running for the
    /// destination: then that job's id is returned, so concurrent requests share one run. Nil when the
    /// workspace has no such destination.
    func enqueue(_ job: NewJob, workspace: WorkspaceID, destination: DestinationID, now: Date) async throws -> JobID?
}

/// The durable job queue. Claims are atomic (a job runs on one worker at a time); a lease that expires
/// (the worker died) puts the job back in the queue.
public protocol JobQueue: JobEnqueuing {

    /// Takes the oldest due jobs, oldest first, as many as `room` has for in all and for each destination
    /// type, marking them running until `leaseUntil`. One statement, however many it takes.
    func claim(worker: String, now: Date, leaseUntil: Date, room: ClaimRoom) async throws -> [JobLease]

    /// Extends a lease still held; false when it was lost.
    func renew(_ lease: JobLease, until: Date) async throws -> Bool

    /// Marks the job completed and stores its result (the destination's objects, an object's fields,
    /// a connection test's outcome), in one transaction, if the lease is still held; false (and nothing
    /// written) when it was lost.
    func complete(_ lease: JobLease, with result: JobResult, now: Date) async throws -> Bool

    /// Puts the job back in the queue to run again at `runAt`, keeping `message` as the latest failure.
    func retry(_ lease: JobLease, runAt: Date, message: String, now: Date) async throws -> Bool

    /// Marks the job failed for good.
    func fail(_ lease: JobLease, message: String, now: Date) async throws -> Bool

    /// Gives a job back unfinished (the worker is shutting down): queued again at once, and the attempt
    /// it had started does not count.
    func release(_ lease: JobLease, now: Date) async throws -> Bool

    /// Re-queues running jobs whose lease expired (their worker died); returns how many. A job out of
    /// attempts fails instead.
    func requeueExpired(now: Date) async throws -> Int

    /// Jobs waiting and running now, across workspaces (the queue's depth, for metrics).
    func activeCounts() async throws -> (queued: Int, running: Int)

    /// A job as its workspace may see it: nil for another workspace's job or another destination's.
    func job(_ id: JobID, workspace: WorkspaceID, destination: DestinationID) async throws -> Job?
}

extension JobQueue {
    /// Takes the oldest due job, whatever its type.
    public func claim(worker: String, now: Date, leaseUntil: Date) async throws -> JobLease? {
        try await claim(worker: worker, now: now, leaseUntil: leaseUntil, room: ClaimRoom(total: 1)).first
    }
}

/// How many jobs a worker may start now: in all, and of each destination type (a provider's share of
/// workers less those it holds).
public struct ClaimRoom: Sendable, Hashable {
    public var total: Int
    /// Types with less room than `otherTypes`; 0 leaves a type's jobs queued.
    public var byType: [String: Int]
    /// Room for each type not in `byType`.
    public var otherTypes: Int

    public init(total: Int, byType: [String: Int] = [:], otherTypes: Int? = nil) {
        self.total = total
        self.byType = byType
        self.otherTypes = otherTypes ?? total
    }
}

/// Tells sleeping workers that a job was queued, so they need not wait for their next poll.
public protocol JobNotifier: Sendable {
    func jobQueued()
}
