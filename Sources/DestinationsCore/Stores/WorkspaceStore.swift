import Foundation

/// What a PATCH of a workspace changes; nil leaves a value as it is.
public struct WorkspaceChange: Sendable, Hashable {
    public var name: String?
    public var notificationEmails: [String]?

    public init(name: String? = nil, notificationEmails: [String]? = nil) {
        self.name = name
        self.notificationEmails = notificationEmails
    }
}

/// What deleting a workspace took with it.
public struct WorkspaceDeletion: Sendable, Hashable {
    public var destinations: Int
    public var tokens: Int
    public var jobs: Int

    public init(destinations: Int, tokens: Int, jobs: Int) {
        self.destinations = destinations
        self.tokens = tokens
        self.jobs = jobs
    }
}

/// A workspace's API key as stored: its token's id and the token sealed, so it can be shown again.
public struct SealedWorkspaceKey: Sendable, Hashable {
    public var tokenID: TokenID
    public var sealed: SealedSecret

    public init(tokenID: TokenID, sealed: SealedSecret) {
        self.tokenID = tokenID
        self.sealed = sealed
    }
}

/// Organisations, their workspaces and the API tokens of both (stored as hashes only). Every change
/// writes its audit records in its own transaction; `actor` is the token that asked (nil for the
/// command line).
public protocol WorkspaceStore: Sendable {
    func createOrganization(name: String, now: Date) async throws -> Organization

    func organization(_ id: OrganizationID) async throws -> Organization?

    /// 409 when a live workspace of the organisation already has the name.
    func createWorkspace(
        organization: OrganizationID,
        name: String,
        notificationEmails: [String],
        actor: TokenID?,
        now: Date
    ) async throws -> Workspace

    /// A live (not deleted) workspace.
    func workspace(_ id: WorkspaceID) async throws -> Workspace?

    /// The organisation's live workspaces by creation time, ties broken by id.
    func workspaces(organization: OrganizationID, request: PageRequest) async throws -> Page<Workspace>

    /// Nil when the organisation has no such live workspace; 409 when the new name is another's.
    func updateWorkspace(
        _ id: WorkspaceID,
        organization: OrganizationID,
        change: WorkspaceChange,
        actor: TokenID,
        now: Date
    ) async throws -> Workspace?

    /// In one transaction: its destinations (with their objects, fields and jobs) and pending
    /// authorisations are deleted, its tokens revoked, and the workspace marked deleted. Nil when the
    /// organisation has no such live workspace.
    func deleteWorkspace(_ id: WorkspaceID, organization: OrganizationID, actor: TokenID, now: Date) async throws -> WorkspaceDeletion?

    func createToken(owner: TokenOwner, hash: Data, now: Date) async throws -> TokenID

    func token(hash: Data) async throws -> StoredToken?

    /// Marks the token revoked (and forgets a workspace key's sealed copy); false when no live token has that hash.
    func revokeToken(hash: Data, now: Date) async throws -> Bool

    /// The workspace's live API key; nil when it has none.
    func workspaceKey(_ workspace: WorkspaceID) async throws -> SealedWorkspaceKey?

    /// Stores a new API key for the live workspace unless it already has a live one, and returns the one
    /// that is live after: the new one, or the one a concurrent request stored first. `replacing` names
    /// a live key to revoke first (one that can no longer be opened). Nil when the workspace does not
    /// exist or is deleted.
    func createWorkspaceKey(
        _ workspace: WorkspaceID,
        hash: Data,
        sealed: SealedSecret,
        replacing: TokenID?,
        actor: TokenID,
        now: Date
    ) async throws -> SealedWorkspaceKey?

    /// In one transaction: when the database has no workspace yet, creates one with a first token in
    /// the first organisation. Nil when a workspace already existed, so the bootstrap happens once,
    /// whoever starts first.
    func bootstrap(workspaceName: String, tokenHash: Data, now: Date) async throws -> Workspace?
}
