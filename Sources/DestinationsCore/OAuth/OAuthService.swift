import Foundation

/// The OAuth flow without HTTP: authorize_url, and the code exchange of POST and PATCH.
public struct OAuthService: OAuthCodeExchange {
    /// How long an authorize_url (its state, its pending authorisation) stays usable.
    public static let authorizationLifetime: TimeInterval = 600

    private let connectors: ConnectorRegistry
    private let clients: [String: OAuthClient]
    private let pending: any PendingAuthorizationStore
    private let signer: OAuthStateSigner
    private let http: any ProviderHTTP
    private let clock: any WallClock

    public init(
        connectors: ConnectorRegistry,
        clients: [String: OAuthClient],
        pending: any PendingAuthorizationStore,
        signer: OAuthStateSigner,
        http: any ProviderHTTP,
        clock: any WallClock
    ) {
        self.connectors = connectors
        self.clients = clients
        self.pending = pending
        self.signer = signer
        self.http = http
        self.clock = clock
    }

    /// The provider's consent URL for a new pending authorisation of the workspace.
    /// - Parameter state: the caller's blob; for Salesforce, base64 JSON whose `sandbox: true` selects
    ///   the sandbox login.
    public func authorizeURL(_ principal: Principal, type: String, redirectURI: String, domain: String?, state: String?) async throws -> URL {
        try await authorizeURL(workspace: principal.workspaceID, type: type, redirectURI: redirectURI, domain: domain, state: state)
    }

    /// For a workspace's connect link, whose page asks for consent without an API token.
    public func authorizeURL(workspace: WorkspaceID, type: String, redirectURI: String, domain: String?, state: String?) async throws -> URL {
        let (connector, provider, client) = try oauthConnector(type, field: "type")
        guard TextPatterns.matches(redirectURI, TextPatterns.httpURL), redirectURI.codePoints <= FieldFormat.url.maximumLength! else {
            throw APIError.unprocessable("redirect_uri must be an absolute http or https URL")
        }
        var extras = OAuthExtras()
        // The type's own domain field says what a domain is (a Zendesk subdomain, a Dynamics host ...).
        let domainField = connector.declaration.fields.first { $0.id == "domain" }
        let domainFormat = domainField?.format ?? .subdomain
        if let domain, !domainFormat.accepts(domain) {
            throw APIError.unprocessable("domain \(domainFormat.problem ?? "is not valid")")
        }
        if provider.needsDomain {
            guard let domain else {
                throw APIError.unprocessable("domain is required for \(type)" + (domainField?.hint.map { " (\($0))" } ?? ""))
            }
            extras.domain = domain
        }
        if provider.offersSandbox, let state {
            extras.sandbox = try Self.sandbox(fromBlob: state)
        }
        let now = clock.now()
        let nonce = Data((0..<16).map { _ in UInt8.random(in: .min ... .max) }).base64URLEncodedString()
        let expiresAt = now.addingTimeInterval(Self.authorizationLifetime)
        let signed = signer.sign(
            .init(
                n: nonce,
                w: workspace.rawValue,
                t: type,
                e: Int64(expiresAt.timeIntervalSince1970),
                b: OAuthStateSigner.binding(redirectURI: redirectURI, extras: extras)
            )
        )
        var consentExtras = extras
        consentExtras.codeVerifier = signer.codeVerifier(nonce: nonce)
        let consent: URL
        do {
            consent = try provider.consentURL(client: client, redirectURI: redirectURI, state: signed, extras: consentExtras)
        } catch let failure as ProviderFailure {
            // What a flow refuses before any call is the request's (a domain outside the provider's hosts),
            // refused before a pending authorisation is written.
            throw APIError.unprocessable(failure.message)
        }
        _ = try await pending.insert(
            workspace: workspace,
            type: type,
            redirectURI: redirectURI,
            extras: extras,
            nonce: nonce,
            now: now,
            expiresAt: expiresAt
        )
        return consent
    }

