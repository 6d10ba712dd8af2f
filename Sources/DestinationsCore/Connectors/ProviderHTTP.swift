import Foundation

/// One call to a provider's API.
public struct ProviderRequest: Sendable {
    /// Whether the host came from the operator's configuration (trusted) or from a user's credentials
    /// (an `instance_url`, a Zendesk subdomain), which the outbound guard must vet.
    public enum HostSource: Sendable {
        case configured
        case userSupplied
    }

    public var method: String
    public var url: URL
    public var headers: [(name: String, value: String)]
    public var body: Data?
    public var hostSource: HostSource

    public init(
        method: String = "GET",
        url: URL,
        headers: [(name: String, value: String)] = [],
        body: Data? = nil,
        hostSource: HostSource
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.hostSource = hostSource
    }
}

public struct ProviderResponse: Sendable {
    public var status: Int
    /// Header values by lower-cased name; repeated headers are joined with ", ".
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String], body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// Outbound HTTP to providers, behind a protocol so the transport (timeouts, the outbound guard) is
/// injected. Throws `ProviderFailure` for anything that is not an HTTP response.
public protocol ProviderHTTP: Sendable {
    func send(_ request: ProviderRequest) async throws -> ProviderResponse

    /// Where connections other than HTTP calls (a database's wire protocol) are opened, through the same
    /// outbound guard; nil for a client that has none, so such connectors fail rather than go around it.
    var tunnels: (any ProviderTunnels)? { get }
}

extension ProviderHTTP {
    public var tunnels: (any ProviderTunnels)? { nil }
}

/// Outbound connections that are not HTTP. Opaque here: the connectors that open one know the concrete
/// kind, which lives beside the HTTP client that owns the guard.
public protocol ProviderTunnels: Sendable {}

/// Why a call to a provider failed, in words a user can act on, and whether trying again may help.
public enum ProviderFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// Timeouts, rate limits, the provider's own faults, an unreachable host: worth retrying.
    /// `retryAfter` is the provider's own hint, in seconds.
    case transient(String, retryAfter: Double? = nil)
    /// Bad credentials, a missing permission, a refused host, a malformed answer: retrying cannot help.
    case permanent(String)

    public var message: String {
        switch self {
        case .transient(let message, _), .permanent(let message): message
        }
    }

    public var description: String { message }

    /// An answer that does not decode as the provider documents it.
    public static let unexpectedShape = ProviderFailure.permanent("The provider answered in a shape this server does not understand")
}
