import Foundation

/// A create request, as the handler hands it over.
public struct DestinationCreation: Sendable {
    public var type: String
    /// The Census Terraform provider repeats `type` at the top level; it must agree.
    public var topLevelType: String?
    public var name: String?
    public var credentials: [String: JSONValue]

    public init(type: String, topLevelType: String? = nil, name: String? = nil, credentials: [String: JSONValue]) {
        self.type = type
        self.topLevelType = topLevelType
        self.name = name
        self.credentials = credentials
    }
}

/// An update request: each part is optional; credentials merge over the stored ones.
public struct DestinationChange: Sendable {
    public var type: String?
    public var name: String?
    public var credentials: [String: JSONValue]?

    public init(type: String? = nil, name: String? = nil, credentials: [String: JSONValue]? = nil) {
        self.type = type
        self.name = name
        self.credentials = credentials
    }
}

/// The destinations use cases, without HTTP: validation against the connector declarations, encryption
/// of secrets, and the store.
public struct DestinationService: Sendable {
    static let maximumNameLength = TextPatterns.maximumNameLength

    private let store: any DestinationStore
    private let jobs: any JobEnqueuing
    private let connectors: ConnectorRegistry
    private let secretBox: any SecretBox
    private let oauth: any OAuthCodeExchange
    private let maxAttempts: Int
    private let notifier: any JobNotifier
    private let hostPolicy: any HostPolicy
    private let audit: AuditRecorder
    private let calls: ProviderCalls
    private let clock: any WallClock

    /// - Parameter maxAttempts: for the jobs a destination starts with (objects refresh, connection test).
    public init(
        store: any DestinationStore,
        connectors: ConnectorRegistry,
        secretBox: any SecretBox,
        oauth: any OAuthCodeExchange,
        jobs: any JobEnqueuing,
        maxAttempts: Int,
        notifier: any JobNotifier,
        hostPolicy: any HostPolicy,
        audit: AuditRecorder,
        calls: ProviderCalls,
        clock: any WallClock
    ) {
        self.store = store
        self.connectors = connectors
        self.secretBox = secretBox
        self.oauth = oauth
        self.jobs = jobs
        self.maxAttempts = maxAttempts
        self.notifier = notifier
        self.hostPolicy = hostPolicy
        self.audit = audit
        self.calls = calls
        self.clock = clock
    }

    public func list(_ principal: Principal, _ request: PageRequest) async throws -> Page<Destination> {
        try await store.page(workspace: principal.workspaceID, request: request)
    }

    public func get(_ principal: Principal, _ id: DestinationID) async throws -> DestinationDetail {
        guard let detail = try await store.detail(workspace: principal.workspaceID, id: id) else {
            throw APIError.destinationNotFound
        }
        return detail
    }

    public func create(_ principal: Principal, _ request: DestinationCreation) async throws -> DestinationDetail {
        try await insert(try await prepare(request, workspace: principal.workspaceID), actor: principal.tokenID, link: nil)
    }

    /// Checks a create request and runs its connection test, storing nothing. An OAuth code in it is
    /// exchanged, and so used up (the hosted connect page tests and creates in one step instead).
    public func test(_ principal: Principal, _ request: DestinationCreation) async throws -> ConnectionTestResult {
        try await test(try await prepare(request, workspace: principal.workspaceID))
    }

    /// Through a connect link: the destination is created only when its connection test passes, and the
    /// link is used up in the same transaction. Without a destination when the test failed (nothing stored).
    public func create(through link: ConnectLink, _ request: DestinationCreation) async throws -> (DestinationDetail?, ConnectionTestResult) {
        let prepared = try await prepare(request, workspace: link.workspaceID)
        let result = try await test(prepared)
        guard result.succeeded else { return (nil, result) }
        return (try await insert(prepared, actor: nil, link: link.id), result)
    }

    /// A create request checked, its hosts vetted and its OAuth code exchanged: what is stored, in the clear.
    private struct Prepared {
        var connector: any Connector
        var workspace: WorkspaceID
        var name: String
        var credentials: ValidatedCredentials
    }

    private func prepare(_ request: DestinationCreation, workspace: WorkspaceID) async throws -> Prepared {
        if let topLevelType = request.topLevelType, topLevelType != request.type {
            throw APIError.unprocessable(
                "type \(quoted(topLevelType)) disagrees with service_connection.type \(quoted(request.type))"
            )
        }
        let implementation = try connectors.connector(forType: request.type)
        let connector = implementation.declaration
        let name = try Self.validName(request.name ?? connector.label)
        var credentials = try connector.validate(credentials: request.credentials)
        try await vetHosts(implementation, credentials.details.merging(credentials.secrets) { $1 })
        if let code = credentials.oauthCode {
            let grant = try await oauth.exchange(
                code: code,
                state: credentials.oauthState,
                connector: connector,
                workspace: workspace,
                fields: credentials.details
            )
            credentials.details.merge(grant.details) { _, granted in granted }
            credentials.secrets.merge(grant.secrets) { _, granted in granted }
        }
        return Prepared(connector: implementation, workspace: workspace, name: name, credentials: credentials)
    }

