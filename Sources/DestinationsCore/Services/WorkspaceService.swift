import Foundation

/// The organisation API over workspaces, without HTTP: an organisation token sees its organisation's
/// workspaces only; any other id answers as a missing one.
public struct WorkspaceService: Sendable {
    private let store: any WorkspaceStore
    private let access: AccessService
    private let secretBox: any SecretBox
    private let auditLog: any AuditLog
    private let clock: any WallClock

    public init(store: any WorkspaceStore, access: AccessService, secretBox: any SecretBox, auditLog: any AuditLog, clock: any WallClock) {
        self.store = store
        self.access = access
        self.secretBox = secretBox
        self.auditLog = auditLog
        self.clock = clock
    }

    public func list(_ caller: OrganizationPrincipal, _ request: PageRequest) async throws -> Page<Workspace> {
        try await store.workspaces(organization: caller.organizationID, request: request)
    }

    public func get(_ caller: OrganizationPrincipal, _ id: WorkspaceID) async throws -> Workspace {
        guard let workspace = try await store.workspace(id), workspace.organizationID == caller.organizationID else {
            throw APIError.workspaceNotFound
        }
        return workspace
    }

    /// The workspace a workspace token belongs to (`GET /workspace`).
    public func current(_ principal: Principal) async throws -> Workspace {
        guard let workspace = try await store.workspace(principal.workspaceID) else { throw APIError.workspaceNotFound }
        return workspace
    }

    public func create(_ caller: OrganizationPrincipal, name: String, notificationEmails: [String]?) async throws -> Workspace {
        try await store.createWorkspace(
            organization: caller.organizationID,
            name: try WorkspaceRules.name(name),
            notificationEmails: try WorkspaceRules.notificationEmails(notificationEmails ?? []),
            actor: caller.tokenID,
            now: clock.now()
        )
    }

    public func update(_ caller: OrganizationPrincipal, _ id: WorkspaceID, _ change: WorkspaceChange) async throws -> Workspace {
        let checked = WorkspaceChange(
            name: try change.name.map(WorkspaceRules.name),
            notificationEmails: try change.notificationEmails.map(WorkspaceRules.notificationEmails)
        )
        guard
            let workspace = try await store.updateWorkspace(
                id,
                organization: caller.organizationID,
                change: checked,
                actor: caller.tokenID,
                now: clock.now()
            )
        else { throw APIError.workspaceNotFound }
        return workspace
    }

    /// Deletes the workspace with its destinations, jobs and pending authorisations, and revokes its tokens.
    public func delete(_ caller: OrganizationPrincipal, _ id: WorkspaceID) async throws -> WorkspaceDeletion {
        guard let deletion = try await store.deleteWorkspace(id, organization: caller.organizationID, actor: caller.tokenID, now: clock.now())
        else { throw APIError.workspaceNotFound }
        access.forgetAuthenticatedTokens()
        return deletion
    }

    /// The workspace's API key: one stable workspace token per workspace, made on the first request and
    /// shown again to every later one, until it is revoked (then the next request makes a new one).
    /// Every showing is audited in the workspace's trail.
    public func apiKey(_ caller: OrganizationPrincipal, _ id: WorkspaceID) async throws -> String {
        let workspace = try await get(caller, id)
        let now = clock.now()
        var unreadable: TokenID?
        if let live = try await store.workspaceKey(workspace.id) {
            if let value = try? open(live.sealed) {
                try await recordRead(of: live.tokenID, in: workspace.id, by: caller, at: now)
                return value
            }
            // Sealed with a key no longer configured: replace it rather than refuse forever.
            unreadable = live.tokenID
        }
        let (token, hash) = APIToken.generate()
        guard
            let live = try await store.createWorkspaceKey(
                workspace.id,
                hash: hash,
                sealed: try secretBox.seal(Data(token.utf8)),
                replacing: unreadable,
                actor: caller.tokenID,
                now: now
            )
        else { throw APIError.workspaceNotFound }
        // Another request may have stored its key first: show that one, as every later request will.
        let value = try open(live.sealed)
        try await recordRead(of: live.tokenID, in: workspace.id, by: caller, at: now)
        return value
    }

    private func open(_ sealed: SealedSecret) throws -> String {
        String(decoding: try secretBox.open(sealed), as: UTF8.self)
    }

    private func recordRead(of key: TokenID, in workspace: WorkspaceID, by caller: OrganizationPrincipal, at now: Date) async throws {
        let record = AuditRecord(
            workspaceID: workspace,
            organizationID: caller.organizationID,
            actorTokenID: caller.tokenID,
            action: .workspaceAPIKeyRead,
            subjectTokenID: key,
            at: now
        )
        try await auditLog.record([record])
    }
}
