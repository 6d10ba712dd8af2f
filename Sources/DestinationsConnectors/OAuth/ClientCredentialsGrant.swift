import DestinationsCore
import Foundation

/// The OAuth 2.0 client-credentials grant (RFC 6749 section 4.4): a token for the client itself, asked
/// for whenever one is needed, as none of these providers hands out a refresh token. Providers differ
/// only in how the request is written.
struct ClientCredentialsGrant {
    enum Encoding {
        /// A GET with the credentials in the query (Marketo's identity service).
        case query
        /// A POST of a JSON object (Salesforce Marketing Cloud).
        case json
    }

    let provider: String
    let tokenURL: URL
    let encoding: Encoding
    /// Fields the provider takes beside the credentials (a scope, an account id).
    var parameters: [String: String] = [:]
    let hostSource: ProviderRequest.HostSource

    /// The token answer, whose `access_token` is checked to be there; the rest is the provider's
    /// (instance URLs, lifetimes).
    func token(_ context: ConnectorContext) async throws -> (accessToken: String, answer: [String: JSONValue]) {
        let api = ProviderAPI(provider: provider, context: context, headers: [("Accept", "application/json")], hostSource: hostSource)
        var fields = parameters
        fields["grant_type"] = "client_credentials"
        fields["client_id"] = try context.credential("client_id")
        fields["client_secret"] = try context.credential("client_secret")
        let request: ProviderRequest =
            switch encoding {
            case .query: ProviderRequest(url: tokenURL.setting(fields), headers: api.headers, hostSource: hostSource)
            case .json:
                ProviderRequest(
                    method: "POST",
                    url: tokenURL,
                    headers: api.headers + [("Content-Type", "application/json")],
                    body: JSONValue.encodeObject(fields.mapValues(JSONValue.string)),
                    hostSource: hostSource
                )
            }
        let answer = try api.decode(JSONValue.self, from: try await api.send(request)).objectValue ?? [:]
        guard let accessToken = answer["access_token"]?.stringValue, !accessToken.isEmpty else {
            throw ProviderFailure.permanent("\(provider)'s token endpoint answered without an access token")
        }
        return (accessToken, answer)
    }
}
