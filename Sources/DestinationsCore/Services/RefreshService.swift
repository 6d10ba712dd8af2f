import Foundation

/// What the refresh status endpoint reports.
public enum RefreshState: Sendable, Equatable {
    case processing
    case completed
    case failed(String)
}

/// The seed's refresh_objects and refresh_objects_status, without HTTP.
public struct RefreshService: Sendable {
    private let queue: any JobQueue
    private let notifier: any JobNotifier
    private let maxAttempts: Int
    private let clock: any WallClock

    public init(queue: any JobQueue, notifier: any JobNotifier, maxAttempts: Int, clock: any WallClock) {
        self.queue = queue
        self.notifier = notifier
        self.maxAttempts = maxAttempts
        self.clock = clock
    }

    /// Queues a refresh of the destination's objects, or joins the one already queued or running.
    public func refresh(_ principal: Principal, _ id: DestinationID) async throws -> JobID {
        guard
            let job = try await queue.enqueue(
                NewJob(kind: .refreshObjects, maxAttempts: maxAttempts),
                workspace: principal.workspaceID,
                destination: id,
                now: clock.now()
            )
        else { throw APIError.destinationNotFound }
        notifier.jobQueued()
        return job
    }

    public func status(_ principal: Principal, _ id: DestinationID, key: Int64) async throws -> RefreshState {
        guard
            let job = try await queue.job(JobID(key), workspace: principal.workspaceID, destination: id),
            job.kind == .refreshObjects
        else {
            throw APIError.notFound("No refresh with refresh_key \(key) for this destination")
        }
        switch job.status {
        case .queued, .running: return .processing
        case .completed: return .completed
        case .failed: return .failed(job.message ?? "The refresh failed")
        }
    }
}
