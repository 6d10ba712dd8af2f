import Foundation
import Testing

@testable import DestinationsCore

/// Which changes and job endings announce which events, with what, and how an attempt's answer is judged.
@Suite("Webhook events and attempts")
struct WebhookEventTests {
    let now = Date(timeIntervalSince1970: 1_800_000_000)
    let workspace = WorkspaceID(3)
    let destination = DestinationID(9)

    func record(_ action: AuditAction, outcome: String? = nil, link: ConnectLinkID? = nil, fields: [String] = []) -> AuditRecord {
        AuditRecord(
            workspaceID: workspace,
            actorTokenID: TokenID(1),
            action: action,
            destinationID: destination,
            connectLinkID: link,
            changedFields: fields,
            secretsFingerprint: "fingerprint",
            outcome: outcome,
            at: now
        )
    }

    @Test func auditedChangesAnnounceTheirEvents() throws {
        let expected: [(AuditRecord, WebhookEventName?)] = [
            (record(.destinationCreated), .destinationCreated),
            (record(.destinationUpdated, fields: ["name"]), .destinationUpdated),
            (record(.destinationDeleted), .destinationDeleted),
            (record(.oauthRefresh, outcome: OAuthRefreshOutcome.reauthorizationRequired.rawValue), .reauthorizationRequired),
            (record(.oauthRefresh, outcome: OAuthRefreshOutcome.refreshed.rawValue), nil),
            (record(.oauthAuthorized), nil),
            (record(.connectLinkUsed, link: ConnectLinkID(4)), .connectLinkUsed),
            (record(.connectLinkCreated, link: ConnectLinkID(4)), nil),
            (record(.tokenCreated), nil),
        ]
        for (record, name) in expected {
            let event = WebhookEvent(record)
            #expect(event?.name == name, "\(record.action)")
            guard let event else { continue }
            let payload = event.payload
            #expect(payload["event"] == .string(name?.rawValue ?? ""))
            #expect(payload["workspace_id"] == .integer(3))
            #expect(payload["destination_id"] == .integer(9))
            #expect(payload["event_id"] == .string(event.id.uuidString.lowercased()))
            #expect(payload["created_at"] == .string("2027-01-15T08:00:00.000Z"))
            // Audit details that are not the receiver's business stay out.
            #expect(!"\(payload)".contains("fingerprint"))
        }
        #expect(
            WebhookEvent(record(.destinationUpdated, fields: ["name", "credentials.api_key"]))?.details["changed_fields"]
                == .array([.string("name"), .string("credentials.api_key")])
        )
        #expect(WebhookEvent(record(.connectLinkUsed, link: ConnectLinkID(4)))?.details["connect_link_id"] == .integer(4))
    }

    func job(_ kind: JobKind, payload: String = "") -> Job {
        Job(
            id: JobID(7),
            kind: kind,
            workspaceID: workspace,
            destinationID: destination,
            destinationType: "braze",
            payload: payload,
            status: .running,
            attempts: 1,
            maxAttempts: 3,
            runAt: now,
            message: nil,
            createdAt: now,
            startedAt: now,
            finishedAt: nil
        )
    }

    @Test func finishedJobsAnnounceTheirOutcome() {
        let objects = WebhookEvent(
            finished: job(.refreshObjects),
            result: .objects([DestinationObject(label: "User", fullName: "user", allowCustomFields: false, allowCaseSensitiveFieldNames: false)]),
            failure: nil,
            at: now
        )
        #expect(objects.name == .refreshObjectsCompleted)
        #expect(objects.details["object_count"] == .integer(1))
        #expect(objects.details["job_id"] == .integer(7))
        let failed = WebhookEvent(finished: job(.refreshObjects), result: nil, failure: "Braze refused the key", at: now)
        #expect(failed.name == .refreshObjectsFailed)
        #expect(failed.details["message"] == .string("Braze refused the key"))
        let fields = WebhookEvent(finished: job(.refreshFields, payload: "user"), result: .fields(object: "user", []), failure: nil, at: now)
        #expect(fields.name == .refreshFieldsCompleted)
        #expect(fields.details["object"] == .string("user"))
        #expect(WebhookEvent(finished: job(.refreshFields, payload: "user"), result: nil, failure: "gone", at: now).name == .refreshFieldsFailed)

        let passed = ConnectionTestResult(steps: [ConnectionTestStep(step: "Authenticate", status: .passed)], testedAt: now)
        let test = WebhookEvent(finished: job(.connectionTest), result: .test(passed), failure: nil, at: now)
        #expect(test.name == .testCompleted)
        #expect(test.details["test_succeeded"] == .bool(true))
        #expect(test.details["steps"] == .array([.object(["step": .string("Authenticate"), "status": .string("passed")])]))
        let refused = ConnectionTestResult(
            steps: [
                ConnectionTestStep(step: "Authenticate", status: .failed, errorMessage: "401"), ConnectionTestStep(step: "Read", status: .skipped),
            ],
            testedAt: now
        )
        #expect(WebhookEvent(finished: job(.connectionTest), result: .test(refused), failure: nil, at: now).details["test_succeeded"] == .bool(false))
        let unfinished = WebhookEvent(finished: job(.connectionTest), result: nil, failure: "timed out", at: now)
        #expect(unfinished.name == .testCompleted)
        #expect(unfinished.details["test_succeeded"] == .bool(false))
    }

    struct Answering: ProviderHTTP {
        let answer: @Sendable () throws -> ProviderResponse
        func send(_ request: ProviderRequest) async throws -> ProviderResponse { try answer() }
    }

    struct FixedClock: WallClock {
        let date: Date
        func now() -> Date { date }
    }

    func outcome(retryUntil: TimeInterval = 3_600, _ answer: @escaping @Sendable () throws -> ProviderResponse) async throws -> WebhookAttemptOutcome
    {
        let box = AESGCMSecretBox(current: EncryptionKey.generate().key)
        let sender = WebhookSender(
            http: Answering(answer: answer),
            secretBox: box,
            retry: RetryPolicy(maxAttempts: .max, baseDelay: 4, maxDelay: 3_600, jitter: { 1 }),
            clock: FixedClock(date: now)
        )
        let lease = WebhookDeliveryLease(
            id: WebhookDeliveryID(1),
            webhookID: WebhookID(1),
            endpoint: URL(string: "https://receiver.test/hook")!,
            payload: ["event": .string("destination.created")],
            eventID: UUID(),
            attempt: 2,
            retryUntil: now.addingTimeInterval(retryUntil),
            secrets: [try box.seal(Data("whsec_a".utf8))],
            worker: "w"
        )
        return await sender.send(lease).1
    }

    @Test func anAttemptIsJudgedByItsAnswer() async throws {
        func status(_ code: Int, _ headers: [String: String] = [:]) -> @Sendable () throws -> ProviderResponse {
            { ProviderResponse(status: code, headers: headers, body: Data()) }
        }
        #expect(try await outcome(status(200)) == .succeeded)
        #expect(try await outcome(status(204)) == .succeeded)
        // The second attempt waits 4 s doubled; a Retry-After wins.
        #expect(try await outcome(status(500)) == .retry(at: now.addingTimeInterval(8)))
        #expect(try await outcome(status(408)) == .retry(at: now.addingTimeInterval(8)))
        #expect(try await outcome(status(429, ["retry-after": "30"])) == .retry(at: now.addingTimeInterval(30)))
        #expect(try await outcome(status(301)) == .failed)
        #expect(try await outcome(status(404)) == .failed)
        #expect(try await outcome { throw ProviderFailure.transient("timed out") } == .retry(at: now.addingTimeInterval(8)))
        #expect(try await outcome { throw ProviderFailure.permanent("Refusing to call 10.0.0.1") } == .failed)
        // Past the retry period, a failure that would be retried fails for good.
        #expect(try await outcome(retryUntil: 5, status(503)) == .failed)
    }
}
