import DestinationsCore
import Foundation
import SQLKit

public struct SQLPendingAuthorizationStore: PendingAuthorizationStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    static let columns = ["id", "workspace_id", "type", "redirect_uri", "extras", "nonce", "expires_at"]

    public func insert(
        workspace: WorkspaceID,
        type: String,
        redirectURI: String,
        extras: OAuthExtras,
        nonce: String,
        now: Date,
        expiresAt: Date
    ) async throws -> PendingAuthorization {
        let encodedExtras = String(decoding: try JSONEncoder().encode(extras), as: UTF8.self)
        return try await database.write { db in
            // Old ones are of no use any more; dropping them keeps the table small.
            try await db.delete(from: "oauth_authorizations").where("expires_at", .lessThan, now.millisecondsSince1970).run()
            let row = try await db.insert(into: "oauth_authorizations")
                .columns("workspace_id", "type", "redirect_uri", "extras", "nonce", "created_at", "expires_at")
                .values(
                    SQLBind(workspace.rawValue),
                    SQLBind(type),
                    SQLBind(redirectURI),
                    SQLBind(encodedExtras),
                    SQLBind(nonce),
                    SQLBind(now.millisecondsSince1970),
                    SQLBind(expiresAt.millisecondsSince1970)
                )
                .returning(Self.columns.map { SQLColumn($0) })
                .first()
            guard let row else { throw StorageError.missingGeneratedID }
            return try Self.authorization(row)
        }
    }

    public func consume(nonce: String, workspace: WorkspaceID, type: String, now: Date) async throws -> PendingAuthorization? {
        try await consume(now: now) { select in
            select.where("nonce", .equal, nonce).where("workspace_id", .equal, workspace.rawValue).where("type", .equal, type)
        }
    }

    public func consumeNewest(workspace: WorkspaceID, type: String, now: Date) async throws -> PendingAuthorization? {
        try await consume(now: now) { select in
            select.where("workspace_id", .equal, workspace.rawValue).where("type", .equal, type)
        }
    }

    /// Marks the newest matching live authorisation consumed and returns it, in one statement, so two
    /// exchanges can never both use it.
    private func consume(now: Date, _ filter: @escaping @Sendable (SQLSelectBuilder) -> SQLSelectBuilder) async throws -> PendingAuthorization? {
        let now = now.millisecondsSince1970
        return try await database.write { db in
            let candidate = filter(
                db.select().column("id").from("oauth_authorizations")
                    .where("consumed_at", .is, SQLLiteral.null)
                    .where("expires_at", .greaterThan, now)
            )
            .orderBy("created_at", .descending).orderBy("id", .descending).limit(1)
            guard let id = try await candidate.first(decodingColumn: "id", as: Int64.self) else { return nil }
            return try await db.update("oauth_authorizations")
                .set("consumed_at", to: now)
                .where("id", .equal, id)
                .where("consumed_at", .is, SQLLiteral.null)
                .returning(Self.columns.map { SQLColumn($0) })
                .first()
                .map(Self.authorization)
        }
    }

    static func authorization(_ row: any SQLRow) throws -> PendingAuthorization {
        PendingAuthorization(
            id: try row.decode(column: "id", as: Int64.self),
            workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
            type: try row.decode(column: "type", as: String.self),
            redirectURI: try row.decode(column: "redirect_uri", as: String.self),
            extras: try JSONDecoder().decode(OAuthExtras.self, from: Data(try row.decode(column: "extras", as: String.self).utf8)),
            nonce: try row.decode(column: "nonce", as: String.self),
            expiresAt: Date(millisecondsSince1970: try row.decode(column: "expires_at", as: Int64.self))
        )
    }
}
