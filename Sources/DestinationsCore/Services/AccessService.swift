import Foundation

/// Organisations, workspaces, tokens and authentication, without HTTP.
public struct AccessService: Sendable {
    public static let defaultWorkspaceName = "default"
    /// The organisation the first migration of organisations made; every workspace created before belongs to it.
    public static let defaultOrganization = OrganizationID(1)

    private let store: any WorkspaceStore
    private let clock: any WallClock
    private let recent: AuthenticationCache

    /// - Parameter cacheLifetime: how long a token that authenticated is trusted without reading the store
    ///   again (0: every request reads it), and so how long a revocation by another process takes.
    public init(store: any WorkspaceStore, clock: any WallClock, cacheLifetime: TimeInterval = 0) {
        self.store = store
        self.clock = clock
        self.recent = AuthenticationCache(lifetime: cacheLifetime)
    }

    /// Who a presented token stands for; 401 for an unknown or revoked token.
    public func authenticate(token: String) async throws -> Caller {
        let hash = APIToken.hash(presented: token)
        let now = clock.now()
        if let caller = recent.caller(for: hash, now: now) { return caller }
        guard let stored = try await store.token(hash: hash),
            APIToken.constantTimeEquals(stored.hash, hash),
            stored.revokedAt == nil
        else {
            throw APIError.unauthorized
        }
        let caller = Caller(token: stored.id, owner: stored.owner)
        recent.remember(caller, for: hash, now: now)
        return caller
    }

    /// Tokens revoked by a change this process made without seeing their values stop working at once.
    func forgetAuthenticatedTokens() {
        recent.forgetAll()
    }

    public func createOrganization(name: String) async throws -> Organization {
        try await store.createOrganization(name: try WorkspaceRules.name(name), now: clock.now())
    }

    /// From the command line: no actor.
    public func createWorkspace(name: String, organization: OrganizationID = defaultOrganization) async throws -> Workspace {
        try await store.createWorkspace(
            organization: organization,
            name: try WorkspaceRules.name(name),
            notificationEmails: [],
            actor: nil,
            now: clock.now()
        )
    }

    /// A new token for the workspace. The returned value is the only copy: only its hash is stored.
    public func issueToken(workspace: WorkspaceID) async throws -> String {
        guard try await store.workspace(workspace) != nil else {
            throw APIError.notFound("Workspace \(workspace) not found")
        }
        return try await issue(owner: .workspace(workspace))
    }

    /// A new organisation token (Census's personal access token): it reaches the organisation API only.
    public func issueOrganizationToken(organization: OrganizationID) async throws -> String {
        guard try await store.organization(organization) != nil else {
            throw APIError.notFound("Organization \(organization) not found")
        }
        return try await issue(owner: .organization(organization))
    }

    private func issue(owner: TokenOwner) async throws -> String {
        let (token, hash) = APIToken.generate()
        _ = try await store.createToken(owner: owner, hash: hash, now: clock.now())
        return token
    }

    public func revoke(token: String) async throws -> Bool {
        let hash = APIToken.hash(presented: token)
        defer { recent.forget(hash) }
        return try await store.revokeToken(hash: hash, now: clock.now())
    }

    /// On an empty database: a default workspace and its first token, shown once. Nil otherwise.
    public func bootstrap() async throws -> (workspace: Workspace, token: String)? {
        let (token, hash) = APIToken.generate()
        guard
            let workspace = try await store.bootstrap(
                workspaceName: Self.defaultWorkspaceName,
                tokenHash: hash,
                now: clock.now()
            )
        else { return nil }
        return (workspace, token)
    }
}
