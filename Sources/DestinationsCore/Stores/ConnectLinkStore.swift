import Foundation

/// Connect links, scoped to their workspace.
public protocol ConnectLinkStore: Sendable {
    /// Stores the link with its `connect_link.created` audit record.
    func insert(_ new: NewConnectLink) async throws -> ConnectLink

    /// The workspace's links, active and expired, by creation time.
    func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<ConnectLink>

    func link(workspace: WorkspaceID, id: ConnectLinkID) async throws -> ConnectLink?

    /// Revokes a link not yet revoked, with its `connect_link.revoked` audit record; nil when the workspace
    /// has no such link. A link already revoked is returned as it is.
    func revoke(workspace: WorkspaceID, id: ConnectLinkID, actor: TokenID, now: Date) async throws -> ConnectLink?

    /// The link a presented key opens.
    func link(keyHash: Data) async throws -> ConnectLink?
}
