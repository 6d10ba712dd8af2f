import Foundation

/// Workspaces, tokens and authentication, without HTTP.
public struct AccessService: Sendable {
    public static let defaultWorkspaceName = "default"

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

    /// The principal a presented token stands for; 401 for an unknown or revoked token.
    public func authenticate(token: String) async throws -> Principal {
        let hash = APIToken.hash(presented: token)
        let now = clock.now()
        if let principal = recent.principal(for: hash, now: now) { return principal }
        guard let stored = try await store.token(hash: hash),
            APIToken.constantTimeEquals(stored.hash, hash),
            stored.revokedAt == nil
        else {
            throw APIError.unauthorized
        }
        let principal = Principal(workspaceID: stored.workspaceID, tokenID: stored.id)
        recent.remember(principal, for: hash, now: now)
        return principal
    }

    public func createWorkspace(name: String) async throws -> Workspace {
        let name = name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 255 else {
            throw APIError.unprocessable("A workspace name must be 1 to 255 characters")
        }
        return try await store.createWorkspace(name: name, now: clock.now())
    }

    /// A new token for the workspace. The returned value is the only copy: only its hash is stored.
    public func issueToken(workspace: WorkspaceID) async throws -> String {
        guard try await store.workspace(workspace) != nil else {
            throw APIError.notFound("Workspace \(workspace) not found")
        }
        let (token, hash) = APIToken.generate()
        _ = try await store.createToken(workspace: workspace, hash: hash, now: clock.now())
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