    private func test(_ prepared: Prepared) async throws -> ConnectionTestResult {
        let credentials = prepared.credentials
        let steps = try await calls.testConnection(
            prepared.connector,
            details: credentials.details,
            secrets: credentials.secrets,
            step: "Use the credentials"
        )
        return ConnectionTestResult(steps: steps, testedAt: clock.now())
    }

    private func insert(_ prepared: Prepared, actor: TokenID?, link: ConnectLinkID?) async throws -> DestinationDetail {
        let connector = prepared.connector.declaration
        let credentials = prepared.credentials
        var new = NewDestination(
            workspaceID: prepared.workspace,
            type: connector.serviceName,
            name: prepared.name,
            connectionDetails: credentials.details,
            authStatus: connector.authMethod == .oauth ? .authorized : nil,
            secrets: try secretBox.sealObject(credentials.secrets),
            objects: connector.objects,
            initialJobs: [
                NewJob(kind: .refreshObjects, maxAttempts: maxAttempts),
                NewJob(kind: .connectionTest, maxAttempts: maxAttempts),
            ],
            now: clock.now()
        )
        new.connectLink = link
        new.audit = audit.created(new, by: actor, link: link, secrets: credentials.secrets, authorized: credentials.oauthCode != nil)
        let detail = try await store.insert(new)
        notifier.jobQueued()
        return detail
    }

    /// - Parameter ifMatch: the client's `If-Match`: the update happens only while the destination's entity
    ///   tag matches it (412 otherwise), checked in the same transaction as the write.
    public func update(
        _ principal: Principal,
        _ id: DestinationID,
        _ change: DestinationChange,
        ifMatch: EntityTagCondition? = nil
    ) async throws -> DestinationDetail {
        let name = try change.name.map(Self.validName)
        if ifMatch != nil || change.credentials != nil {
            let current = try await get(principal, id)
            // Before any provider call (an OAuth code is spent once): a stale request stops here.
            if let ifMatch, !ifMatch.matchesStrongly(current.destination.entityTag) { throw APIError.staleDestination }
            if let credentials = change.credentials {
                try await vetHosts(try connectors.connector(forType: current.destination.type), credentials)
            }
        }
        // The code exchange talks to the provider, so it runs before the store's transaction opens.
        let grant = try await oauthGrant(for: change, principal: principal, id: id)
        let now = clock.now()
        let audit = self.audit
        let updated = try await store.update(
            workspace: principal.workspaceID,
            id: id,
            audit: { try audit.updated($0, $1, action: .destinationUpdated, by: principal.tokenID, authorized: grant != nil, at: now) },
            change: { stored in
                if let ifMatch, !ifMatch.matchesStrongly(stored.destination.entityTag) { throw APIError.staleDestination }
                var next = stored
                if let type = change.type, type != stored.destination.type {
                    // The request is well formed; it conflicts with what the destination is.
                    throw APIError(.conflict, "service_connection.type cannot change (this destination is \(stored.destination.type))")
                }
                if let name { next.destination.name = name }
                if let credentials = change.credentials {
                    try apply(credentials, grant: grant, to: &next)
                }
                if next != stored { next.destination.updatedAt = now }
                return next
            }
        )
        guard let updated else { throw APIError.destinationNotFound }
        // New credentials are tested at once.
        if change.credentials != nil {
            _ = try await jobs.enqueue(
                NewJob(kind: .connectionTest, maxAttempts: maxAttempts),
                workspace: principal.workspaceID,
                destination: id,
                now: now
            )
            notifier.jobQueued()
        }
        return updated
    }

    public func objects(_ principal: Principal, _ id: DestinationID, _ request: PageRequest) async throws -> Page<DestinationObject> {
        guard let page = try await store.objects(workspace: principal.workspaceID, id: id, request: request) else {
            throw APIError.destinationNotFound
        }
        return page
    }

    public func object(_ principal: Principal, _ id: DestinationID, fullName: String) async throws -> (DestinationObject, [ObjectField]) {
        guard let found = try await store.object(workspace: principal.workspaceID, id: id, fullName: fullName) else {
            guard try await store.detail(workspace: principal.workspaceID, id: id) != nil else { throw APIError.destinationNotFound }
            throw APIError.notFound("No object \(quoted(fullName)) on this destination")
        }
        return found
    }

    /// - Parameter ifMatch: as for `update`: deletes only the revision the client has seen.
    public func delete(_ principal: Principal, _ id: DestinationID, ifMatch: EntityTagCondition? = nil) async throws {
        var revision: Int64?
        if let ifMatch {
            let current = try await get(principal, id).destination
            guard ifMatch.matchesStrongly(current.entityTag) else { throw APIError.staleDestination }
            revision = current.revision
        }
        let record = audit.deleted(id, by: principal, at: clock.now())
        guard try await store.delete(workspace: principal.workspaceID, id: id, revision: revision, audit: record) else {
            // Changed between the read and the delete, or gone.
            if revision != nil, try await store.detail(workspace: principal.workspaceID, id: id) != nil { throw APIError.staleDestination }
            throw APIError.destinationNotFound
        }
    }

