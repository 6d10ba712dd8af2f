import Foundation

public struct ConnectLinkID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

/// A link to the hosted page where someone without an API token connects one destination: a new one of
/// `type`, or (with `reauthorizes`) `destinationID` again. Its key is never stored: it is derived from
/// `keyNonce` with the server's key, so the link's `uri` can be shown again, and only the key's hash is
/// kept for looking the link up.
public struct ConnectLink: Sendable, Hashable {
    public var id: ConnectLinkID
    public var workspaceID: WorkspaceID
    public var type: String
    /// The destination the link made (once used), or the one it re-authorises.
    public var destinationID: DestinationID?
    public var reauthorizes: Bool
    public var redirectURI: String?
    public var keyNonce: Data
    public var createdAt: Date
    public var expiresAt: Date
    public var revokedAt: Date?
    public var usedAt: Date?

    public init(
        id: ConnectLinkID,
        workspaceID: WorkspaceID,
        type: String,
        destinationID: DestinationID?,
        reauthorizes: Bool,
        redirectURI: String?,
        keyNonce: Data,
        createdAt: Date,
        expiresAt: Date,
        revokedAt: Date? = nil,
        usedAt: Date? = nil
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.type = type
        self.destinationID = destinationID
        self.reauthorizes = reauthorizes
        self.redirectURI = redirectURI
        self.keyNonce = keyNonce
        self.createdAt = createdAt
        self.expiresAt = expiresAt
        self.revokedAt = revokedAt
        self.usedAt = usedAt
    }

    public func isExpired(at now: Date) -> Bool { expiresAt <= now }

    /// Whether the page may still be used: not expired, not revoked, not used.
    public func isUsable(at now: Date) -> Bool { !isExpired(at: now) && revokedAt == nil && usedAt == nil }
}

/// A link about to be stored.
public struct NewConnectLink: Sendable, Hashable {
    public var workspaceID: WorkspaceID
    public var type: String
    public var destinationID: DestinationID?
    public var redirectURI: String?
    public var keyNonce: Data
    public var keyHash: Data
    public var createdAt: Date
    public var expiresAt: Date
    public var actor: TokenID
}
