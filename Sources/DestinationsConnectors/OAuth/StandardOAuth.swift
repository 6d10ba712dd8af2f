import Crypto
import DestinationsCore
import Foundation

/// The authorization-code flow as most providers run it, told apart by a few settings: where consent
/// and tokens live, the scopes, how the client authenticates, and what else the answer carries.
struct StandardOAuth: OAuthProvider {
    enum ClientAuthentication {
        /// `client_id` and `client_secret` among the form fields.
        case formBody
        /// HTTP Basic with the client id and secret (Pinterest, Pipedrive).
        case basic
        /// A JSON body with the client id and secret (Zendesk).
        case jsonBody
        /// HTTP Basic with the client id and secret, and the grant as a JSON body (Notion).
        case basicJSON
    }

    let provider: String
    /// May contain `{domain}` (Zendesk's subdomain).
    let authorizeURL: String
    let tokenURL: String
    var sandboxAuthorizeURL: String? = nil
    var sandboxTokenURL: String? = nil
    var scopes: [String] = []
    var scopeSeparator = " "
    var authorizeParameters: [String: String] = [:]
    var clientAuthentication = ClientAuthentication.formBody
    /// Providers that send no `expires_in` (Salesforce: the org's session timeout) are assumed to
    /// expire after this long, so the token is refreshed in time.
    var assumedLifetime: TimeInterval? = nil
    var refreshes = true
    var needsDomain = false
    /// Whether consent carries an S256 code challenge and the exchange its verifier (RFC 7636; Airtable
    /// requires it).
    var pkce = false
    /// Whether the code exchange and each refresh name the scopes again (the Microsoft identity platform
    /// asks for them).
    var scopesInTokenRequests = false
    /// Non-secret facts of the token answer worth keeping (Salesforce's instance URL).
    var details: @Sendable ([String: JSONValue]) -> [String: JSONValue] = { _ in [:] }
    /// A call after the exchange for facts the token answer lacks (HubSpot's portal id).
    var describe: (@Sendable (_ accessToken: String, _ client: OAuthClient, _ http: any ProviderHTTP) async throws -> [String: JSONValue])? = nil

    var offersSandbox: Bool { sandboxAuthorizeURL != nil }

    func consentURL(client: OAuthClient, redirectURI: String, state: String, extras: OAuthExtras) throws -> URL {
        let base = try endpoint(
            override: extras.sandbox ? client.sandboxAuthorizeURL ?? client.authorizeURL : client.authorizeURL,
            template: extras.sandbox ? sandboxAuthorizeURL ?? authorizeURL : authorizeURL,
            extras: extras
        )
        var parameters = authorizeParameters
        parameters["response_type"] = "code"
        parameters["client_id"] = client.clientID
        parameters["redirect_uri"] = redirectURI
        parameters["state"] = state
        if !scopes.isEmpty { parameters["scope"] = scopes.joined(separator: scopeSeparator) }
        if pkce {
            parameters["code_challenge"] = Data(SHA256.hash(data: Data(try codeVerifier(extras).utf8))).base64URLEncodedString()
            parameters["code_challenge_method"] = "S256"
        }
        return base.setting(parameters)
    }

    func exchange(
        code: String,
        redirectURI: String,
        extras: OAuthExtras,
        client: OAuthClient,
        http: any ProviderHTTP,
        now: Date
    ) async throws -> OAuthTokens {
        var fields = ["grant_type": "authorization_code", "code": code, "redirect_uri": redirectURI]
        if pkce { fields["code_verifier"] = try codeVerifier(extras) }
        if clientAuthentication == .jsonBody || scopesInTokenRequests, !scopes.isEmpty {
            fields["scope"] = scopes.joined(separator: scopeSeparator)
        }
        let answer = try await token(fields, extras: extras, client: client, http: http, refreshing: false)
        var tokens = try tokens(from: answer, now: now)
        if let describe {
            tokens.details.merge(try await describe(tokens.accessToken, client, http)) { $1 }
        }
        return tokens
    }

    func refresh(refreshToken: String, extras: OAuthExtras, client: OAuthClient, http: any ProviderHTTP, now: Date) async throws -> OAuthTokens {
        var fields = ["grant_type": "refresh_token", "refresh_token": refreshToken]
        if scopesInTokenRequests { fields["scope"] = scopes.joined(separator: scopeSeparator) }
        let answer = try await token(
            fields,
            extras: extras,
            client: client,
            http: http,
            refreshing: true
        )
        return try tokens(from: answer, now: now)
    }