    public func exchange(
        code: String,
        state: String?,
        connector declaration: ConnectorDeclaration,
        workspace: WorkspaceID,
        fields: [String: JSONValue]
    ) async throws -> OAuthGrant {
        let type = declaration.serviceName
        let (_, provider, client) = try oauthConnector(type, field: "service_connection.type")
        let now = clock.now()
        let authorization = try await consumePending(state: state, type: type, workspace: workspace, now: now)
        if let domain = authorization.extras.domain, let given = fields["domain"]?.stringValue, given != domain {
            // Well formed, and at odds with the authorisation it completes.
            throw APIError(.conflict, "credentials.domain (\(given)) is not the domain that was authorised (\(domain))")
        }
        var extras = authorization.extras
        extras.codeVerifier = signer.codeVerifier(nonce: authorization.nonce)
        let tokens: OAuthTokens
        do {
            tokens = try await provider.exchange(
                code: code,
                redirectURI: authorization.redirectURI,
                extras: extras,
                client: client,
                http: http,
                now: now
            )
        } catch let failure as ProviderFailure {
            throw APIError.unprocessable("\(declaration.label) did not accept the oauth_code: \(failure.message)")
        }
        var details = tokens.details
        if let domain = authorization.extras.domain { details["domain"] = .string(domain) }
        if authorization.extras.sandbox { details["sandbox"] = .bool(true) }
        return OAuthGrant(details: details, secrets: tokens.secrets)
    }

    /// Our own state finds its authorisation; anything else (no state, Salesforce's sandbox blob) takes
    /// the newest one of the workspace for the type. Either way it is used once.
    private func consumePending(state: String?, type: String, workspace: WorkspaceID, now: Date) async throws -> PendingAuthorization {
        if let state, OAuthStateSigner.looksSigned(state) {
            guard let claims = signer.verify(state, now: now), claims.w == workspace.rawValue, claims.t == type,
                let found = try await pending.consume(nonce: claims.n, workspace: workspace, type: type, now: now),
                OAuthStateSigner.binding(redirectURI: found.redirectURI, extras: found.extras) == claims.b
            else {
                throw APIError.unprocessable(
                    "credentials.state is not a valid authorisation state of this workspace for \(type) (tampered, expired or already used); start again with GET /api/v1/destinations/authorize_url"
                )
            }
            return found
        }
        guard let found = try await pending.consumeNewest(workspace: workspace, type: type, now: now) else {
            // The workspace's state, not the request, is what is missing: authorise, then send it again.
            throw APIError(
                .conflict,
                "No pending authorisation for \(type) in this workspace: call GET /api/v1/destinations/authorize_url first (an authorisation expires after 10 minutes and is used once)"
            )
        }
        return found
    }

    private func oauthConnector(_ type: String, field: String) throws -> (any Connector, any OAuthProvider, OAuthClient) {
        let connector = try connectors.connector(forType: type)
        guard let provider = connector.oauth else {
            throw APIError.unprocessable("\(field) \(type) does not use OAuth: create it with its credentials")
        }
        guard let client = clients[type] else {
            let prefix = "connectors.\(type).oauth"
            throw APIError.unprocessable("OAuth is not configured for \(type): set \(prefix).client_id and \(prefix).client_secret")
        }
        return (connector, provider, client)
    }

    /// Salesforce's blob: base64 of a JSON object such as `{"sandbox": true}`.
    static func sandbox(fromBlob blob: String) throws -> Bool {
        let trimmed = blob.removingPercentEncoding ?? blob
        guard let data = Data(base64Encoded: trimmed) ?? Data(base64URL: trimmed),
            case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: data)
        else {
            throw APIError.unprocessable(#"state must be a base64-encoded JSON object, such as {"sandbox": true}"#)
        }
        if case .bool(let sandbox)? = object["sandbox"] { return sandbox }
        return false
    }
}