    /// Credentials merged over the stored ones: keys given replace stored values, what the provider gave
    /// (OAuth tokens, instance URL, portal id) is kept unless a new authorisation (`grant`) replaces it.
    private func apply(_ credentials: [String: JSONValue], grant: OAuthGrant?, to next: inout StoredDestination) throws {
        let connector = try connectors.declaration(forType: next.destination.type)
        let declared = Set(connector.fields.map(\.id))
        let storedSecrets = try secretBox.openObject(next.secrets)
        let current = next.destination.connectionDetails.merging(storedSecrets) { $1 }
        var validated = try connector.validate(change: credentials, over: current.filter { declared.contains($0.key) })
        validated.details.merge(next.destination.connectionDetails.filter { !declared.contains($0.key) }) { given, _ in given }
        validated.secrets.merge(storedSecrets.filter { !declared.contains($0.key) }) { given, _ in given }
        if let grant {
            validated.details.merge(grant.details) { _, granted in granted }
            validated.secrets.merge(grant.secrets) { _, granted in granted }
            next.destination.authStatus = .authorized
        }
        next.destination.connectionDetails = validated.details
        // Sealing uses a fresh nonce: the same secrets sealed again would look like a change.
        if validated.secrets != storedSecrets { next.secrets = try secretBox.sealObject(validated.secrets) }
    }

    /// Through a re-authorisation link: the destination's credentials change only when the connection test
    /// passes with them, and the link is used up in the same transaction as the change. Without a
    /// destination when the test failed (nothing changed).
    public func reconnect(through link: ConnectLink, credentials: [String: JSONValue]) async throws -> (DestinationDetail?, ConnectionTestResult) {
        guard let id = link.destinationID, let stored = try await store.stored(workspace: link.workspaceID, id: id) else {
            throw APIError(.gone, "The destination this link reconnects no longer exists.")
        }
        let implementation = try connectors.connector(forType: stored.destination.type)
        try await vetHosts(implementation, credentials)
        let grant = try await oauthGrant(credentials, connector: implementation.declaration, workspace: link.workspaceID, current: stored.destination)
        let now = clock.now()
        var next = stored
        try apply(credentials, grant: grant, to: &next)
        next.destination.updatedAt = now
        let steps = try await calls.testConnection(
            implementation,
            details: next.destination.connectionDetails,
            secrets: try secretBox.openObject(next.secrets),
            step: "Use the credentials"
        )
        let result = ConnectionTestResult(steps: steps, testedAt: now)
        guard result.succeeded else { return (nil, result) }
        let audit = self.audit
        let tested = next
        let updated = try await store.update(
            workspace: link.workspaceID,
            id: id,
            using: link.id,
            audit: { before, after in
                try audit.updated(before, after, action: .destinationUpdated, by: nil, authorized: grant != nil, at: now)
                    + [
                        AuditRecord(
                            workspaceID: link.workspaceID,
                            actorTokenID: nil,
                            action: .connectLinkUsed,
                            destinationID: id,
                            connectLinkID: link.id,
                            at: now
                        )
                    ]
            },
            change: { current in
                // What was tested is what is written, or nothing.
                guard current.destination.revision == stored.destination.revision else {
                    throw APIError(.conflict, "The destination changed while its connection was being tested: try again")
                }
                return tested
            }
        )
        return (updated, result)
    }

    /// For an update that carries a new `oauth_code`: the destination's type decides the provider, so it
    /// is read first (a foreign or missing id is a 404 before any provider call).
    private func oauthGrant(for change: DestinationChange, principal: Principal, id: DestinationID) async throws -> OAuthGrant? {
        guard let credentials = change.credentials, credentials[ConnectorDeclaration.oauthCodeKey]?.stringValue != nil else { return nil }
        let current = try await get(principal, id)
        let connector = try connectors.declaration(forType: current.destination.type)
        return try await oauthGrant(credentials, connector: connector, workspace: principal.workspaceID, current: current.destination)
    }

    private func oauthGrant(
        _ credentials: [String: JSONValue],
        connector: ConnectorDeclaration,
        workspace: WorkspaceID,
        current: Destination
    ) async throws -> OAuthGrant? {
        guard connector.authMethod == .oauth, case .string(let code)? = credentials[ConnectorDeclaration.oauthCodeKey] else { return nil }
        return try await oauth.exchange(
            code: code,
            state: credentials[ConnectorDeclaration.oauthStateKey]?.stringValue,
            connector: connector,
            workspace: workspace,
            fields: current.connectionDetails.merging(credentials.filter { $0.value.stringValue != nil }) { $1 }
        )
    }

    /// Refuses credentials that point the server at an address the outbound guard forbids.
    private func vetHosts(_ connector: any Connector, _ credentials: [String: JSONValue]) async throws {
        for (field, url) in connector.userSuppliedURLs(in: credentials) {
            if let refusal = await hostPolicy.refusal(for: url) {
                throw APIError.unprocessable("credentials.\(field): \(refusal)")
            }
        }
    }

    /// The contract's `DestinationName`.
    static func validName(_ name: String) throws(APIError) -> String {
        try DisplayName.validated(name, field: "service_connection.name")
    }
}