    private func token(
        _ fields: [String: String],
        extras: OAuthExtras,
        client: OAuthClient,
        http: any ProviderHTTP,
        refreshing: Bool
    ) async throws -> [String: JSONValue] {
        let url = try endpoint(
            override: extras.sandbox ? client.sandboxTokenURL ?? client.tokenURL : client.tokenURL,
            template: extras.sandbox ? sandboxTokenURL ?? tokenURL : tokenURL,
            extras: extras
        )
        var fields = fields
        var headers: [(name: String, value: String)] = [("Accept", "application/json")]
        // What an error message quoting the request back must not repeat.
        var sensitive = [client.clientSecret] + ["refresh_token", "code", "code_verifier"].compactMap { fields[$0] }
        let body: Data
        switch clientAuthentication {
        case .formBody:
            fields["client_id"] = client.clientID
            fields["client_secret"] = client.clientSecret
            headers.append(("Content-Type", "application/x-www-form-urlencoded"))
            body = Data(FormEncoding.encode(fields).utf8)
        case .basic, .basicJSON:
            let credentials = Data("\(client.clientID):\(client.clientSecret)".utf8).base64EncodedString()
            sensitive.append(credentials)
            headers.append(("Authorization", "Basic \(credentials)"))
            if clientAuthentication == .basicJSON {
                headers.append(("Content-Type", "application/json"))
                body = JSONValue.encodeObject(fields.mapValues(JSONValue.string))
            } else {
                headers.append(("Content-Type", "application/x-www-form-urlencoded"))
                body = Data(FormEncoding.encode(fields).utf8)
            }
        case .jsonBody:
            fields["client_id"] = client.clientID
            fields["client_secret"] = client.clientSecret
            headers.append(("Content-Type", "application/json"))
            body = JSONValue.encodeObject(fields.mapValues(JSONValue.string))
        }
        let response = try await http.send(
            ProviderRequest(method: "POST", url: url, headers: headers, body: body, hostSource: needsDomain ? .userSupplied : .configured)
        )
        let answer = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?.objectValue ?? [:]
        guard (200..<300).contains(response.status) else {
            throw failure(status: response.status, answer: answer, refreshing: refreshing, sensitive: sensitive)
        }
        return answer
    }

    /// RFC 6749 errors (`error`, `error_description`) and the providers' own shapes, in words; a refused
    /// refresh token is told apart, as only a new consent helps then.
    private func failure(status: Int, answer: [String: JSONValue], refreshing: Bool, sensitive: [String]) -> any Error {
        let code = answer["error"]?.stringValue
        let description =
            [answer["error_description"], answer["message"], answer["error"]?.objectValue?["message"], answer["error"]]
            .compactMap { $0?.stringValue }.first ?? "HTTP \(status)"
        let message = sensitive.filter { $0.count >= 4 }
            .reduce("\(provider) answered HTTP \(status): \(description)") { $0.replacingOccurrences(of: $1, with: "[redacted]") }
        if status == 429 || status >= 500 { return ProviderFailure.transient(message) }
        if refreshing, code == "invalid_grant" || status == 401 { return OAuthFailure.refreshTokenRejected(message) }
        return ProviderFailure.permanent(message)
    }

    private func tokens(from answer: [String: JSONValue], now: Date) throws -> OAuthTokens {
        // Intercom calls it `token`.
        guard let accessToken = (answer["access_token"] ?? answer["token"])?.stringValue, !accessToken.isEmpty else {
            throw ProviderFailure.permanent("\(provider)'s token endpoint answered without an access token")
        }
        let lifetime: TimeInterval? =
            switch answer["expires_in"] {
            case .integer(let seconds)?: TimeInterval(seconds)
            case .number(let seconds)?: seconds
            case .string(let text)?: TimeInterval(text)
            default: assumedLifetime
            }
        return OAuthTokens(
            accessToken: accessToken,
            refreshToken: answer["refresh_token"]?.stringValue,
            expiresAt: lifetime.map { now.addingTimeInterval($0) },
            details: details(answer)
        )
    }

    private func codeVerifier(_ extras: OAuthExtras) throws -> String {
        guard let verifier = extras.codeVerifier else {
            throw ProviderFailure.permanent("\(provider) needs a PKCE code verifier, and this authorisation has none")
        }
        return verifier
    }

    private func endpoint(override: URL?, template: String, extras: OAuthExtras) throws -> URL {
        if let override { return override }
        let resolved = template.replacingOccurrences(of: "{domain}", with: extras.domain ?? "")
        guard let url = URL(string: resolved), url.host?.isEmpty == false else {
            throw ProviderFailure.permanent("\(provider)'s OAuth endpoint \(resolved) is not a URL")
        }
        return url
    }
}
