import Foundation

/// Runs one claimed job to its outcome: asks the destination's service, then completes, retries or
/// fails the job through the queue. Plain Swift, so it is tested without HTTP servers or workers.
public struct JobRunner: Sendable {
    public enum Outcome: Sendable, Equatable {
        case completed
        case retrying(after: Double, message: String)
        case failed(String)
        /// The lease was lost (another worker owns the job now); nothing was written.
        case abandoned
    }

    private let queue: any JobQueue
    private let destinations: any DestinationStore
    private let connectors: ConnectorRegistry
    private let secretBox: any SecretBox
    private let calls: ProviderCalls
    private let tokens: TokenRefresher
    private let retry: RetryPolicy
    private let telemetry: any Telemetry
    private let clock: any WallClock

    public init(
        queue: any JobQueue,
        destinations: any DestinationStore,
        connectors: ConnectorRegistry,
        secretBox: any SecretBox,
        http: any ProviderHTTP,
        tokens: TokenRefresher,
        baseURLOverrides: [String: URL],
        retry: RetryPolicy,
        telemetry: any Telemetry = NoTelemetry(),
        clock: any WallClock
    ) {
        self.queue = queue
        self.destinations = destinations
        self.connectors = connectors
        self.secretBox = secretBox
        self.calls = ProviderCalls(http: http, baseURLOverrides: baseURLOverrides, telemetry: telemetry)
        self.tokens = tokens
        self.retry = retry
        self.telemetry = telemetry
        self.clock = clock
    }

    public func run(_ lease: JobLease) async throws -> Outcome {
        let started = ContinuousClock.now
        var connector = "unknown"
        let outcome = try await attempt(lease, connector: &connector)
        telemetry.jobRun(kind: lease.job.kind, connector: connector, outcome: outcome.label, seconds: (ContinuousClock.now - started).seconds)
        return outcome
    }

    private func attempt(_ lease: JobLease, connector: inout String) async throws -> Outcome {
        let job = lease.job
        do {
            let result = try await perform(job, connector: &connector)
            return try await queue.complete(lease, with: result, now: clock.now()) ? .completed : .abandoned
        } catch let failure as ProviderFailure {
            // A call cut short by shutdown is not the provider's failure: the job goes back as it was.
            try Task.checkCancellation()
            return try await settle(lease, failure)
        } catch is DecodingError {
            return try await settle(lease, .unexpectedShape)
        }
    }

    private func perform(_ job: Job, connector type: inout String) async throws -> JobResult {
        switch job.kind {
        case .refreshObjects:
            let (connector, context) = try await prepare(job)
            type = connector.declaration.serviceName
            return .objects(try await connector.discoverObjects(context))
        case .refreshFields:
            let (connector, context) = try await prepare(job)
            type = connector.declaration.serviceName
            return .fields(object: job.payload, try await connector.discoverFields(of: job.payload, context))
        case .connectionTest:
            // A test reports what fails, credentials that cannot be used included; it does not retry.
            let steps: [ConnectionTestStep]
            do {
                let (connector, context) = try await prepare(job)
                type = connector.declaration.serviceName
                steps = try await connector.testConnection(context)
            } catch let failure as ProviderFailure {
                try Task.checkCancellation()
                steps = [ConnectionTestStep(step: "Use the stored credentials", status: .failed, errorMessage: failure.message)]
            }
            return .test(ConnectionTestResult(steps: steps, testedAt: clock.now()))
        }
    }

    private func prepare(_ job: Job) async throws -> (any Connector, ConnectorContext) {
        guard let stored = try await destinations.stored(workspace: job.workspaceID, id: job.destinationID) else {
            throw ProviderFailure.permanent("The destination no longer exists")
        }
        guard let connector = connectors[stored.destination.type] else {
            throw ProviderFailure.permanent("This server no longer supports destinations of type \(stored.destination.type)")
        }
        let sealed: [String: JSONValue]
        do {
            sealed = try secretBox.openObject(stored.secrets)
        } catch {
            throw ProviderFailure.permanent("The destination's credentials cannot be decrypted with the configured keys: \(error)")
        }
        let secrets = try await tokens.freshSecrets(stored, sealed)
        let context = calls.context(type: stored.destination.type, details: stored.destination.connectionDetails, secrets: secrets)
        return (connector, context)
    }

    private func settle(_ lease: JobLease, _ failure: ProviderFailure) async throws -> Outcome {
        let now = clock.now()
        switch failure {
        case .transient(let message, let retryAfter) where lease.job.attempts < lease.job.maxAttempts:
            let delay = retry.delay(afterAttempt: lease.job.attempts, retryAfter: retryAfter)
            let kept = try await queue.retry(lease, runAt: now.addingTimeInterval(delay), message: message, now: now)
            return kept ? .retrying(after: delay, message: message) : .abandoned
        case .transient(let message, _):
            let final = "\(message) (gave up after \(lease.job.attempts) attempts)"
            return try await queue.fail(lease, message: final, now: now) ? .failed(final) : .abandoned
        case .permanent(let message):
            return try await queue.fail(lease, message: message, now: now) ? .failed(message) : .abandoned
        }
    }
}

extension JobRunner.Outcome {
    /// The outcome's name, as metrics label it.
    var label: String {
        switch self {
        case .completed: "completed"
        case .retrying: "retrying"
        case .failed: "failed"
        case .abandoned: "abandoned"
        }
    }
}
