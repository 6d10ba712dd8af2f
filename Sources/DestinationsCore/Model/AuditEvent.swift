import Foundation

/// What an audit event records.
public enum AuditAction: String, Sendable, Hashable, CaseIterable {
    case destinationCreated = "destination.created"
    case destinationUpdated = "destination.updated"
    case destinationDeleted = "destination.deleted"
    /// An OAuth code was exchanged for tokens, at creation or at a PATCH.
    case oauthAuthorized = "oauth.authorized"
    /// A token refresh, with its outcome.
    case oauthRefresh = "oauth.refresh"
    case tokenCreated = "token.created"
    case tokenRevoked = "token.revoked"
    case organizationTokenCreated = "organization_token.created"
    case organizationTokenRevoked = "organization_token.revoked"
    case workspaceCreated = "workspace.created"
    case workspaceUpdated = "workspace.updated"
    case workspaceDeleted = "workspace.deleted"
    /// The workspace's API key was shown to an organisation token (`subject_token_id` names the key).
    case workspaceAPIKeyRead = "workspace.api_key.read"
    case connectLinkCreated = "connect_link.created"
    case connectLinkRevoked = "connect_link.revoked"
    case connectLinkUsed = "connect_link.used"
}

/// Whose trail to read: one workspace's, or an organisation's (its own events and all its workspaces').
public enum AuditScope: Sendable, Hashable {
    case workspace(WorkspaceID)
    case organization(OrganizationID)
}

/// How an OAuth token refresh ended, as metrics and the audit trail name it.
public enum OAuthRefreshOutcome: String, Sendable, Hashable, CaseIterable {
    case refreshed
    case failed
    case reauthorizationRequired = "reauthorization_required"
}

/// One thing that happened, as it is recorded: field names and a fingerprint, never a secret's value.
public struct AuditRecord: Sendable, Hashable {
    /// Nil for events about the organisation itself.
    public var workspaceID: WorkspaceID?
    /// Nil when it is the workspace's: the store reads it from the workspace.
    public var organizationID: OrganizationID?
    /// The API token that asked; nil for the command line and for the server's own work (token refreshes).
    public var actorTokenID: TokenID?
    public var action: AuditAction
    public var destinationID: DestinationID?
    /// The token that was created or revoked.
    public var subjectTokenID: TokenID?
    /// The connect link that was created, revoked or used.
    public var connectLinkID: ConnectLinkID?
    /// Names of what changed: `name`, `credentials.<field>`, `auth_status`, sorted.
    public var changedFields: [String]
    /// Changes whenever the destination's secret credentials do, and reveals nothing about them.
    public var secretsFingerprint: String?
    public var outcome: String?
    public var at: Date

    public init(
        workspaceID: WorkspaceID?,
        organizationID: OrganizationID? = nil,
        actorTokenID: TokenID?,
        action: AuditAction,
        destinationID: DestinationID? = nil,
        subjectTokenID: TokenID? = nil,
        connectLinkID: ConnectLinkID? = nil,
        changedFields: [String] = [],
        secretsFingerprint: String? = nil,
        outcome: String? = nil,
        at: Date
    ) {
        self.workspaceID = workspaceID
        self.organizationID = organizationID
        self.actorTokenID = actorTokenID
        self.action = action
        self.destinationID = destinationID
        self.subjectTokenID = subjectTokenID
        self.connectLinkID = connectLinkID
        self.changedFields = changedFields
        self.secretsFingerprint = secretsFingerprint
        self.outcome = outcome
        self.at = at
    }
}

/// A stored record, with its id (ascending in the order events were written).
public struct AuditEvent: Sendable, Hashable {
    public var id: Int64
    public var record: AuditRecord

    public init(id: Int64, record: AuditRecord) {
        self.id = id
        self.record = record
    }
}
