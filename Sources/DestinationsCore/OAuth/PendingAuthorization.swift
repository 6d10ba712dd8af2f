import Foundation

/// One authorize_url call, kept until the code it leads to is exchanged: the token endpoint wants the
/// redirect_uri used for consent, and a Census client does not send it again.
public struct PendingAuthorization: Sendable, Hashable {
    public var id: Int64
    public var workspaceID: WorkspaceID
    public var type: String
    public var redirectURI: String
    public var extras: OAuthExtras
    /// The random part of our signed state.
    public var nonce: String
    public var expiresAt: Date

    public init(id: Int64, workspaceID: WorkspaceID, type: String, redirectURI: String, extras: OAuthExtras, nonce: String, expiresAt: Date) {
        self.id = id
        self.workspaceID = workspaceID
        self.type = type
        self.redirectURI = redirectURI
        self.extras = extras
        self.nonce = nonce
        self.expiresAt = expiresAt
    }
}

public protocol PendingAuthorizationStore: Sendable {
    func insert(
        workspace: WorkspaceID,
        type: String,
        redirectURI: String,
        extras: OAuthExtras,
        nonce: String,
        now: Date,
        expiresAt: Date
    ) async throws -> PendingAuthorization

    /// The unconsumed, unexpired authorisation with this nonce, consumed by this call.
    func consume(nonce: String, workspace: WorkspaceID, type: String, now: Date) async throws -> PendingAuthorization?

    /// The newest unconsumed, unexpired authorisation of the workspace for the type, consumed by this call.
    func consumeNewest(workspace: WorkspaceID, type: String, now: Date) async throws -> PendingAuthorization?
}
