import DestinationsCore
import Foundation
import SQLKit

public struct SQLConnectLinkStore: ConnectLinkStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    static let columns = [
        "id", "workspace_id", "type", "destination_id", "reauthorizes", "redirect_uri", "key_nonce", "created_at", "expires_at", "revoked_at",
        "used_at",
    ]

    public func insert(_ new: NewConnectLink) async throws -> ConnectLink {
        try await database.write { db in
            let id = try await db.insert(into: "connect_links")
                .columns(
                    "workspace_id",
                    "type",
                    "destination_id",
                    "reauthorizes",
                    "redirect_uri",
                    "key_nonce",
                    "key_hash",
                    "created_at",
                    "expires_at"
                )
                .values(
                    SQLBind(new.workspaceID.rawValue),
                    SQLBind(new.type),
                    SQLBind(new.destinationID?.rawValue),
                    SQLBind(new.destinationID != nil),
                    SQLBind(new.redirectURI),
                    SQLBind(new.keyNonce),
                    SQLBind(new.keyHash),
                    SQLBind(new.createdAt.millisecondsSince1970),
                    SQLBind(new.expiresAt.millisecondsSince1970)
                )
                .returning("id")
                .first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw StorageError.missingGeneratedID }
            let record = AuditRecord(
                workspaceID: new.workspaceID,
                actorTokenID: new.actor,
                action: .connectLinkCreated,
                destinationID: new.destinationID,
                connectLinkID: ConnectLinkID(id),
                at: new.createdAt
            )
            try await SQLAuditLog.insert([record], in: db)
            return ConnectLink(
                id: ConnectLinkID(id),
                workspaceID: new.workspaceID,
                type: new.type,
                destinationID: new.destinationID,
                reauthorizes: new.destinationID != nil,
                redirectURI: new.redirectURI,
                keyNonce: new.keyNonce,
                createdAt: Date(millisecondsSince1970: new.createdAt.millisecondsSince1970),
                expiresAt: Date(millisecondsSince1970: new.expiresAt.millisecondsSince1970)
            )
        }
    }

    public func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<ConnectLink> {
        try await database.read { db in
            try await db.page(
                request,
                counting: db.select().from("connect_links").where("workspace_id", .equal, workspace.rawValue),
                rows: db.select().columns(Self.columns).from("connect_links").where("workspace_id", .equal, workspace.rawValue),
                orderedBy: creationOrder,
                decode: { try $0.map(Self.link) }
            )
        }
    }

    public func link(workspace: WorkspaceID, id: ConnectLinkID) async throws -> ConnectLink? {
        try await database.read { db in try await Self.select(workspace: workspace, id: id, in: db) }
    }

    public func revoke(workspace: WorkspaceID, id: ConnectLinkID, actor: TokenID, now: Date) async throws -> ConnectLink? {
        try await database.write { db in
            let revoked = try await db.update("connect_links")
                .set("revoked_at", to: now.millisecondsSince1970)
                .where("workspace_id", .equal, workspace.rawValue)
                .where("id", .equal, id.rawValue)
                .where("revoked_at", .is, SQLLiteral.null)
                .returning("id")
                .first()
            if revoked != nil {
                let record = AuditRecord(workspaceID: workspace, actorTokenID: actor, action: .connectLinkRevoked, connectLinkID: id, at: now)
                try await SQLAuditLog.insert([record], in: db)
            }
            return try await Self.select(workspace: workspace, id: id, in: db)
        }
    }

    public func link(keyHash: Data) async throws -> ConnectLink? {
        try await database.read { db in
            try await db.select().columns(Self.columns).from("connect_links").where("key_hash", .equal, keyHash).first().map(Self.link)
        }
    }

    /// Uses the link up for the destination being made in the caller's transaction; 409 when it is no
    /// longer usable (another request used it first, or it was revoked or expired meanwhile).
    static func use(_ link: ConnectLinkID, for destination: DestinationID, now: Date, in db: any SQLDatabase) async throws {
        let used = try await db.update("connect_links")
            .set("used_at", to: now.millisecondsSince1970)
            .set("destination_id", to: destination.rawValue)
            .where("id", .equal, link.rawValue)
            .where("used_at", .is, SQLLiteral.null)
            .where("revoked_at", .is, SQLLiteral.null)
            .where("expires_at", .greaterThan, now.millisecondsSince1970)
            .returning("id")
            .first()
        guard used != nil else { throw APIError(.conflict, "This link has already been used, or was revoked or expired") }
    }

    private static func select(workspace: WorkspaceID, id: ConnectLinkID, in db: any SQLDatabase) async throws -> ConnectLink? {
        try await db.select()
            .columns(columns)
            .from("connect_links")
            .where("workspace_id", .equal, workspace.rawValue)
            .where("id", .equal, id.rawValue)
            .first()
            .map(link)
    }

    private static func link(_ row: any SQLRow) throws -> ConnectLink {
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: Int64?.self).map(Date.init(millisecondsSince1970:))
        }
        return ConnectLink(
            id: ConnectLinkID(try row.decode(column: "id", as: Int64.self)),
            workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
            type: try row.decode(column: "type", as: String.self),
            destinationID: try row.decode(column: "destination_id", as: Int64?.self).map(DestinationID.init),
            reauthorizes: try row.decode(column: "reauthorizes", as: Bool.self),
            redirectURI: try row.decode(column: "redirect_uri", as: String?.self),
            keyNonce: try row.decode(column: "key_nonce", as: Data.self),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            expiresAt: Date(millisecondsSince1970: try row.decode(column: "expires_at", as: Int64.self)),
            revokedAt: try date("revoked_at"),
            usedAt: try date("used_at")
        )
    }
}
