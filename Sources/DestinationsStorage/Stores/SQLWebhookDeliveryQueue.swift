import DestinationsCore
import Foundation
import SQLKit

/// Webhook deliveries as a durable queue, claimed with leases exactly as jobs are (SKIP LOCKED across
/// PostgreSQL instances), in a table of their own so that deliveries and provider jobs never wait for
/// each other's workers.
public struct SQLWebhookDeliveryQueue: WebhookDeliveryQueue {
    private let database: any Database
    /// How long after it was queued a delivery is still retried.
    private let retryPeriod: TimeInterval

    public init(database: any Database, retryPeriod: TimeInterval) {
        self.database = database
        self.retryPeriod = retryPeriod
    }

    public func claim(worker: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [WebhookDeliveryLease] {
        let dialect = database.dialect
        let rows = try await database.writeStatement { db in
            try await db.raw(
                """
                UPDATE webhook_deliveries SET status = 'delivering', attempts = attempts + 1, locked_by = \(bind: worker),
                    locked_until = \(bind: leaseUntil.millisecondsSince1970)
                WHERE id IN (
                    SELECT id FROM webhook_deliveries
                    WHERE status = 'pending' AND next_attempt_at <= \(bind: now.millisecondsSince1970)
                    ORDER BY next_attempt_at, id LIMIT \(bind: limit) \(unsafeRaw: dialect.skipLockedClause)
                ) AND status = 'pending'
                RETURNING id, webhook_id, event_id, attempts, created_at
                """
            ).all()
        }
        guard !rows.isEmpty else { return [] }
        // What the sends need, read after the claim's write so the single writer is held briefly.
        return try await database.read { db in
            let events = try rows.map { try $0.decode(column: "event_id", as: Int64.self) }
            let webhooks = try rows.map { try $0.decode(column: "webhook_id", as: Int64.self) }
            var payloads: [Int64: (uuid: UUID, payload: [String: JSONValue])] = [:]
            for row in try await db.select().columns("id", "uuid", "payload").from("webhook_events").where("id", .in, Set(events).sorted()).all() {
                let uuid = try row.decode(column: "uuid", as: String.self)
                guard let id = UUID(uuidString: uuid) else { throw StorageError.unknownValue(column: "webhook_events.uuid", uuid) }
                payloads[try row.decode(column: "id", as: Int64.self)] = (
                    id, try WebhookOutbox.decodeObject(try row.decode(column: "payload", as: String.self))
                )
            }
            var targets: [Int64: (endpoint: URL, secrets: [SealedSecret])] = [:]
            let columns = ["id", "endpoint", "secret_key_id", "secret", "previous_secret_key_id", "previous_secret", "previous_secret_expires_at"]
            for row in try await db.select().columns(columns).from("webhooks").where("id", .in, Set(webhooks).sorted()).all() {
                let endpoint = try row.decode(column: "endpoint", as: String.self)
                guard let url = URL(string: endpoint) else { throw StorageError.unknownValue(column: "webhooks.endpoint", endpoint) }
                var secrets = [
                    SealedSecret(
                        keyID: try row.decode(column: "secret_key_id", as: String.self),
                        ciphertext: try row.decode(column: "secret", as: Data.self)
                    )
                ]
                if let until = try row.decode(column: "previous_secret_expires_at", as: Int64?.self), until > now.millisecondsSince1970,
                    let keyID = try row.decode(column: "previous_secret_key_id", as: String?.self),
                    let previous = try row.decode(column: "previous_secret", as: Data?.self)
                {
                    secrets.append(SealedSecret(keyID: keyID, ciphertext: previous))
                }
                targets[try row.decode(column: "id", as: Int64.self)] = (url, secrets)
            }
            return try rows.compactMap { row in
                let webhook = try row.decode(column: "webhook_id", as: Int64.self)
                // A webhook deleted since the claim took its deliveries with it.
                guard let target = targets[webhook], let event = payloads[try row.decode(column: "event_id", as: Int64.self)] else { return nil }
                let created = Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
                return WebhookDeliveryLease(
                    id: WebhookDeliveryID(try row.decode(column: "id", as: Int64.self)),
                    webhookID: WebhookID(webhook),
                    endpoint: target.endpoint,
                    payload: event.payload,
                    eventID: event.uuid,
                    attempt: try row.decode(column: "attempts", as: Int.self),
                    retryUntil: created.addingTimeInterval(retryPeriod),
                    secrets: target.secrets,
                    worker: worker
                )
            }
        }
    }

    public func finish(_ lease: WebhookDeliveryLease, attempt: WebhookAttempt, outcome: WebhookAttemptOutcome) async throws -> Bool {
        try await database.write { db in
            var update = db.update("webhook_deliveries")
                .set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null)
            switch outcome {
            case .succeeded, .failed:
                let status: WebhookDeliveryStatus = outcome == .succeeded ? .succeeded : .failed
                update = update.set("status", to: status.rawValue)
                    .set("next_attempt_at", to: SQLLiteral.null)
                    .set("finished_at", to: attempt.attemptedAt.millisecondsSince1970 + attempt.durationMilliseconds)
            case .retry(let at):
                update = update.set("status", to: WebhookDeliveryStatus.pending.rawValue).set("next_attempt_at", to: at.millisecondsSince1970)
            }
            let held =
                try await update
                .where("id", .equal, lease.id.rawValue)
                .where("status", .equal, WebhookDeliveryStatus.delivering.rawValue)
                .where("locked_by", .equal, lease.worker)
                .returning("id")
                .first() != nil
            // An attempt is logged even when the lease was lost: it was made.
            try await db.insert(into: "webhook_attempts")
                .columns("delivery_id", "attempted_at", "status_code", "duration_ms", "error")
                .values(
                    SQLBind(lease.id.rawValue),
                    SQLBind(attempt.attemptedAt.millisecondsSince1970),
                    SQLBind(attempt.statusCode),
                    SQLBind(attempt.durationMilliseconds),
                    SQLBind(attempt.error)
                )
                .run()
            return held
        }
    }

