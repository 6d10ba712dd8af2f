import DestinationsCore
import Foundation

/// Records what the service queues after the fact (the jobs queued with an insert are the store's).
actor RecordingJobs: JobEnqueuing {
    private(set) var queued: [(kind: JobKind, destination: DestinationID)] = []

    func enqueue(_ job: NewJob, workspace: WorkspaceID, destination: DestinationID, now: Date) async throws -> JobID? {
        queued.append((job.kind, destination))
        return JobID(Int64(queued.count))
    }
}
