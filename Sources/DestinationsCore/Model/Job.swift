import Foundation

/// What a background job does.
public enum JobKind: String, Sendable, Hashable, CaseIterable {
    /// Ask the destination's service which objects it offers now, and store them.
    case refreshObjects = "refresh_objects"
    /// Ask which fields one object has (the payload names it), and store them.
    case refreshFields = "refresh_fields"
    /// Check the credentials with a cheap authenticated call, and record the outcome on the destination.
    case connectionTest = "connection_test"
}

/// What a finished job leaves behind.
public enum JobResult: Sendable, Hashable {
    case objects([DestinationObject])
    case fields(object: String, [ObjectField])
    case test(ConnectionTestResult)
}

public enum JobStatus: String, Sendable, Hashable, CaseIterable {
    case queued
    case running
    case completed
    case failed
}

/// A unit of background work, stored in the database so it survives the process.
public struct Job: Sendable, Hashable {
    public var id: JobID
    public var kind: JobKind
    public var workspaceID: WorkspaceID
    public var destinationID: DestinationID
    /// The destination's type: whose provider the job calls.
    public var destinationType: String
    /// What the job is about within the destination (the object of a fields refresh); empty otherwise.
    public var payload: String
    public var status: JobStatus
    /// Attempts started so far, the current one included.
    public var attempts: Int
    public var maxAttempts: Int
    public var runAt: Date
    /// The failure's message, in words a user can act on.
    public var message: String?
    /// A completed connection test's outcome.
    public var testResult: ConnectionTestResult?
    public var createdAt: Date
    /// When a worker first claimed it.
    public var startedAt: Date?
    public var finishedAt: Date?

    public init(
        id: JobID,
        kind: JobKind,
        workspaceID: WorkspaceID,
        destinationID: DestinationID,
        destinationType: String,
        payload: String = "",
        status: JobStatus,
        attempts: Int,
        maxAttempts: Int,
        runAt: Date,
        message: String?,
        testResult: ConnectionTestResult? = nil,
        createdAt: Date,
        startedAt: Date?,
        finishedAt: Date?
    ) {
        self.id = id
        self.kind = kind
        self.workspaceID = workspaceID
        self.destinationID = destinationID
        self.destinationType = destinationType
        self.payload = payload
        self.status = status
        self.attempts = attempts
        self.maxAttempts = maxAttempts
        self.runAt = runAt
        self.message = message
        self.testResult = testResult
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
    }
}

/// A job a worker holds: only the holder of the current lease may finish it, so a worker that lost
/// its lease (it stalled, and another worker took the job over) cannot overwrite the newer result.
public struct JobLease: Sendable, Hashable {
    public var job: Job
    public var worker: String

    public init(job: Job, worker: String) {
        self.job = job
        self.worker = worker
    }
}

/// A job to queue: for a destination, with the attempts it may take.
public struct NewJob: Sendable, Hashable {
    public var kind: JobKind
    public var payload: String
    public var maxAttempts: Int

    public init(kind: JobKind, payload: String = "", maxAttempts: Int) {
        self.kind = kind
        self.payload = payload
        self.maxAttempts = maxAttempts
    }
}
