import Foundation

/// Something a webhook may be told, as it is recorded in the transaction of the change that caused it
/// (the outbox) and sent to each subscribed endpoint. Its payload names ids and outcomes, never a secret.
public struct WebhookEvent: Sendable, Hashable {
    /// The same in every delivery of the event, so receivers can drop duplicates.
    public var id: UUID
    public var name: WebhookEventName
    public var workspaceID: WorkspaceID
    public var at: Date
    /// What is particular to the event: the destination's id, a test's outcome, a refresh's message.
    public var details: [String: JSONValue]

    public init(id: UUID = UUID(), name: WebhookEventName, workspaceID: WorkspaceID, at: Date, details: [String: JSONValue]) {
        self.id = id
        self.name = name
        self.workspaceID = workspaceID
        self.at = at
        self.details = details
    }

    /// The body sent, less the `timestamp` each attempt adds: Census's `event` and `workspace_id` beside
    /// the event's own fields.
    public var payload: [String: JSONValue] {
        details.merging(
            [
                "event": .string(name.rawValue),
                "event_id": .string(id.uuidString.lowercased()),
                "created_at": .string(at.formatted(Self.timeFormat)),
                "workspace_id": .integer(workspaceID.rawValue),
            ],
            uniquingKeysWith: { _, common in common }
        )
    }

    static let timeFormat = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
}

extension WebhookEvent {
    /// The event an audited change announces, if any: creates, updates and deletes of destinations, a
    /// token refresh that found the authorisation revoked, a connect link used.
    public init?(_ record: AuditRecord) {
        guard let workspace = record.workspaceID, let destination = record.destinationID else { return nil }
        var details: [String: JSONValue] = ["destination_id": .integer(destination.rawValue)]
        let name: WebhookEventName
        switch record.action {
        case .destinationCreated:
            name = .destinationCreated
        case .destinationUpdated:
            name = .destinationUpdated
            details["changed_fields"] = .array(record.changedFields.map(JSONValue.string))
        case .destinationDeleted:
            name = .destinationDeleted
        case .oauthRefresh where record.outcome == OAuthRefreshOutcome.reauthorizationRequired.rawValue:
            name = .reauthorizationRequired
        case .connectLinkUsed:
            guard let link = record.connectLinkID else { return nil }
            name = .connectLinkUsed
            details["connect_link_id"] = .integer(link.rawValue)
        default:
            return nil
        }
        self.init(name: name, workspaceID: workspace, at: record.at, details: details)
    }

    /// The event a finished job announces: its outcome, and for a test its steps.
    /// - Parameter failure: the job's message when it failed for good; nil when it completed.
    public init(finished job: Job, result: JobResult?, failure: String?, at now: Date) {
        var details: [String: JSONValue] = [
            "destination_id": .integer(job.destinationID.rawValue),
            "job_id": .integer(job.id.rawValue),
        ]
        if let failure { details["message"] = .string(failure) }
        let name: WebhookEventName
        switch job.kind {
        case .refreshObjects:
            name = failure == nil ? .refreshObjectsCompleted : .refreshObjectsFailed
            if case .objects(let objects) = result { details["object_count"] = .integer(Int64(objects.count)) }
        case .refreshFields:
            name = failure == nil ? .refreshFieldsCompleted : .refreshFieldsFailed
            details["object"] = .string(job.payload)
            if case .fields(_, let fields) = result { details["field_count"] = .integer(Int64(fields.count)) }
        case .connectionTest:
            // A test that could not run to the end is a test that did not succeed: it has no failed variant.
            name = .testCompleted
            let test: ConnectionTestResult? = if case .test(let test) = result { test } else { nil }
            details["test_succeeded"] = .bool(failure == nil && test?.succeeded == true)
            details["steps"] = .array((test?.steps ?? []).map(\.json))
        }
        self.init(name: name, workspaceID: job.workspaceID, at: now, details: details)
    }
}

extension ConnectionTestStep {
    /// As the test endpoints show it: `{"step", "status", "error": {"message"}}`.
    var json: JSONValue {
        var step: [String: JSONValue] = ["step": .string(step), "status": .string(status.rawValue)]
        if let errorMessage { step["error"] = .object(["message": .string(errorMessage)]) }
        return .object(step)
    }
}
