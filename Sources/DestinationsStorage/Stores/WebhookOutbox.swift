import DestinationsCore
import Foundation
import SQLKit

/// Records webhook events in the transaction of the change that causes them, with a delivery for each
/// webhook subscribed: the change and its announcement commit together or not at all, and the delivery
/// workers find them in the table whichever instance made them. A workspace with no webhook pays one
/// indexed read.
enum WebhookOutbox {
    static func record(_ events: [WebhookEvent], in db: any SQLDatabase) async throws {
        guard !events.isEmpty else { return }
        let rows = try await db.select()
            .columns("id", "workspace_id", "events")
            .from("webhooks")
            .where("workspace_id", .in, Set(events.map(\.workspaceID.rawValue)).sorted())
            .all()
        guard !rows.isEmpty else { return }
        var subscribers: [(webhook: Int64, workspace: WorkspaceID, events: Set<String>)] = []
        for row in rows {
            subscribers.append(
                (
                    try row.decode(column: "id", as: Int64.self),
                    WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
                    Set(try decodeEvents(try row.decode(column: "events", as: String.self)))
                )
            )
        }
        for event in events {
            let webhooks = subscribers.filter { $0.workspace == event.workspaceID && $0.events.contains(event.name.rawValue) }.map(\.webhook)
            guard !webhooks.isEmpty else { continue }
            let eventID = try await insert(event, in: db)
            try await insertDeliveries(of: eventID, to: webhooks, now: event.at, in: db)
        }
    }

    static func insert(_ event: WebhookEvent, in db: any SQLDatabase) async throws -> Int64 {
        let id = try await db.insert(into: "webhook_events")
            .columns("uuid", "workspace_id", "event", "payload", "created_at")
            .values(
                SQLBind(event.id.uuidString.lowercased()),
                SQLBind(event.workspaceID.rawValue),
                SQLBind(event.name.rawValue),
                SQLBind(try encode(.object(event.payload))),
                SQLBind(event.at.millisecondsSince1970)
            )
            .returning("id")
            .first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StorageError.missingGeneratedID }
        return id
    }

    /// Deliveries due at once; returns the first's id.
    @discardableResult
    static func insertDeliveries(of event: Int64, to webhooks: [Int64], now: Date, in db: any SQLDatabase) async throws -> Int64? {
        var insert = db.insert(into: "webhook_deliveries").columns("webhook_id", "event_id", "status", "next_attempt_at", "created_at")
        for webhook in webhooks {
            insert = insert.values(
                SQLBind(webhook),
                SQLBind(event),
                SQLBind(WebhookDeliveryStatus.pending.rawValue),
                SQLBind(now.millisecondsSince1970),
                SQLBind(now.millisecondsSince1970)
            )
        }
        return try await insert.returning("id").first(decodingColumn: "id", as: Int64.self)
    }

    static func encode(_ value: JSONValue) throws -> String {
        String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
    }

    static func decodeObject(_ text: String) throws -> [String: JSONValue] {
        guard let object = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8)).objectValue else {
            throw StorageError.unknownValue(column: "webhook_events.payload", text)
        }
        return object
    }

    static func decodeEvents(_ text: String) throws -> [String] {
        try JSONDecoder().decode([String].self, from: Data(text.utf8))
    }
}
