import Foundation

/// Workspaces and their API tokens (stored as hashes only).
public protocol WorkspaceStore: Sendable {
    func createWorkspace(name: String, now: Date) async throws -> Workspace

    func workspace(_ id: WorkspaceID) async throws -> Workspace?

    func createToken(workspace: WorkspaceID, hash: Data, now: Date) async throws -> TokenID

    func token(hash: Data) async throws -> StoredToken?

    /// Marks the token revoked; false when no live token has that hash.
    func revokeToken(hash: Data, now: Date) async throws -> Bool

    /// In one transaction: when the database has no workspace yet, creates one with a first token.
    /// Nil when a workspace already existed, so the bootstrap happens once, whoever starts first.
    func bootstrap(workspaceName: String, tokenHash: Data, now: Date) async throws -> Workspace?
}
