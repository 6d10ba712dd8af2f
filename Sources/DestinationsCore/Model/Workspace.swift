import Foundation

public struct Workspace: Sendable, Hashable {
    public var id: WorkspaceID
    public var organizationID: OrganizationID
    public var name: String
    /// Where Census sends a workspace's notices; stored and returned, this server sends none.
    public var notificationEmails: [String]
    public var createdAt: Date

    public init(id: WorkspaceID, organizationID: OrganizationID, name: String, notificationEmails: [String] = [], createdAt: Date) {
        self.id = id
        self.organizationID = organizationID
        self.name = name
        self.notificationEmails = notificationEmails
        self.createdAt = createdAt
    }
}

public struct Organization: Sendable, Hashable {
    public var id: OrganizationID
    public var name: String
    public var createdAt: Date

    public init(id: OrganizationID, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// Who is calling with a workspace token: the workspace it belongs to, and which token it was.
public struct Principal: Sendable, Hashable {
    public var workspaceID: WorkspaceID
    public var tokenID: TokenID

    public init(workspaceID: WorkspaceID, tokenID: TokenID) {
        self.workspaceID = workspaceID
        self.tokenID = tokenID
    }
}

/// Who is calling with an organisation token (Census's personal access token): the organisation, and the token.
public struct OrganizationPrincipal: Sendable, Hashable {
    public var organizationID: OrganizationID
    public var tokenID: TokenID

    public init(organizationID: OrganizationID, tokenID: TokenID) {
        self.organizationID = organizationID
        self.tokenID = tokenID
    }
}

/// What a token can reach: one workspace's API, or its organisation's workspaces. Never both.
public enum TokenOwner: Sendable, Hashable {
    case workspace(WorkspaceID)
    case organization(OrganizationID)
}

/// The caller behind a valid token.
public enum Caller: Sendable, Hashable {
    case workspace(Principal)
    case organization(OrganizationPrincipal)

    public init(token: TokenID, owner: TokenOwner) {
        switch owner {
        case .workspace(let id): self = .workspace(Principal(workspaceID: id, tokenID: token))
        case .organization(let id): self = .organization(OrganizationPrincipal(organizationID: id, tokenID: token))
        }
    }

    public var tokenID: TokenID {
        switch self {
        case .workspace(let principal): principal.tokenID
        case .organization(let principal): principal.tokenID
        }
    }

    /// The workspace API's caller; 403 for an organisation token, which Census accepts only on its organisation API.
    public func workspacePrincipal() throws(APIError) -> Principal {
        guard case .workspace(let principal) = self else { throw .organizationTokenOnWorkspaceAPI }
        return principal
    }

    /// The organisation API's caller; 403 for a workspace token.
    public func organizationPrincipal() throws(APIError) -> OrganizationPrincipal {
        guard case .organization(let principal) = self else { throw .workspaceTokenOnOrganizationAPI }
        return principal
    }
}

/// A token as stored: never the token itself, only its SHA-256.
public struct StoredToken: Sendable, Hashable {
    public var id: TokenID
    public var owner: TokenOwner
    public var hash: Data
    public var revokedAt: Date?

    public init(id: TokenID, owner: TokenOwner, hash: Data, revokedAt: Date?) {
        self.id = id
        self.owner = owner
        self.hash = hash
        self.revokedAt = revokedAt
    }
}
