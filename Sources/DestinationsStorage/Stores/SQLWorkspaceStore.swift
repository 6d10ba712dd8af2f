import DestinationsCore
import Foundation
import SQLKit

public struct SQLWorkspaceStore: WorkspaceStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    static let workspaceColumns = ["id", "organization_id", "name", "notification_emails", "created_at"]

    public func createOrganization(name: String, now: Date) async throws -> Organization {
        try await database.write { db in
            let id = try await db.insert(into: "organizations")
                .columns("name", "created_at")
                .values(SQLBind(name), SQLBind(now.millisecondsSince1970))
                .returning("id")
                .first(decodingColumn: "id", as: Int64.self)
            guard let id else { throw StorageError.missingGeneratedID }
            return Organization(id: OrganizationID(id), name: name, createdAt: Date(millisecondsSince1970: now.millisecondsSince1970))
        }
    }

    public func organization(_ id: OrganizationID) async throws -> Organization? {
        try await database.read { db in
            try await db.select()
                .columns("id", "name", "created_at")
                .from("organizations")
                .where("id", .equal, id.rawValue)
                .first()
                .map { row in
                    Organization(
                        id: id,
                        name: try row.decode(column: "name", as: String.self),
                        createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
                    )
                }
        }
    }

    public func createWorkspace(
        organization: OrganizationID,
        name: String,
        notificationEmails: [String],
        actor: TokenID?,
        now: Date
    ) async throws -> Workspace {
        try await database.write { db in
            try await Self.lockOrganization(organization, in: db)
            try await Self.checkNameFree(name, organization: organization, except: nil, in: db)
            let workspace = try await Self.insertWorkspace(
                organization: organization,
                name: name,
                notificationEmails: notificationEmails,
                now: now,
                in: db
            )
            let record = AuditRecord(workspaceID: workspace.id, organizationID: organization, actorTokenID: actor, action: .workspaceCreated, at: now)
            try await SQLAuditLog.insert([record], in: db)
            return workspace
        }
    }

    public func workspace(_ id: WorkspaceID) async throws -> Workspace? {
        try await database.read { db in try await Self.liveWorkspace(id, organization: nil, forUpdate: false, in: db) }
    }

    public func workspaces(organization: OrganizationID, request: PageRequest) async throws -> Page<Workspace> {
        try await database.read { db in
            func live(_ select: SQLSelectBuilder) -> SQLSelectBuilder {
                select.from("workspaces")
                    .where("organization_id", .equal, organization.rawValue)
                    .where("deleted_at", .is, SQLLiteral.null)
            }
            return try await db.page(
                request,
                counting: live(db.select()),
                rows: live(db.select().columns(Self.workspaceColumns)),
                orderedBy: creationOrder,
                decode: { try $0.map(Self.workspace) }
            )
        }
    }

    public func updateWorkspace(
        _ id: WorkspaceID,
        organization: OrganizationID,
        change: WorkspaceChange,
        actor: TokenID,
        now: Date
    ) async throws -> Workspace? {
        try await database.write { db in
            try await Self.lockOrganization(organization, in: db)
            guard var workspace = try await Self.liveWorkspace(id, organization: organization, forUpdate: true, in: db) else { return nil }
            var changed: [String] = []
            if let name = change.name, name != workspace.name {
                try await Self.checkNameFree(name, organization: organization, except: id, in: db)
                workspace.name = name
                changed.append("name")
            }
            if let emails = change.notificationEmails, emails != workspace.notificationEmails {
                workspace.notificationEmails = emails
                changed.append("notification_emails")
            }
            guard !changed.isEmpty else { return workspace }
            try await db.update("workspaces")
                .set("name", to: workspace.name)
                .set("notification_emails", to: try Self.encode(workspace.notificationEmails))
                .where("id", .equal, id.rawValue)
                .run()
            let record = AuditRecord(
                workspaceID: id,
                organizationID: organization,
                actorTokenID: actor,
                action: .workspaceUpdated,
                changedFields: changed,
                at: now
            )
            try await SQLAuditLog.insert([record], in: db)
            return workspace
        }
    }

    public func deleteWorkspace(_ id: WorkspaceID, organization: OrganizationID, actor: TokenID, now: Date) async throws -> WorkspaceDeletion? {
        try await database.write { db in
            guard try await Self.liveWorkspace(id, organization: organization, forUpdate: true, in: db) != nil else { return nil }
            // The jobs first, to count them: deleting the destinations would cascade to them anyway.
            let jobs = try await db.delete(from: "jobs").where("workspace_id", .equal, id.rawValue).returning("id").all().count
            let destinations = try await db.delete(from: "destinations").where("workspace_id", .equal, id.rawValue).returning("id").all().count
            try await db.delete(from: "oauth_authorizations").where("workspace_id", .equal, id.rawValue).run()
            try await db.delete(from: "webhooks").where("workspace_id", .equal, id.rawValue).run()
            let tokens = try await Self.revokeTokens(at: now, in: db) { $0.where("workspace_id", .equal, id.rawValue) }.count
            try await db.update("workspaces")
                .set("deleted_at", to: now.millisecondsSince1970)
                .set("destination_count", to: 0)
                .where("id", .equal, id.rawValue)
                .run()
            let deletion = WorkspaceDeletion(destinations: destinations, tokens: tokens, jobs: jobs)
            let record = AuditRecord(
                workspaceID: id,
                organizationID: organization,
                actorTokenID: actor,
                action: .workspaceDeleted,
                outcome: "deleted \(destinations) destinations and \(jobs) jobs, revoked \(tokens) tokens",
                at: now
            )
            try await SQLAuditLog.insert([record], in: db)
            return deletion
        }
    }

    public func createToken(owner: TokenOwner, hash: Data, now: Date) async throws -> TokenID {
        try await database.write { db in try await Self.insertToken(owner: owner, hash: hash, sealed: nil, actor: nil, now: now, in: db) }
    }

    public func token(hash: Data) async throws -> StoredToken? {
        try await database.read { db in
            try await db.select()
                .columns("id", "workspace_id", "organization_id", "token_hash", "revoked_at")
                .from("api_tokens")
                .where("token_hash", .equal, hash)
                .first()
                .map { row in
                    StoredToken(
                        id: TokenID(try row.decode(column: "id", as: Int64.self)),
                        owner: try Self.owner(row),
                        hash: try row.decode(column: "token_hash", as: Data.self),
                        revokedAt: try row.decode(column: "revoked_at", as: Int64?.self).map(Date.init(millisecondsSince1970:))
                    )
                }
        }
    }

    public func revokeToken(hash: Data, now: Date) async throws -> Bool {
        try await database.write { db in
            let revoked = try await Self.revokeTokens(at: now, in: db) { $0.where("token_hash", .equal, hash) }
            guard let (id, owner) = revoked.first else { return false }
            let record: AuditRecord =
                switch owner {
                case .workspace(let workspace):
                    AuditRecord(workspaceID: workspace, actorTokenID: nil, action: .tokenRevoked, subjectTokenID: id, at: now)
                case .organization(let organization):
                    AuditRecord(
                        workspaceID: nil,
                        organizationID: organization,
                        actorTokenID: nil,
                        action: .organizationTokenRevoked,
                        subjectTokenID: id,
                        at: now
                    )
                }
            try await SQLAuditLog.insert([record], in: db)
            return true
        }
    }

    public func workspaceKey(_ workspace: WorkspaceID) async throws -> SealedWorkspaceKey? {
        try await database.read { db in try await Self.liveKey(of: workspace, in: db) }
    }

    public func createWorkspaceKey(
        _ workspace: WorkspaceID,
        hash: Data,
        sealed: SealedSecret,
        replacing: TokenID?,
        actor: TokenID,
        now: Date
    ) async throws -> SealedWorkspaceKey? {
        try await database.write { db in
            // The workspace's row lock serialises concurrent first requests on PostgreSQL; SQLite has one writer.
            guard try await Self.liveWorkspace(workspace, organization: nil, forUpdate: true, in: db) != nil else { return nil }
            if let live = try await Self.liveKey(of: workspace, in: db) {
                guard live.tokenID == replacing else { return live }
                _ = try await Self.revokeTokens(at: now, in: db) { $0.where("id", .equal, live.tokenID.rawValue) }
                let record = AuditRecord(workspaceID: workspace, actorTokenID: actor, action: .tokenRevoked, subjectTokenID: live.tokenID, at: now)
                try await SQLAuditLog.insert([record], in: db)
            }
            let id = try await Self.insertToken(owner: .workspace(workspace), hash: hash, sealed: sealed, actor: actor, now: now, in: db)
            return SealedWorkspaceKey(tokenID: id, sealed: sealed)
        }
    }

    public func bootstrap(workspaceName: String, tokenHash: Data, now: Date) async throws -> Workspace? {
        try await database.write { db in
            guard try await db.select().column("id").from("workspaces").limit(1).first() == nil else { return nil }
            let first = try await db.select().column("id").from("organizations").orderBy("id").limit(1).first(decodingColumn: "id", as: Int64.self)
            guard let first else { throw StorageError.missingOrganization }
            let workspace = try await Self.insertWorkspace(
                organization: OrganizationID(first),
                name: workspaceName,
                notificationEmails: [],
                now: now,
                in: db
            )
            _ = try await Self.insertToken(owner: .workspace(workspace.id), hash: tokenHash, sealed: nil, actor: nil, now: now, in: db)
            return workspace
        }
    }

    // MARK: - Within a transaction

    /// Serialises the organisation's name checks on PostgreSQL; SQLite's single writer already does.
    private static func lockOrganization(_ organization: OrganizationID, in db: any SQLDatabase) async throws {
        let found = try await db.select()
            .column("id")
            .from("organizations")
            .where("id", .equal, organization.rawValue)
            .for(.update)
            .first()
        guard found != nil else { throw APIError.notFound("Organization \(organization) not found") }
    }

    private static func checkNameFree(_ name: String, organization: OrganizationID, except: WorkspaceID?, in db: any SQLDatabase) async throws {
        var select = db.select()
            .column("id")
            .from("workspaces")
            .where("organization_id", .equal, organization.rawValue)
            .where("name", .equal, name)
            .where("deleted_at", .is, SQLLiteral.null)
        if let except { select = select.where("id", .notEqual, except.rawValue) }
        if try await select.first() != nil {
            throw APIError(.conflict, "name: the organization already has a workspace named \(String(reflecting: name))")
        }
    }

    private static func liveWorkspace(
        _ id: WorkspaceID,
        organization: OrganizationID?,
        forUpdate: Bool,
        in db: any SQLDatabase
    ) async throws -> Workspace? {
        var select = db.select()
            .columns(workspaceColumns)
            .from("workspaces")
            .where("id", .equal, id.rawValue)
            .where("deleted_at", .is, SQLLiteral.null)
        if let organization { select = select.where("organization_id", .equal, organization.rawValue) }
        if forUpdate { select = select.for(.update) }
        return try await select.first().map(Self.workspace)
    }

    private static func liveKey(of workspace: WorkspaceID, in db: any SQLDatabase) async throws -> SealedWorkspaceKey? {
        try await db.select()
            .columns("id", "sealed_key_id", "sealed_value")
            .from("api_tokens")
            .where("workspace_id", .equal, workspace.rawValue)
            .where("sealed_value", .isNot, SQLLiteral.null)
            .where("revoked_at", .is, SQLLiteral.null)
            .first()
            .map { row in
                SealedWorkspaceKey(
                    tokenID: TokenID(try row.decode(column: "id", as: Int64.self)),
                    sealed: SealedSecret(
                        keyID: try row.decode(column: "sealed_key_id", as: String.self),
                        ciphertext: try row.decode(column: "sealed_value", as: Data.self)
                    )
                )
            }
    }

    /// Revokes the live tokens the filter selects, dropping a workspace key's sealed copy with it.
    private static func revokeTokens(
        at now: Date,
        in db: any SQLDatabase,
        _ filter: (SQLUpdateBuilder) -> SQLUpdateBuilder
    ) async throws -> [(TokenID, TokenOwner)] {
        let update = db.update("api_tokens")
            .set("revoked_at", to: SQLBind(now.millisecondsSince1970))
            .set("sealed_key_id", to: SQLLiteral.null)
            .set("sealed_value", to: SQLLiteral.null)
            .where("revoked_at", .is, SQLLiteral.null)
        return try await filter(update)
            .returning("id", "workspace_id", "organization_id")
            .all()
            .map { (TokenID(try $0.decode(column: "id", as: Int64.self)), try owner($0)) }
    }

    private static func insertWorkspace(
        organization: OrganizationID,
        name: String,
        notificationEmails: [String],
        now: Date,
        in db: any SQLDatabase
    ) async throws -> Workspace {
        let id = try await db.insert(into: "workspaces")
            .columns("organization_id", "name", "notification_emails", "created_at")
            .values(SQLBind(organization.rawValue), SQLBind(name), SQLBind(try encode(notificationEmails)), SQLBind(now.millisecondsSince1970))
            .returning("id")
            .first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StorageError.missingGeneratedID }
        return Workspace(
            id: WorkspaceID(id),
            organizationID: organization,
            name: name,
            notificationEmails: notificationEmails,
            createdAt: Date(millisecondsSince1970: now.millisecondsSince1970)
        )
    }

    /// Tokens are issued from the command line or at the first start, and workspace keys through the
    /// organisation API (`actor`, the organisation token that asked).
    private static func insertToken(
        owner: TokenOwner,
        hash: Data,
        sealed: SealedSecret?,
        actor: TokenID?,
        now: Date,
        in db: any SQLDatabase
    ) async throws -> TokenID {
        let (workspace, organization): (WorkspaceID?, OrganizationID?) =
            switch owner {
            case .workspace(let id): (id, nil)
            case .organization(let id): (nil, id)
            }
        let id = try await db.insert(into: "api_tokens")
            .columns("workspace_id", "organization_id", "token_hash", "sealed_key_id", "sealed_value", "created_at")
            .values(
                SQLBind(workspace?.rawValue),
                SQLBind(organization?.rawValue),
                SQLBind(hash),
                SQLBind(sealed?.keyID),
                SQLBind(sealed?.ciphertext),
                SQLBind(now.millisecondsSince1970)
            )
            .returning("id")
            .first(decodingColumn: "id", as: Int64.self)
        guard let id else { throw StorageError.missingGeneratedID }
        let record =
            if let workspace {
                AuditRecord(workspaceID: workspace, actorTokenID: actor, action: .tokenCreated, subjectTokenID: TokenID(id), at: now)
            } else {
                AuditRecord(
                    workspaceID: nil,
                    organizationID: organization,
                    actorTokenID: actor,
                    action: .organizationTokenCreated,
                    subjectTokenID: TokenID(id),
                    at: now
                )
            }
        try await SQLAuditLog.insert([record], in: db)
        return TokenID(id)
    }

    private static func owner(_ row: any SQLRow) throws -> TokenOwner {
        if let workspace = try row.decode(column: "workspace_id", as: Int64?.self) { return .workspace(WorkspaceID(workspace)) }
        return .organization(OrganizationID(try row.decode(column: "organization_id", as: Int64.self)))
    }

    private static func workspace(_ row: any SQLRow) throws -> Workspace {
        Workspace(
            id: WorkspaceID(try row.decode(column: "id", as: Int64.self)),
            organizationID: OrganizationID(try row.decode(column: "organization_id", as: Int64.self)),
            name: try row.decode(column: "name", as: String.self),
            notificationEmails: try JSONDecoder().decode(
                [String].self,
                from: Data(try row.decode(column: "notification_emails", as: String.self).utf8)
            ),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self))
        )
    }

    private static func encode(_ emails: [String]) throws -> String {
        String(decoding: try JSONEncoder().encode(emails), as: UTF8.self)
    }
}
