import Foundation

/// Census's destination connect links, without HTTP: a workspace token makes, lists and revokes its
/// workspace's links; another workspace's link answers as a missing one.
public struct ConnectLinkService: Sendable {
    private let store: any ConnectLinkStore
    private let destinations: any DestinationStore
    private let connectors: ConnectorRegistry
    private let keys: ConnectLinkKeys
    private let lifetime: TimeInterval
    private let clock: any WallClock

    /// - Parameter lifetime: how long a new link can be used.
    public init(
        store: any ConnectLinkStore,
        destinations: any DestinationStore,
        connectors: ConnectorRegistry,
        keys: ConnectLinkKeys,
        lifetime: TimeInterval,
        clock: any WallClock
    ) {
        self.store = store
        self.destinations = destinations
        self.connectors = connectors
        self.keys = keys
        self.lifetime = lifetime
        self.clock = clock
    }

    /// A link to connect a new destination of `type`.
    public func create(_ principal: Principal, type: String, redirectURI: String?) async throws -> ConnectLink {
        let connector = try connectors.declaration(forType: type)
        return try await insert(principal, type: connector.serviceName, destination: nil, redirectURI: redirectURI)
    }

    /// A link to re-authorise (or re-enter the credentials of) an existing destination.
    public func reauthorize(_ principal: Principal, _ destination: DestinationID, redirectURI: String?) async throws -> ConnectLink {
        guard let detail = try await destinations.detail(workspace: principal.workspaceID, id: destination) else {
            throw APIError.destinationNotFound
        }
        return try await insert(principal, type: detail.destination.type, destination: destination, redirectURI: redirectURI)
    }

    public func list(_ principal: Principal, _ request: PageRequest) async throws -> Page<ConnectLink> {
        try await store.page(workspace: principal.workspaceID, request: request)
    }

    public func get(_ principal: Principal, _ id: ConnectLinkID) async throws -> ConnectLink {
        guard let link = try await store.link(workspace: principal.workspaceID, id: id) else { throw APIError.connectLinkNotFound }
        return link
    }

    public func revoke(_ principal: Principal, _ id: ConnectLinkID) async throws -> ConnectLink {
        guard let link = try await store.revoke(workspace: principal.workspaceID, id: id, actor: principal.tokenID, now: clock.now()) else {
            throw APIError.connectLinkNotFound
        }
        return link
    }

    /// The key of the link's `uri`.
    public func key(of link: ConnectLink) -> String {
        keys.key(for: link.keyNonce)
    }

    public func now() -> Date { clock.now() }

    private func insert(_ principal: Principal, type: String, destination: DestinationID?, redirectURI: String?) async throws -> ConnectLink {
        if let redirectURI, !TextPatterns.matches(redirectURI, TextPatterns.httpURL) {
            throw APIError.unprocessable("redirect_uri must be an absolute http or https URL")
        }
        let nonce = ConnectLinkKeys.nonce()
        let now = clock.now()
        return try await store.insert(
            NewConnectLink(
                workspaceID: principal.workspaceID,
                type: type,
                destinationID: destination,
                redirectURI: redirectURI,
                keyNonce: nonce,
                keyHash: ConnectLinkKeys.hash(keys.key(for: nonce)),
                createdAt: now,
                expiresAt: now.addingTimeInterval(lifetime),
                actor: principal.tokenID
            )
        )
    }
}