    public func release(_ lease: WebhookDeliveryLease, now: Date) async throws {
        try await database.writeStatement { db in
            try await db.update("webhook_deliveries")
                .set("status", to: WebhookDeliveryStatus.pending.rawValue)
                .set("attempts", to: SQLRaw("attempts - 1"))
                .set("next_attempt_at", to: now.millisecondsSince1970)
                .set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null)
                .where("id", .equal, lease.id.rawValue)
                .where("status", .equal, WebhookDeliveryStatus.delivering.rawValue)
                .where("locked_by", .equal, lease.worker)
                .run()
        }
    }

    /// The attempt a stopped worker was making may have reached the receiver: sending again is what makes
    /// delivery at least once, and the event id lets the receiver drop the duplicate.
    public func requeueExpired(now: Date) async throws -> Int {
        try await database.writeStatement { db in
            try await db.raw(
                """
                UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = \(bind: now.millisecondsSince1970),
                    locked_by = NULL, locked_until = NULL
                WHERE status = 'delivering' AND locked_until < \(bind: now.millisecondsSince1970)
                RETURNING id
                """
            ).all().count
        }
    }

    public func purgeFinished(before cutoff: Date) async throws -> Int {
        try await database.write { db in
            let purged = try await db.delete(from: "webhook_deliveries")
                .where("status", .in, [WebhookDeliveryStatus.succeeded.rawValue, WebhookDeliveryStatus.failed.rawValue])
                .where("finished_at", .lessThan, cutoff.millisecondsSince1970)
                .returning("id")
                .all()
                .count
            // Events outlive their deliveries only while a webhook's deletion left them behind, or until now.
            try await db.raw(
                """
                DELETE FROM webhook_events WHERE created_at < \(bind: cutoff.millisecondsSince1970)
                    AND NOT EXISTS (SELECT 1 FROM webhook_deliveries WHERE webhook_deliveries.event_id = webhook_events.id)
                """
            ).run()
            return purged
        }
    }

    public func backlog(now: Date) async throws -> (oldestAge: Double, due: Int) {
        try await database.read { db in
            let row = try await db.select()
                .column(SQLFunction("MIN", args: SQLColumn("next_attempt_at")), as: "oldest")
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "due")
                .from("webhook_deliveries")
                .where("status", .equal, WebhookDeliveryStatus.pending.rawValue)
                .where("next_attempt_at", .lessThanOrEqual, now.millisecondsSince1970)
                .first()
            guard let row, let oldest = try row.decode(column: "oldest", as: Int64?.self) else { return (0, 0) }
            return (max(0, Double(now.millisecondsSince1970 - oldest) / 1000), try row.decode(column: "due", as: Int.self))
        }
    }
}
