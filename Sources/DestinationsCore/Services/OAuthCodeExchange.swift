/// What the provider's token endpoint gave us for an authorization code, split the way it is stored.
public struct OAuthGrant: Sendable, Hashable {
    /// Non-secret provider details (Salesforce instance URL, HubSpot portal id ...), for `connection_details`.
    public var details: [String: JSONValue]
    /// Tokens and anything else secret, stored encrypted.
    public var secrets: [String: JSONValue]

    public init(details: [String: JSONValue], secrets: [String: JSONValue]) {
        self.details = details
        self.secrets = secrets
    }
}

/// Trades an OAuth authorization code for tokens at the connector's provider.
public protocol OAuthCodeExchange: Sendable {
    /// - Throws: `APIError.unprocessable` when the connector's OAuth client is not configured or the
    ///   provider rejects the code; nothing is stored then.
    func exchange(
        code: String,
        state: String?,
        connector: ConnectorDeclaration,
        workspace: WorkspaceID,
        fields: [String: JSONValue]
    ) async throws -> OAuthGrant
}
