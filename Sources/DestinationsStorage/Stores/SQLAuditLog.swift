import DestinationsCore
import Foundation
import SQLKit

public struct SQLAuditLog: AuditLog {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func record(_ records: [AuditRecord]) async throws {
        try await database.write { db in try await Self.insert(records, in: db) }
    }

    public func page(_ scope: AuditScope, destination: DestinationID?, request: PageRequest) async throws -> Page<AuditEvent> {
        try await database.read { db in
            func scoped(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
                let select =
                    switch scope {
                    case .workspace(let id): select.from("audit_events").where("workspace_id", .equal, id.rawValue)
                    case .organization(let id): select.from("audit_events").where("organization_id", .equal, id.rawValue)
                    }
                guard let destination else { return select }
                return select.where("destination_id", .equal, destination.rawValue)
            }
            return try await db.page(
                request,
                counting: scoped(db.select()),
                rows: scoped(db.select().column("*")),
                orderedBy: [SQLColumn("id")],
                decode: { try $0.map(Self.event) }
            )
        }
    }

    /// Writes the records inside a caller's transaction, so they stand or fall with the change they describe,
    /// and the webhook events they announce with them.
    static func insert(_ records: [AuditRecord], in db: any SQLDatabase) async throws {
        guard !records.isEmpty else { return }
        let organizations = try await organizations(of: Set(records.filter { $0.organizationID == nil }.compactMap(\.workspaceID)), in: db)
        var insert = db.insert(into: "audit_events")
            .columns(
                "organization_id",
                "workspace_id",
                "token_id",
                "action",
                "destination_id",
                "subject_token_id",
                "connect_link_id",
                "changed_fields",
                "secrets_fingerprint",
                "outcome",
                "created_at"
            )
        for record in records {
            guard let organization = record.organizationID ?? record.workspaceID.flatMap({ organizations[$0] }) else {
                throw StorageError.missingOrganization
            }
            insert = insert.values(
                SQLBind(organization.rawValue),
                SQLBind(record.workspaceID?.rawValue),
                SQLBind(record.actorTokenID?.rawValue),
                SQLBind(record.action.rawValue),
                SQLBind(record.destinationID?.rawValue),
                SQLBind(record.subjectTokenID?.rawValue),
                SQLBind(record.connectLinkID?.rawValue),
                SQLBind(String(decoding: try JSONEncoder().encode(record.changedFields), as: UTF8.self)),
                SQLBind(record.secretsFingerprint),
                SQLBind(record.outcome),
                SQLBind(record.at.millisecondsSince1970)
            )
        }
        try await insert.run()
        try await WebhookOutbox.record(records.compactMap(WebhookEvent.init), in: db)
    }

    private static func organizations(of workspaces: Set<WorkspaceID>, in db: any SQLDatabase) async throws -> [WorkspaceID: OrganizationID] {
        guard !workspaces.isEmpty else { return [:] }
        let rows = try await db.select()
            .columns("id", "organization_id")
            .from("workspaces")
            .where("id", .in, workspaces.map(\.rawValue))
            .all()
        var organizations: [WorkspaceID: OrganizationID] = [:]
        for row in rows {
            organizations[WorkspaceID(try row.decode(column: "id", as: Int64.self))] = OrganizationID(
                try row.decode(column: "organization_id", as: Int64.self)
            )
        }
        return organizations
    }

    private static func event(_ row: any SQLRow) throws -> AuditEvent {
        let action = try row.decode(column: "action", as: String.self)
        guard let known = AuditAction(rawValue: action) else { throw StorageError.unknownValue(column: "audit_events.action", action) }
        return AuditEvent(
            id: try row.decode(column: "id", as: Int64.self),
            record: AuditRecord(
                workspaceID: try row.decode(column: "workspace_id", as: Int64?.self).map(WorkspaceID.init),
                organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
                actorTokenID: try row.decode(column: "token_id", as: Int64?.self).map(TokenID.init),
                action: known,
                destinationID: try row.decode(column: "destination_id", as: Int64?.self).map(DestinationID.init),
                subjectTokenID: try row.decode(column: "subject_token_id", as: Int64?.self).map(TokenID.init),
                connectLinkID: try row.decode(column: "connect_link_id", as: Int64?.self).map(ConnectLinkID.init),
                changedFields: try JSONDecoder().decode([String].self, from: Data(try row.decode(column: "changed_fields", as: String.self).utf8)),
                secretsFingerprint: try row.decode(column: "secrets_fingerprint", as: String?.self),
                outcome: try row.decode(column: "outcome", as: String?.self),
                at: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
            )
        )
    }
}
