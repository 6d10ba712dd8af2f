import Foundation

public struct WebhookID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

public struct WebhookDeliveryID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// An endpoint told of a workspace's events. Its signing secrets are sealed like credentials.
public struct Webhook: Sendable, Hashable {
    public var id: WebhookID
    public var workspaceID: WorkspaceID
    public var name: String
    public var description: String?
    public var events: [WebhookEventName]
    public var endpoint: URL
    public var createdAt: Date
    public var updatedAt: Date
    /// Until when the secret before the latest rotation still signs, beside the current one.
    public var previousSecretExpiresAt: Date?

    public init(
        id: WebhookID,
        workspaceID: WorkspaceID,
        name: String,
        description: String?,
        events: [WebhookEventName],
        endpoint: URL,
        createdAt: Date,
        updatedAt: Date,
        previousSecretExpiresAt: Date?
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.name = name
        self.description = description
        self.events = events
        self.endpoint = endpoint
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.previousSecretExpiresAt = previousSecretExpiresAt
    }
}

/// A webhook with the secret it was just given: the only time the secret is shown.
public struct WebhookWithSecret: Sendable, Hashable {
    public var webhook: Webhook
    public var secret: String
}

/// What a webhook is about to become, once checked; its secret is made and sealed by the service.
public struct WebhookDraft: Sendable, Hashable {
    public var name: String
    public var description: String?
    public var events: [WebhookEventName]
    public var endpoint: URL

    public init(name: String, description: String?, events: [WebhookEventName], endpoint: URL) {
        self.name = name
        self.description = description
        self.events = events
        self.endpoint = endpoint
    }
}

public enum WebhookDeliveryStatus: String, Sendable, Hashable, CaseIterable {
    /// Waiting for its first attempt or its next.
    case pending
    /// A worker is sending it now.
    case delivering
    case succeeded
    /// Refused for good (a 4xx other than 408 and 429), or still failing when its retry period ended.
    case failed
}

/// One try at sending an event.
public struct WebhookAttempt: Sendable, Hashable {
    public var attemptedAt: Date
    /// The receiver's answer; nil when none came (timeout, refused connection).
    public var statusCode: Int?
    public var durationMilliseconds: Int64
    /// Why it did not succeed, in words: never the request.
    public var error: String?

    public init(attemptedAt: Date, statusCode: Int?, durationMilliseconds: Int64, error: String?) {
        self.attemptedAt = attemptedAt
        self.statusCode = statusCode
        self.durationMilliseconds = durationMilliseconds
        self.error = error
    }
}

/// One event on its way to one webhook, with every attempt so far.
public struct WebhookDelivery: Sendable, Hashable {
    public var id: WebhookDeliveryID
    public var webhookID: WebhookID
    public var eventID: UUID
    public var event: WebhookEventName
    public var status: WebhookDeliveryStatus
    public var attempts: [WebhookAttempt]
    public var nextAttemptAt: Date?
    public var createdAt: Date
    public var finishedAt: Date?
    /// The body as sent, less the timestamp each attempt adds.
    public var payload: [String: JSONValue]

    public init(
        id: WebhookDeliveryID,
        webhookID: WebhookID,
        eventID: UUID,
        event: WebhookEventName,
        status: WebhookDeliveryStatus,
        attempts: [WebhookAttempt],
        nextAttemptAt: Date?,
        createdAt: Date,
        finishedAt: Date?,
        payload: [String: JSONValue]
    ) {
        self.id = id
        self.webhookID = webhookID
        self.eventID = eventID
        self.event = event
        self.status = status
        self.attempts = attempts
        self.nextAttemptAt = nextAttemptAt
        self.createdAt = createdAt
        self.finishedAt = finishedAt
        self.payload = payload
    }
}

/// A delivery a worker holds, with what it needs to send it: the secrets that sign now.
public struct WebhookDeliveryLease: Sendable {
    public var id: WebhookDeliveryID
    public var webhookID: WebhookID
    public var endpoint: URL
    public var payload: [String: JSONValue]
    public var eventID: UUID
    /// Attempts started, this one included.
    public var attempt: Int
    /// Until when the delivery is retried; after it, a failed attempt fails it for good.
    public var retryUntil: Date
    public var secrets: [SealedSecret]
    public var worker: String

    public init(
        id: WebhookDeliveryID,
        webhookID: WebhookID,
        endpoint: URL,
        payload: [String: JSONValue],
        eventID: UUID,
        attempt: Int,
        retryUntil: Date,
        secrets: [SealedSecret],
        worker: String
    ) {
        self.id = id
        self.webhookID = webhookID
        self.endpoint = endpoint
        self.payload = payload
        self.eventID = eventID
        self.attempt = attempt
        self.retryUntil = retryUntil
        self.secrets = secrets
        self.worker = worker
    }
}

/// How an attempt ended, as the queue records it.
public enum WebhookAttemptOutcome: Sendable, Hashable {
    case succeeded
    case retry(at: Date)
    case failed
}
