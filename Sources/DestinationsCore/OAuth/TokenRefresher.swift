import Foundation

/// Keeps OAuth access tokens fresh before provider calls: refreshes one that expires within the margin,
/// persists the new tokens (a rotated refresh token in the same write), refreshes each destination's
/// token once however many callers want it at the same time, and marks a destination whose refresh
/// token the provider refused as needing a new consent.
public final class TokenRefresher: Sendable {
    public static let margin: TimeInterval = 300

    private let connectors: ConnectorRegistry
    private let clients: [String: OAuthClient]
    private let store: any DestinationStore
    private let secretBox: any SecretBox
    private let http: any ProviderHTTP
    private let telemetry: any Telemetry
    private let audit: AuditRecorder
    private let auditLog: any AuditLog
    private let clock: any WallClock
    private let inFlight = SingleFlight<DestinationID, [String: JSONValue]>()

    public init(
        connectors: ConnectorRegistry,
        clients: [String: OAuthClient],
        store: any DestinationStore,
        secretBox: any SecretBox,
        http: any ProviderHTTP,
        telemetry: any Telemetry = NoTelemetry(),
        audit: AuditRecorder,
        auditLog: any AuditLog,
        clock: any WallClock
    ) {
        self.connectors = connectors
        self.clients = clients
        self.store = store
        self.secretBox = secretBox
        self.http = http
        self.telemetry = telemetry
        self.audit = audit
        self.auditLog = auditLog
        self.clock = clock
    }

    /// The destination's secrets, with an access token good for at least the margin.
    public func freshSecrets(_ stored: StoredDestination, _ secrets: [String: JSONValue]) async throws -> [String: JSONValue] {
        let destination = stored.destination
        guard let provider = connectors[destination.type]?.oauth else { return secrets }
        if destination.authStatus == .reauthorizationRequired {
            throw ProviderFailure.permanent(Self.reauthorize(destination))
        }
        guard needsRefresh(secrets), provider.refreshes else { return secrets }
        return try await inFlight.run(destination.id) { [self] in
            try await refresh(destination, provider: provider)
        }
    }

    private func needsRefresh(_ secrets: [String: JSONValue]) -> Bool {
        guard let text = secrets[OAuthSecretKey.expiresAt]?.stringValue, let expiresAt = ISO8601DateFormatter().date(from: text) else {
            return false
        }
        return expiresAt.timeIntervalSince(clock.now()) < Self.margin
    }

    private func refresh(_ destination: Destination, provider: any OAuthProvider) async throws -> [String: JSONValue] {
        // Read again: another caller may have refreshed while this one waited.
        guard let current = try await store.stored(workspace: destination.workspaceID, id: destination.id) else {
            throw ProviderFailure.permanent("The destination no longer exists")
        }
        let secrets = try secretBox.openObject(current.secrets)
        guard needsRefresh(secrets) else { return secrets }
        guard let refreshToken = secrets[OAuthSecretKey.refreshToken]?.stringValue, let client = clients[destination.type] else {
            throw ProviderFailure.permanent(Self.reauthorize(destination))
        }
        let extras = OAuthExtras(
            domain: current.destination.connectionDetails["domain"]?.stringValue,
            sandbox: current.destination.connectionDetails["sandbox"] == .bool(true)
        )
        let tokens: OAuthTokens
        do {
            tokens = try await provider.refresh(refreshToken: refreshToken, extras: extras, client: client, http: http, now: clock.now())
        } catch OAuthFailure.refreshTokenRejected(let reason) {
            telemetry.oauthRefresh(connector: destination.type, outcome: OAuthRefreshOutcome.reauthorizationRequired.rawValue)
            try await markReauthorizationRequired(destination, unlessRefreshTokenIsNo: refreshToken)
            throw ProviderFailure.permanent(Self.reauthorize(destination) + " (\(reason))")
        } catch {
            telemetry.oauthRefresh(connector: destination.type, outcome: OAuthRefreshOutcome.failed.rawValue)
            try await auditLog.record([audit.refreshFailed(destination, at: clock.now())])
            throw error
        }
        telemetry.oauthRefresh(connector: destination.type, outcome: OAuthRefreshOutcome.refreshed.rawValue)
        let (secretBox, audit) = (self.secretBox, self.audit)
        let now = clock.now()
        let written = try await store.update(
            workspace: destination.workspaceID,
            id: destination.id,
            audit: { try audit.updated($0, $1, action: .oauthRefresh, by: nil, outcome: OAuthRefreshOutcome.refreshed.rawValue, at: now) },
            change: { stored in
                var next = stored
                var merged = try secretBox.openObject(stored.secrets)
                // A provider that does not rotate answers no refresh token: the old one stays.
                merged.merge(tokens.secrets) { $1 }
                if tokens.expiresAt == nil { merged[OAuthSecretKey.expiresAt] = nil }
                next.secrets = try secretBox.sealObject(merged)
                next.destination.connectionDetails.merge(tokens.details) { $1 }
                next.destination.authStatus = .authorized
                next.destination.updatedAt = now
                return next
            }
        )
        guard written != nil, let stored = try await store.stored(workspace: destination.workspaceID, id: destination.id) else {
            throw ProviderFailure.permanent("The destination no longer exists")
        }
        return try secretBox.openObject(stored.secrets)
    }

    /// Another instance may have rotated the token meanwhile; then its new one is fine and nothing is marked.
    private func markReauthorizationRequired(_ destination: Destination, unlessRefreshTokenIsNo refused: String) async throws {
        let (secretBox, audit) = (self.secretBox, self.audit)
        let now = clock.now()
        _ = try await store.update(
            workspace: destination.workspaceID,
            id: destination.id,
            audit: {
                try audit.updated($0, $1, action: .oauthRefresh, by: nil, outcome: OAuthRefreshOutcome.reauthorizationRequired.rawValue, at: now)
            },
            change: { stored in
                guard try secretBox.openObject(stored.secrets)[OAuthSecretKey.refreshToken]?.stringValue == refused else { return stored }
                var next = stored
                next.destination.authStatus = .reauthorizationRequired
                return next
            }
        )
    }

    static func reauthorize(_ destination: Destination) -> String {
        "The \(destination.type) authorisation of this destination is no longer valid: authorize it again "
            + "(GET /api/v1/destinations/authorize_url, then PATCH it with the new oauth_code)"
    }
}

/// Runs one operation per key at a time; callers for a key that is running share its result.
actor SingleFlight<Key: Hashable & Sendable, Value: Sendable> {
    private var running: [Key: Task<Value, any Error>] = [:]

    func run(_ key: Key, _ operation: @escaping @Sendable () async throws -> Value) async throws -> Value {
        if let task = running[key] { return try await task.value }
        let task = Task { try await operation() }
        running[key] = task
        defer { running[key] = nil }
        return try await task.value
    }
}
