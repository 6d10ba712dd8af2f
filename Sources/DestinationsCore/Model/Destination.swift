import Foundation

public struct Destination: Sendable, Hashable {
    public var id: DestinationID
    public var workspaceID: WorkspaceID
    /// The connector's service name, e.g. `braze`.
    public var type: String
    public var name: String
    /// The declared non-secret connection fields only.
    public var connectionDetails: [String: JSONValue]
    /// For OAuth destinations: whether the authorisation still works. Nil for the others.
    public var authStatus: AuthStatus?
    /// The latest connection test's outcome; nil before the first.
    public var lastTest: ConnectionTestResult?
    /// Counts the changes to the destination (its fields, credentials, objects, test results), so that
    /// its entity tag changes with each.
    public var revision: Int64
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: DestinationID,
        workspaceID: WorkspaceID,
        type: String,
        name: String,
        connectionDetails: [String: JSONValue],
        authStatus: AuthStatus? = nil,
        lastTest: ConnectionTestResult? = nil,
        revision: Int64 = 1,
        createdAt: Date,
        updatedAt: Date
    ) {
        self.id = id
        self.workspaceID = workspaceID
        self.type = type
        self.name = name
        self.connectionDetails = connectionDetails
        self.authStatus = authStatus
        self.lastTest = lastTest
        self.revision = revision
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

extension Destination {
    /// A strong entity tag: the revision, and the creation instant so that a new destination reusing a
    /// deleted one's id never matches the old tag. It reveals nothing of the credentials.
    public var entityTag: String {
        "\"\(revision)-\(Int64((createdAt.timeIntervalSince1970 * 1000).rounded()))\""
    }
}

/// Something a destination's service can receive records into (Braze's User, Salesforce's Account ...).
public struct DestinationObject: Sendable, Hashable {
    public var label: String
    public var fullName: String
    public var allowCustomFields: Bool
    public var allowCaseSensitiveFieldNames: Bool

    public init(label: String, fullName: String, allowCustomFields: Bool, allowCaseSensitiveFieldNames: Bool) {
        self.label = label
        self.fullName = fullName
        self.allowCustomFields = allowCustomFields
        self.allowCaseSensitiveFieldNames = allowCaseSensitiveFieldNames
    }
}

/// A destination as the single-destination endpoints return it.
public struct DestinationDetail: Sendable, Hashable {
    public var destination: Destination
    public var objects: [DestinationObject]

    public init(destination: Destination, objects: [DestinationObject]) {
        self.destination = destination
        self.objects = objects
    }
}

/// A destination as stored: the public part plus its sealed secret credentials.
public struct StoredDestination: Sendable, Hashable {
    public var destination: Destination
    public var secrets: SealedSecret

    public init(destination: Destination, secrets: SealedSecret) {
        self.destination = destination
        self.secrets = secrets
    }
}

/// What the store needs to insert a destination; ids and timestamps are the store's and the clock's.
public struct NewDestination: Sendable, Hashable {
    public var workspaceID: WorkspaceID
    public var type: String
    public var name: String
    public var connectionDetails: [String: JSONValue]
    public var authStatus: AuthStatus?
    public var secrets: SealedSecret
    public var objects: [DestinationObject]
    /// Queued with the insert, so a destination never exists without them (its first objects refresh and
    /// connection test).
    public var initialJobs: [NewJob]
    /// Written with the insert; the store fills in the new destination's id.
    public var audit: [AuditRecord]
    /// The connect link the destination is made through: used up in the insert's transaction, which fails
    /// (409) if the link was used, revoked or expired meanwhile.
    public var connectLink: ConnectLinkID?
    public var now: Date

    public init(
        workspaceID: WorkspaceID,
        type: String,
        name: String,
        connectionDetails: [String: JSONValue],
        authStatus: AuthStatus? = nil,
        secrets: SealedSecret,
        objects: [DestinationObject],
        initialJobs: [NewJob] = [],
        audit: [AuditRecord] = [],
        now: Date
    ) {
        self.workspaceID = workspaceID
        self.type = type
        self.name = name
        self.connectionDetails = connectionDetails
        self.authStatus = authStatus
        self.secrets = secrets
        self.objects = objects
        self.initialJobs = initialJobs
        self.audit = audit
        self.now = now
    }
}
