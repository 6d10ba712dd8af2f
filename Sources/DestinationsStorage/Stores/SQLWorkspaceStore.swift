import DestinationsCore
import Foundation
import SQLKit

public struct SQLWorkspaceStore: WorkspaceStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func createWorkspace(name: String, now: Date) async throws -> Workspace {
        try await database.write { db in try await Self.insertWorkspace(name: name, now: now, in: db) }
    }

    public func workspace(_ id: WorkspaceID) async throws -> Workspace? {
        try await database.read { db in
            try await db.select()
                .columns("id", "name", "created_at")
                .from("workspaces")
                .where("id", .equal, id.rawValue)
                .first()
                .map { row in
                    Workspace(
                        id: WorkspaceID(try row.decode(column: "id", as: Int64.self)),
                        name: try row.decode(column: "name", as: String.self),
                        createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
                    )
                }
        }
    }

    public func createToken(workspace: WorkspaceID, hash: Data, now: Date) async throws -> TokenID {
        try await database.write { db in try await Self.insertToken(workspace: workspace, hash: hash, now: now, in: db) }
    }

    public func token(hash: Data) async throws -> StoredToken? {
        try await database.read { db in
            try await db.select()
                .columns("id", "workspace_id", "token_hash", "revoked_at")
                .from("api_tokens")
                .where("token_hash", .equal, hash)
                .first()
                .map { row in
                    StoredToken(
                        id: TokenID(try row.decode(column: "id", as: Int64.self)),
                        workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
                        hash: try row.decode(column: "token_hash", as: Data.self),
                        revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Date.init(millisecondsSince1970:))
                    )
                }
        }
    }

    public func revokeToken(hash: Data, now: Date) async throws -> Bool {
        try await database.write { db in
            guard
                let row = try await db.update("api_tokens")
                    .set("revoked_at", to: now.millisecondsSince1970)
                    .where("token_hash", .equal, hash)
                    .where("revoked_at", .is, SQLLiteral.null)
                    .returning("id", "workspace_id")
                    .first()
            else { return false }
            let record = AuditRecord(
                workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
                actorTokenID: nil,
                action: .tokenRevoked,
                subjectTokenID: TokenID(try row.decode(column: "id", as: Int64.self)),
                at: now
            )
            try await SQLAuditLog.insert([record], in: db)
            return true
        }
    }

    public func bootstrap(workspaceName: String, tokenHash: Data, now: Date) async throws -> Workspace? {
        try await database.write { db in
            guard try await db.select().column("id").from("workspaces").limit(1).first() == nil else { return nil }
            let workspace = try await Self.insertWorkspace(name: workspaceName, now: now, in: db)
            _ = try await Self.insertToken(workspace: workspace.id, hash: tokenHash, now: now, in: db)
            return workspace
        }
    }

    private static func insertWorkspace(name: String, now: Date, in db: any SQLDatabase) async throws -> Workspace {
        let id = try await db.insert(into: "workspaces")
            .columns("name", "created_at")
            .values(SQLBind(name), SQLBind(now.millisecondsSince1970))
            .returning("id")
            .first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StorageError.missingGeneratedID }
        return Workspace(id: WorkspaceID(id), name: name, createdAt: Date(millisecondsSince1970: now.millisecondsSince1970))
    }

    /// Tokens are issued from the command line or at the first start, never through the API: no actor.
    private static func insertToken(workspace: WorkspaceID, hash: Data, now: Date, in db: any SQLDatabase) async throws -> TokenID {
        let id = try await db.insert(into: "api_tokens")
            .columns("workspace_id", "token_hash", "created_at")
            .values(SQLBind(workspace.rawValue), SQLBind(hash), SQLBind(now.millisecondsSince1970))
            .returning("id")
            .first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StorageError.missingGeneratedID }
        let record = AuditRecord(workspaceID: workspace, actorTokenID: nil, action: .tokenCreated, subjectTokenID: TokenID(id), at: now)
        try await SQLAuditLog.insert([record], in: db)
        return TokenID(id)
    }
}
