import Foundation

/// What a job's status endpoint reports.
public enum JobState: Sendable, Equatable {
    case processing
    /// A connection test's job carries its outcome.
    case completed(test: ConnectionTestResult?)
    case failed(String)
}

/// The asynchronous endpoints without HTTP: queue a refresh, a fields refresh or a connection test, and
/// read how it went.
public struct JobService: Sendable {
    private let queue: any JobQueue
    private let destinations: any DestinationStore
    private let notifier: any JobNotifier
    private let maxAttempts: Int
    private let clock: any WallClock

    public init(queue: any JobQueue, destinations: any DestinationStore, notifier: any JobNotifier, maxAttempts: Int, clock: any WallClock) {
        self.queue = queue
        self.destinations = destinations
        self.notifier = notifier
        self.maxAttempts = maxAttempts
        self.clock = clock
    }

    /// Queues the job, or joins the one of the same kind (and object) already queued or running.
    public func queue(_ kind: JobKind, _ principal: Principal, _ id: DestinationID, object: String? = nil) async throws -> JobID {
        if let object {
            guard try await destinations.object(workspace: principal.workspaceID, id: id, fullName: object) != nil else {
                throw APIError.notFound("No object \(quoted(object)) on this destination")
            }
        }
        guard
            let job = try await queue.enqueue(
                NewJob(kind: kind, payload: object ?? "", maxAttempts: maxAttempts),
                workspace: principal.workspaceID,
                destination: id,
                now: clock.now()
            )
        else { throw APIError.destinationNotFound }
        notifier.jobQueued()
        return job
    }

    /// How the job the key names went; 404 for a key not issued for this destination (and object).
    public func state(_ kind: JobKind, _ principal: Principal, _ id: DestinationID, key: Int64, object: String? = nil) async throws -> JobState {
        guard
            let job = try await queue.job(JobID(key), workspace: principal.workspaceID, destination: id),
            job.kind == kind,
            job.payload == (object ?? "")
        else {
            throw APIError.notFound("No \(kind.noun) with key \(key) for this destination")
        }
        switch job.status {
        case .queued, .running: return .processing
        case .completed: return .completed(test: job.testResult)
        case .failed: return .failed(job.message ?? "The \(kind.noun) failed")
        }
    }
}

extension JobKind {
    var noun: String {
        switch self {
        case .refreshObjects: "refresh"
        case .refreshFields: "fields refresh"
        case .connectionTest: "connection test"
        }
    }
}
