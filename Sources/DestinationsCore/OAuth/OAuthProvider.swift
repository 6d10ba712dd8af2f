import Foundation

/// An OAuth client registered with a provider, from the operator's configuration
/// (`connectors.<type>.oauth.*`), with optional overrides of the provider's endpoints.
public struct OAuthClient: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "OAuthClient(\(clientID), secret redacted)" }
    public var debugDescription: String { description }

    public var clientID: String
    public var clientSecret: String
    public var authorizeURL: URL?
    public var tokenURL: URL?
    public var sandboxAuthorizeURL: URL?
    public var sandboxTokenURL: URL?
    /// The connector's API base override (`connectors.<type>.base_url`), for calls made during the flow.
    public var apiBaseURL: URL?

    public init(
        clientID: String,
        clientSecret: String,
        authorizeURL: URL? = nil,
        tokenURL: URL? = nil,
        sandboxAuthorizeURL: URL? = nil,
        sandboxTokenURL: URL? = nil,
        apiBaseURL: URL? = nil
    ) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.authorizeURL = authorizeURL
        self.tokenURL = tokenURL
        self.sandboxAuthorizeURL = sandboxAuthorizeURL
        self.sandboxTokenURL = sandboxTokenURL
        self.apiBaseURL = apiBaseURL
    }
}

/// What the caller of authorize_url chose beyond the type: Zendesk's subdomain, Salesforce's sandbox.
public struct OAuthExtras: Sendable, Hashable, Codable {
    public var domain: String?
    public var sandbox: Bool
    /// The PKCE code verifier (RFC 7636) of this authorisation, for providers that take one. Derived
    /// from the state's nonce whenever it is needed, so never stored.
    public var codeVerifier: String?

    enum CodingKeys: String, CodingKey {
        case domain, sandbox
    }

    public init(domain: String? = nil, sandbox: Bool = false, codeVerifier: String? = nil) {
        self.domain = domain
        self.sandbox = sandbox
        self.codeVerifier = codeVerifier
    }
}

/// Tokens from a provider's token endpoint, split the way they are stored.
public struct OAuthTokens: Sendable, Hashable {
    public var accessToken: String
    public var refreshToken: String?
    public var expiresAt: Date?
    /// Non-secret facts the provider told us (Salesforce's instance URL, HubSpot's portal id ...).
    public var details: [String: JSONValue]

    public init(accessToken: String, refreshToken: String?, expiresAt: Date?, details: [String: JSONValue] = [:]) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.details = details
    }
}

/// A provider's OAuth 2.0 authorization-code flow: its consent URL, its code exchange and its token
/// refresh. Failures are `ProviderFailure`s; a refresh token the provider no longer accepts is
/// `OAuthFailure.refreshTokenRejected`.
public protocol OAuthProvider: Sendable {
    /// Whether authorize_url needs a `domain` (Zendesk).
    var needsDomain: Bool { get }
    /// Whether the provider hands out refresh tokens (Intercom's tokens never expire and have none).
    var refreshes: Bool { get }
    /// Whether a sandbox login exists, chosen by authorize_url's state blob (Salesforce and Pardot).
    var offersSandbox: Bool { get }

    func consentURL(client: OAuthClient, redirectURI: String, state: String, extras: OAuthExtras) throws -> URL

    func exchange(
        code: String,
        redirectURI: String,
        extras: OAuthExtras,
        client: OAuthClient,
        http: any ProviderHTTP,
        now: Date
    ) async throws -> OAuthTokens

    func refresh(refreshToken: String, extras: OAuthExtras, client: OAuthClient, http: any ProviderHTTP, now: Date) async throws -> OAuthTokens
}

extension OAuthProvider {
    public var offersSandbox: Bool { false }
}

public enum OAuthFailure: Error, Equatable {
    /// The provider refused the refresh token (`invalid_grant`): only a new consent helps.
    case refreshTokenRejected(String)
}

/// Whether the destination's OAuth authorisation still works.
public enum AuthStatus: String, Sendable, Hashable {
    case authorized
    case reauthorizationRequired = "reauthorization_required"
}

/// The keys under which OAuth tokens are kept among a destination's secrets.
public enum OAuthSecretKey {
    public static let accessToken = "access_token"
    public static let refreshToken = "refresh_token"
    /// RFC 3339; absent when the provider's tokens do not expire.
    public static let expiresAt = "access_token_expires_at"
}

extension OAuthTokens {
    /// The tokens as stored secrets.
    public var secrets: [String: JSONValue] {
        var secrets: [String: JSONValue] = [OAuthSecretKey.accessToken: .string(accessToken)]
        if let refreshToken { secrets[OAuthSecretKey.refreshToken] = .string(refreshToken) }
        if let expiresAt { secrets[OAuthSecretKey.expiresAt] = .string(ISO8601DateFormatter().string(from: expiresAt)) }
        return secrets
    }
}
