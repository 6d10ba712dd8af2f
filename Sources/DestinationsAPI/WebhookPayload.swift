// Hand-written stand-ins for the webhook schemas of openapi.yaml (see typeOverrides in the generator config),
// with explicit nulls like the rest of the wire format.

package import DestinationsCore
package import Foundation

package typealias WebhookListEnvelope = ListEnvelope<WebhookPayload>
package typealias WebhookDeliveryListEnvelope = ListEnvelope<WebhookDeliveryPayload>

/// A webhook. `secret` is there only in the answers to create and rotate_secret, and left out otherwise.
package struct WebhookPayload: Codable, Hashable, Sendable {
    package var id: Int64
    package var name: String
    package var description: String?
    package var events: [String]
    package var endpoint: String
    package var createdAt: Date
    package var updatedAt: Date
    package var previousSecretExpiresAt: Date?
    package var secret: String?

    /// The webhook as the API shows it; `secret` only where the answer carries it.
    package init(_ webhook: Webhook, secret: String? = nil) {
        id = webhook.id.rawValue
        name = webhook.name
        description = webhook.description
        events = webhook.events.map(\.rawValue)
        endpoint = webhook.endpoint.absoluteString
        createdAt = webhook.createdAt
        updatedAt = webhook.updatedAt
        previousSecretExpiresAt = webhook.previousSecretExpiresAt
        self.secret = secret
    }

    enum CodingKeys: String, CodingKey {
        case id, name, description, events, endpoint, secret
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case previousSecretExpiresAt = "previous_secret_expires_at"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(name, forKey: .name)
        try container.encode(description, forKey: .description)
        try container.encode(events, forKey: .events)
        try container.encode(endpoint, forKey: .endpoint)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(updatedAt, forKey: .updatedAt)
        try container.encode(previousSecretExpiresAt, forKey: .previousSecretExpiresAt)
        try container.encodeIfPresent(secret, forKey: .secret)
    }
}

/// One event's delivery to a webhook, with every attempt so far.
package struct WebhookDeliveryPayload: Codable, Hashable, Sendable {
    package var id: Int64
    package var eventId: String
    package var event: String
    package var status: String
    package var attemptCount: Int
    /// Newest last.
    package var attempts: [WebhookDeliveryAttemptPayload]
    package var nextAttemptAt: Date?
    package var createdAt: Date
    package var finishedAt: Date?
    /// The event as it is sent, without the `timestamp` each attempt adds.
    package var payload: [String: JSONValue]

    package init(_ delivery: WebhookDelivery) {
        id = delivery.id.rawValue
        eventId = delivery.eventID.uuidString.lowercased()
        event = delivery.event.rawValue
        status = delivery.status.rawValue
        attemptCount = delivery.attempts.count
        attempts = delivery.attempts.map(WebhookDeliveryAttemptPayload.init)
        nextAttemptAt = delivery.nextAttemptAt
        createdAt = delivery.createdAt
        finishedAt = delivery.finishedAt
        payload = delivery.payload
    }

    enum CodingKeys: String, CodingKey {
        case id, event, status, attempts, payload
        case eventId = "event_id"
        case attemptCount = "attempt_count"
        case nextAttemptAt = "next_attempt_at"
        case createdAt = "created_at"
        case finishedAt = "finished_at"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(eventId, forKey: .eventId)
        try container.encode(event, forKey: .event)
        try container.encode(status, forKey: .status)
        try container.encode(attemptCount, forKey: .attemptCount)
        try container.encode(attempts, forKey: .attempts)
        try container.encode(nextAttemptAt, forKey: .nextAttemptAt)
        try container.encode(createdAt, forKey: .createdAt)
        try container.encode(finishedAt, forKey: .finishedAt)
        try container.encode(payload, forKey: .payload)
    }
}

/// One attempt of a delivery: `status_code` is null when no answer came, `error` when none went wrong.
package struct WebhookDeliveryAttemptPayload: Codable, Hashable, Sendable {
    package var attemptedAt: Date
    package var statusCode: Int?
    package var durationMs: Int64
    package var error: String?

    package init(_ attempt: WebhookAttempt) {
        attemptedAt = attempt.attemptedAt
        statusCode = attempt.statusCode
        durationMs = attempt.durationMilliseconds
        error = attempt.error
    }

    enum CodingKeys: String, CodingKey {
        case error
        case attemptedAt = "attempted_at"
        case statusCode = "status_code"
        case durationMs = "duration_ms"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(attemptedAt, forKey: .attemptedAt)
        try container.encode(statusCode, forKey: .statusCode)
        try container.encode(durationMs, forKey: .durationMs)
        try container.encode(error, forKey: .error)
    }
}

/// A webhook PATCH: `description` left out keeps it, `null` clears it, which the generated type cannot
/// tell apart.
package struct UpdateWebhookBody: Codable, Hashable, Sendable {
    package var name: String?
    package var description: JSONValue?
    package var events: [String]?
    package var endpoint: String?

    enum CodingKeys: String, CodingKey {
        case name, description, events, endpoint
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name)
        // Present as null is `.null`; decodeIfPresent would make it nil, as if left out.
        description = container.contains(.description) ? try container.decode(JSONValue.self, forKey: .description) : nil
        events = try container.decodeIfPresent([String].self, forKey: .events)
        endpoint = try container.decodeIfPresent(String.self, forKey: .endpoint)
    }
}
