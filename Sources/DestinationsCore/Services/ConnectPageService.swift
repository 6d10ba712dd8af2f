import Foundation

/// What the hosted connect page does, without HTTP: open a link by its key, describe the form for its
/// type, and connect the destination, tested before anything is saved.
public struct ConnectPageService: Sendable {
    /// One field of the form, with the server's own rules and messages.
    public struct FormField: Sendable, Hashable {
        public var field: CredentialField
        public var requiredMessage: String
        public var formatMessage: String?
    }

    public struct Form: Sendable, Hashable {
        public var link: ConnectLink
        /// What a submission must carry in `X-CSRF-Token`.
        public var token: String
        public var label: String
        public var authMethod: AuthMethod
        public var fields: [FormField]
    }

    public enum Outcome: Sendable {
        case connected(DestinationDetail, redirect: String?)
        /// The provider refused: nothing was saved.
        case testFailed(ConnectionTestResult)
    }

    private let links: any ConnectLinkStore
    private let keys: ConnectLinkKeys
    private let destinations: DestinationService
    private let oauth: OAuthService
    private let connectors: ConnectorRegistry
    private let clock: any WallClock

    public init(
        links: any ConnectLinkStore,
        keys: ConnectLinkKeys,
        destinations: DestinationService,
        oauth: OAuthService,
        connectors: ConnectorRegistry,
        clock: any WallClock
    ) {
        self.links = links
        self.keys = keys
        self.destinations = destinations
        self.oauth = oauth
        self.connectors = connectors
        self.clock = clock
    }

    /// The link the key opens, while it can be used: 404 for a key no link has, 410 for one expired,
    /// revoked or used, each saying which.
    public func open(key: String) async throws -> ConnectLink {
        guard !key.isEmpty, key.utf8.count <= 128, let link = try await links.link(keyHash: ConnectLinkKeys.hash(key)) else {
            throw APIError.notFound("This link does not exist. Ask for a new one.")
        }
        if link.revokedAt != nil { throw APIError(.gone, "This link was revoked. Ask for a new one.") }
        if link.usedAt != nil { throw APIError(.gone, "This link was already used to connect a destination.") }
        if link.isExpired(at: clock.now()) { throw APIError(.gone, "This link has expired. Ask for a new one.") }
        return link
    }

    public func form(_ link: ConnectLink) throws -> Form {
        let declaration = try connectors.declaration(forType: link.type)
        let hidden: Set<String> = [ConnectorDeclaration.oauthCodeKey, ConnectorDeclaration.oauthStateKey]
        let fields = declaration.fields.filter { !hidden.contains($0.id) }.map { field in
            FormField(field: field, requiredMessage: declaration.requiredMessage(field), formatMessage: declaration.formatMessage(field))
        }
        return Form(
            link: link,
            token: keys.formToken(for: link.keyNonce),
            label: declaration.label,
            authMethod: declaration.authMethod,
            fields: fields
        )
    }

    /// A submission's token must be the form's (compared in constant time).
    public func checkToken(_ presented: String?, for link: ConnectLink) throws {
        let expected = Data(keys.formToken(for: link.keyNonce).utf8)
        guard let presented, APIToken.constantTimeEquals(Data(presented.utf8), expected) else {
            throw APIError(.forbidden, "The page's security token is missing or stale: reload the page and try again")
        }
    }

    /// The provider's consent page, coming back to `redirectURI` (the page's callback).
    public func authorizeURL(_ link: ConnectLink, redirectURI: String, domain: String?) async throws -> URL {
        try await oauth.authorizeURL(workspace: link.workspaceID, type: link.type, redirectURI: redirectURI, domain: domain, state: nil)
    }

    /// A new destination, or for a re-authorisation link the same one with its new credentials: either
    /// only once the connection test passed with them.
    public func connect(_ link: ConnectLink, credentials: [String: JSONValue]) async throws -> Outcome {
        let (connected, test) =
            link.reauthorizes
            ? try await destinations.reconnect(through: link, credentials: credentials)
            : try await destinations.create(through: link, DestinationCreation(type: link.type, credentials: credentials))
        guard let connected else { return .testFailed(test) }
        return .connected(connected, redirect: link.redirectURI.map { Self.redirect($0, destination: connected.destination.id) })
    }

    /// `redirect_uri` with the new destination's id added to its query.
    static func redirect(_ uri: String, destination: DestinationID) -> String {
        guard var components = URLComponents(string: uri) else { return uri }
        components.queryItems = (components.queryItems ?? []) + [URLQueryItem(name: "destination_id", value: String(destination.rawValue))]
        return components.string ?? uri
    }
}
