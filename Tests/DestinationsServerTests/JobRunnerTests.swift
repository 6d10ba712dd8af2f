import DestinationsConnectors
import DestinationsCore
import DestinationsStorage
import Foundation
import TestSupport
import Testing

@testable import DestinationsServer

/// The runner's retry decisions, read off the queue with a fixed clock.
@Suite("Job runner")
struct JobRunnerTests {
    struct FixedClock: WallClock {
        let instant: Date
        func now() -> Date { instant }
    }

    @Test(arguments: TestBackend.all)
    func aRetryAfterFromTheProviderSetsTheNextRun(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", "/catalogs", replies: [.json(#"{"message": "slow down"}"#, status: 429, headers: ["Retry-After": "7"])])
            let id = try await session.insertDestination(
                type: "braze",
                details: ["instance_url": .string(session.fake.baseURL.absoluteString)],
                secrets: ["api_key": "k"]
            )
            let (runner, queue, lease, now) = try await Self.claimed(session, destination: id)
            #expect(try await runner.run(lease) == .retrying(after: 7, message: "Braze asked us to slow down (HTTP 429): slow down"))
            let job = try await queue.job(lease.job.id, workspace: lease.job.workspaceID, destination: lease.job.destinationID)
            #expect(job?.status == .queued)
            #expect(job?.runAt == now.addingTimeInterval(7))
        }
    }

    @Test func withoutRetryAfterTheDelayGrowsExponentiallyWithJitter() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 2, maxDelay: 300, jitter: { 1 })
        #expect((1...5).map { policy.delay(afterAttempt: $0, retryAfter: nil) } == [2, 4, 8, 16, 32])
        #expect(policy.delay(afterAttempt: 20, retryAfter: nil) == 300)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 10_000) == 300)
        let jittered = RetryPolicy(baseDelay: 2, jitter: { 0.5 })
        #expect(jittered.delay(afterAttempt: 3, retryAfter: nil) == 4)
    }

    @Test(arguments: TestBackend.all)
    func theLastAttemptFailsInsteadOfRetrying(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", "/catalogs", replies: [.json("{}", status: 502)])
            let id = try await session.insertDestination(
                type: "braze",
                details: ["instance_url": .string(session.fake.baseURL.absoluteString)],
                secrets: ["api_key": "k"]
            )
            let (runner, _, lease, _) = try await Self.claimed(session, destination: id, maxAttempts: 1)
            guard case .failed(let message) = try await runner.run(lease) else {
                Issue.record("retried")
                return
            }
            #expect(message.contains("HTTP 502"))
            #expect(message.contains("gave up after 1 attempts"))
        }
    }

    /// A job for the destination, claimed by a runner of our own whose clock stands still.
    static func claimed(_ session: Session, destination: Int64, maxAttempts: Int = 5) async throws -> (JobRunner, any JobQueue, JobLease, Date) {
        let now = Date(timeIntervalSince1970: 4_000_000_000)
        let environment = session.environment
        let principal = try await environment.access.authenticate(token: session.token).workspacePrincipal()
        let queue = environment.jobQueue
        _ = try await queue.enqueue(
            NewJob(kind: .refreshObjects, maxAttempts: maxAttempts),
            workspace: principal.workspaceID,
            destination: DestinationID(destination),
            now: now
        )
        // A worker name of its own, claimed at a time the server's worker never reaches.
        guard let lease = try await queue.claim(worker: "test-runner", now: now, leaseUntil: now.addingTimeInterval(60)) else {
            throw TestFailure("nothing to claim")
        }
        let runner = JobRunner(
            queue: queue,
            destinations: SQLDestinationStore(database: environment.database),
            connectors: Catalog.registry,
            secretBox: AESGCMSecretBox(current: try EncryptionKey(base64: try environment.settings.encryptionBase64())),
            http: environment.providerHTTP,
            // Braze has no OAuth tokens to refresh: the server's own refresher is never asked.
            tokens: environment.tokenRefresher,
            baseURLOverrides: [:],
            retry: RetryPolicy(maxAttempts: maxAttempts, baseDelay: 1, jitter: { 1 }),
            clock: FixedClock(instant: now)
        )
        return (runner, queue, lease, now)
    }
}
