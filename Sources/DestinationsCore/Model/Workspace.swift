import Foundation

public struct Workspace: Sendable, Hashable {
    public var id: WorkspaceID
    public var name: String
    public var createdAt: Date

    public init(id: WorkspaceID, name: String, createdAt: Date) {
        self.id = id
        self.name = name
        self.createdAt = createdAt
    }
}

/// Who is calling: the workspace a valid token belongs to, and which token it was.
public struct Principal: Sendable, Hashable {
    public var workspaceID: WorkspaceID
    public var tokenID: TokenID

    public init(workspaceID: WorkspaceID, tokenID: TokenID) {
        self.workspaceID = workspaceID
        self.tokenID = tokenID
    }
}

/// A token as stored: never the token itself, only its SHA-256.
public struct StoredToken: Sendable, Hashable {
    public var id: TokenID
    public var workspaceID: WorkspaceID
    public var hash: Data
    public var revokedAt: Date?

    public init(id: TokenID, workspaceID: WorkspaceID, hash: Data, revokedAt: Date?) {
        self.id = id
        self.workspaceID = workspaceID
        self.hash = hash
        self.revokedAt = revokedAt
    }
}
