import DestinationsCore
import Foundation
import SQLKit

public struct SQLWebhookStore: WebhookStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    static let columns = [
        "id", "workspace_id", "name", "description", "events", "endpoint", "created_at", "updated_at", "previous_secret_expires_at",
    ]

    public func insert(_ draft: WebhookDraft, secret: SealedSecret, workspace: WorkspaceID, now: Date) async throws -> Webhook {
        let now = now.millisecondsSince1970
        return try await database.writeStatement { db in
            let row = try await db.insert(into: "webhooks")
                .columns("workspace_id", "name", "description", "events", "endpoint", "secret_key_id", "secret", "created_at", "updated_at")
                .values(
                    SQLBind(workspace.rawValue),
                    SQLBind(draft.name),
                    SQLBind(draft.description),
                    SQLBind(try Self.encode(draft.events)),
                    SQLBind(draft.endpoint.absoluteString),
                    SQLBind(secret.keyID),
                    SQLBind(secret.ciphertext),
                    SQLBind(now),
                    SQLBind(now)
                )
                .returning(Self.columns.map { SQLColumn($0) as any SQLExpression })
                .first()
            guard let row else { throw StorageError.missingGeneratedID }
            return try Self.webhook(row)
        }
    }

    public func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<Webhook> {
        try await database.read { db in
            try await db.page(
                request,
                counting: db.select().from("webhooks").where("workspace_id", .equal, workspace.rawValue),
                rows: db.select().columns(Self.columns).from("webhooks").where("workspace_id", .equal, workspace.rawValue),
                orderedBy: creationOrder,
                decode: { try $0.map(Self.webhook) }
            )
        }
    }

    public func webhook(_ id: WebhookID, workspace: WorkspaceID) async throws -> Webhook? {
        try await database.read { db in try await Self.select(id, workspace: workspace, forUpdate: false, in: db) }
    }

    public func update(
        _ id: WebhookID,
        workspace: WorkspaceID,
        now: Date,
        change: @escaping @Sendable (WebhookDraft) throws -> WebhookDraft
    ) async throws -> Webhook? {
        try await database.write { db in
            guard let webhook = try await Self.select(id, workspace: workspace, forUpdate: true, in: db) else { return nil }
            let before = WebhookDraft(name: webhook.name, description: webhook.description, events: webhook.events, endpoint: webhook.endpoint)
            let after = try change(before)
            guard after != before else { return webhook }
            try await db.update("webhooks")
                .set("name", to: after.name)
                .set("description", to: after.description)
                .set("events", to: try Self.encode(after.events))
                .set("endpoint", to: after.endpoint.absoluteString)
                .set("updated_at", to: now.millisecondsSince1970)
                .where("id", .equal, id.rawValue)
                .run()
            return try await Self.select(id, workspace: workspace, forUpdate: false, in: db)
        }
    }

    public func rotate(_ id: WebhookID, workspace: WorkspaceID, secret: SealedSecret, previousUntil: Date, now: Date) async throws -> Webhook? {
        try await database.writeStatement { db in
            try await db.update("webhooks")
                .set("previous_secret_key_id", to: SQLColumn("secret_key_id"))
                .set("previous_secret", to: SQLColumn("secret"))
                .set("previous_secret_expires_at", to: previousUntil.millisecondsSince1970)
                .set("secret_key_id", to: secret.keyID)
                .set("secret", to: secret.ciphertext)
                .set("updated_at", to: now.millisecondsSince1970)
                .where("id", .equal, id.rawValue)
                .where("workspace_id", .equal, workspace.rawValue)
                .returning(Self.columns.map { SQLColumn($0) as any SQLExpression })
                .first()
                .map(Self.webhook)
        }
    }

    public func delete(_ id: WebhookID, workspace: WorkspaceID) async throws -> Bool {
        try await database.writeStatement { db in
            try await db.delete(from: "webhooks")
                .where("id", .equal, id.rawValue)
                .where("workspace_id", .equal, workspace.rawValue)
                .returning("id")
                .first() != nil
        }
    }

    public func deliveries(of id: WebhookID, workspace: WorkspaceID, request: PageRequest) async throws -> Page<WebhookDelivery>? {
        try await database.read { db -> Page<WebhookDelivery>? in
            guard try await Self.select(id, workspace: workspace, forUpdate: false, in: db) != nil else { return nil }
            return try await db.page(
                request,
                counting: db.select().from("webhook_deliveries").where("webhook_id", .equal, id.rawValue),
                rows: Self.selectDeliveries(in: db).where(SQLColumn("webhook_id", table: "d"), .equal, SQLBind(id.rawValue)),
                orderedBy: [SQLColumn("id", table: "d")],
                decode: { try await Self.deliveries($0, in: db) }
            )
        }
    }

    public func redeliver(_ id: WebhookDeliveryID, of webhook: WebhookID, workspace: WorkspaceID, now: Date) async throws -> WebhookDelivery? {
        try await database.write { db -> WebhookDelivery? in
            guard try await Self.select(webhook, workspace: workspace, forUpdate: false, in: db) != nil,
                let event = try await db.select().column("event_id").from("webhook_deliveries")
                    .where("id", .equal, id.rawValue)
                    .where("webhook_id", .equal, webhook.rawValue)
                    .first(decodingColumn: "event_id", as: Int64.self),
                let redelivery = try await WebhookOutbox.insertDeliveries(of: event, to: [webhook.rawValue], now: now, in: db)
            else { return nil }
            let rows = try await Self.selectDeliveries(in: db).where(SQLColumn("id", table: "d"), .equal, SQLBind(redelivery)).all()
            return try await Self.deliveries(rows, in: db).first
        }
    }

    private static func select(_ id: WebhookID, workspace: WorkspaceID, forUpdate: Bool, in db: any SQLDatabase) async throws -> Webhook? {
        var select = db.select().columns(columns).from("webhooks")
            .where("id", .equal, id.rawValue)
            .where("workspace_id", .equal, workspace.rawValue)
        if forUpdate { select = select.for(.update) }
        return try await select.first().map(webhook)
    }

    private static func selectDeliveries(in db: any SQLDatabase) -> SQLSelectBuilder {
        db.select()
            .column(SQLColumn("id", table: "d"))
            .column(SQLColumn("webhook_id", table: "d"))
            .column(SQLColumn("status", table: "d"))
            .column(SQLColumn("next_attempt_at", table: "d"))
            .column(SQLColumn("created_at", table: "d"))
            .column(SQLColumn("finished_at", table: "d"))
            .column(SQLColumn("uuid", table: "e"))
            .column(SQLColumn("event", table: "e"))
            .column(SQLColumn("payload", table: "e"))
            .from(SQLAlias(SQLIdentifier("webhook_deliveries"), as: SQLIdentifier("d")))
            .join(
                SQLAlias(SQLIdentifier("webhook_events"), as: SQLIdentifier("e")),
                on: SQLColumn("event_id", table: "d"),
                .equal,
                SQLColumn("id", table: "e")
            )
    }

    /// The rows' deliveries, each with its attempts (one more query for all of them).
    private static func deliveries(_ rows: [any SQLRow], in db: any SQLDatabase) async throws -> [WebhookDelivery] {
        let ids = try rows.map { try $0.decode(column: "id", as: Int64.self) }
        var attempts: [Int64: [WebhookAttempt]] = [:]
        if !ids.isEmpty {
            let attemptRows = try await db.select()
                .columns("delivery_id", "attempted_at", "status_code", "duration_ms", "error")
                .from("webhook_attempts")
                .where("delivery_id", .in, ids)
                .orderBy("id")
                .all()
            for row in attemptRows {
                attempts[try row.decode(column: "delivery_id", as: Int64.self), default: []].append(
                    WebhookAttempt(
                        attemptedAt: Date(millisecondsSince1970: try row.decode(column: "attempted_at", as: Int64.self)),
                        statusCode: try row.decode(column: "status_code", as: Int?.self),
                        durationMilliseconds: try row.decode(column: "duration_ms", as: Int64.self),
                        error: try row.decode(column: "error", as: String?.self)
                    )
                )
            }
        }
        return try rows.map { row in
            let id = try row.decode(column: "id", as: Int64.self)
            let event = try row.decode(column: "event", as: String.self)
            let status = try row.decode(column: "status", as: String.self)
            guard let name = WebhookEventName(rawValue: event), let known = WebhookDeliveryStatus(rawValue: status),
                let uuid = UUID(uuidString: try row.decode(column: "uuid", as: String.self))
            else { throw StorageError.unknownValue(column: "webhook_deliveries", "\(event) \(status)") }
            return WebhookDelivery(
                id: WebhookDeliveryID(id),
                webhookID: WebhookID(try row.decode(column: "webhook_id", as: Int64.self)),
                eventID: uuid,
                event: name,
                status: known,
                attempts: attempts[id] ?? [],
                nextAttemptAt: try row.decode(column: "next_attempt_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
                createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
                finishedAt: try row.decode(column: "finished_at", as: Int64?.self).map(Date.init(millisecondsSince1970:)),
                payload: try WebhookOutbox.decodeObject(try row.decode(column: "payload", as: String.self))
            )
        }
    }

    static func encode(_ events: [WebhookEventName]) throws -> String {
        String(decoding: try JSONEncoder().encode(events.map(\.rawValue)), as: UTF8.self)
    }

    static func webhook(_ row: any SQLRow) throws -> Webhook {
        let endpoint = try row.decode(column: "endpoint", as: String.self)
        guard let url = URL(string: endpoint) else { throw StorageError.unknownValue(column: "webhooks.endpoint", endpoint) }
        let names = try WebhookOutbox.decodeEvents(try row.decode(column: "events", as: String.self))
        return Webhook(
            id: WebhookID(try row.decode(column: "id", as: Int64.self)),
            workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
            name: try row.decode(column: "name", as: String.self),
            description: try row.decode(column: "description", as: String?.self),
            events: names.compactMap(WebhookEventName.init),
            endpoint: url,
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            updatedAt: Date(millisecondsSince1970: try row.decode(column: "updated_at", as: Int64.self)),
            previousSecretExpiresAt: try row.decode(column: "previous_secret_expires_at", as: Int64?.self).map(Date.init(millisecondsSince1970:))
        )
    }
}
