import DestinationsCore
import Foundation

struct Slack: Connector {
    /// Slack's v2 flow: comma-separated bot scopes, the client authenticated with HTTP Basic as Slack asks.
    /// Refresh tokens exist only when the app has token rotation on; each refresh then revokes the old one
    /// and answers a new one, which the refresher stores. Without rotation the bot token never expires.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Slack",
        authorizeURL: "https://slack.com/oauth/v2/authorize",
        tokenURL: "https://slack.com/api/oauth.v2.access",
        scopes: ["chat:write", "chat:write.public", "channels:read", "groups:read", "users:read", "users:read.email"],
        scopeSeparator: ",",
        clientAuthentication: .basic,
        details: { answer in
            var details: [String: JSONValue] = [:]
            if let team = answer["team"]?.objectValue {
                details["team_id"] = team["id"]
                details["team_name"] = team["name"]
            }
            details["bot_user_id"] = answer["bot_user_id"]
            return details.compactMapValues { $0 == .null ? nil : $0 }
        }
    )

    let declaration = ConnectorDeclaration(
        serviceName: "slack",
        label: "Slack",
        authMethod: .oauth,
        documentationSlug: "slack",
        fields: [],
        objects: [.standard("Message", "message", customFields: false)]
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Slack",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .configured
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://slack.com/api")
    }

    /// A Web API method's answer. Slack answers HTTP 200 with `ok: false` and an error code for a bad
    /// token as for anything else, so `ok` decides.
    private func call(_ method: String = "GET", _ url: URL, _ context: ConnectorContext) async throws -> [String: JSONValue] {
        let api = try api(context)
        let response = try await api.send(ProviderRequest(method: method, url: url, headers: api.headers, hostSource: api.hostSource))
        let answer = try api.decode(JSONValue.self, from: response).objectValue ?? [:]
        guard answer["ok"] == .bool(true) else {
            let error = answer["error"]?.stringValue ?? "an unnamed error"
            let advice = Self.authorizationErrors.contains(error) ? ". Authorize Slack again" : ""
            throw ProviderFailure.permanent("Slack says \(error) (\(url.lastPathComponent))\(advice)")
        }
        return answer
    }

    /// Error codes that mean the token itself no longer works.
    static let authorizationErrors: Set<String> = ["invalid_auth", "not_authed", "token_revoked", "token_expired", "account_inactive"]

    /// Who the token is: `auth.test`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Check the Slack token (auth.test)", { _ = try await call("POST", try base(context).appendingPathComponent("auth.test"), context) })
        ])
    }

    /// Messages, plus one per channel the token can see (`conversations.list`, cursor pages), for posting
    /// to that channel.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let first = try base(context).appendingPathComponent("conversations.list")
            .setting(["types": "public_channel,private_channel", "exclude_archived": "true", "limit": "200"])
        let channels = try await collectPages(first: first) { url in
            let answer = try await call("GET", url, context)
            // An empty cursor marks the last page.
            let cursor = answer["response_metadata"]?.objectValue?["next_cursor"]?.stringValue ?? ""
            return ((answer["channels"]?.arrayValue ?? []).compactMap(\.objectValue), cursor.isEmpty ? nil : first.setting(["cursor": cursor]))
        }
        return declaration.objects
            + channels.compactMap { channel in
                guard let id = channel["id"]?.stringValue else { return nil }
                return .standard("Message to #\(channel["name"]?.stringValue ?? id)", "channel:\(id)", customFields: false)
            }
    }
}
