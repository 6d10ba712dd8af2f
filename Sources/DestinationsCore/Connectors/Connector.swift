import Foundation

/// A destination type: its declaration, and how to talk to its service.
public protocol Connector: Sendable {
    var declaration: ConnectorDeclaration { get }

    /// The objects the destination's service offers now, asked over its API. Connectors whose objects
    /// are fixed answer their catalogue.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject]

    /// The fields of one object, asked over the service's API. Connectors whose objects take free-form
    /// fields answer the ones they document (or none).
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField]

    /// A cheap authenticated call (or a few), as named steps: whether the credentials work, and why not.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep]

    /// The connector's OAuth flow; nil for connectors configured with credentials.
    var oauth: (any OAuthProvider)? { get }

    /// The addresses a user's credentials make us call, by the field they come from, so that they can
    /// be vetted when the credentials are given.
    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)]
}

extension Connector {
    public var oauth: (any OAuthProvider)? { nil }

    public func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        declaration.objects
    }

    public func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        []
    }

    /// By default, every URL-valued field.
    public func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        declaration.fields.filter { $0.format == .url }.compactMap { field in
            credentials[field.id]?.stringValue.flatMap(URL.init(string:)).map { (field.id, $0) }
        }
    }
}

/// Decides whether a user-supplied address may be called at all (the outbound guard).
public protocol HostPolicy: Sendable {
    /// Why the URL's host may not be called, or nil when it may.
    func refusal(for url: URL) async -> String?
}

/// What a connector needs to call its service for one destination.
public struct ConnectorContext: Sendable {
    /// The destination's credentials: its connection details and its decrypted secrets together.
    public var credentials: [String: JSONValue]
    /// The secret values among them, so that nothing a provider echoes back can carry one into a message.
    public var secretValues: [String]
    public var http: any ProviderHTTP
    /// The operator's override of the provider's base URL (`connectors.<type>.base_url`), used in place
    /// of the real one and of any user-supplied host.
    public var baseURLOverride: URL?

    public init(
        details: [String: JSONValue],
        secrets: [String: JSONValue],
        http: any ProviderHTTP,
        baseURLOverride: URL? = nil
    ) {
        self.credentials = details.merging(secrets) { $1 }
        self.secretValues = secrets.values.compactMap(\.stringValue).filter { $0.count >= 4 }
        self.http = http
        self.baseURLOverride = baseURLOverride
    }

    /// The text with every secret value blanked out.
    public func redacted(_ text: String) -> String {
        secretValues.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// A credential that must be present; its absence is a stored-data problem, reported plainly.
    public func credential(_ key: String) throws -> String {
        guard let value = credentials[key]?.stringValue, !value.isEmpty else {
            throw ProviderFailure.permanent("The destination has no \(key); update its credentials")
        }
        return value
    }
}
