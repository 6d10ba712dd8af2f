import DestinationsCore
import Foundation

struct TikTok: Connector {
    let oauth: (any OAuthProvider)? = TikTokOAuth()

    let declaration = ConnectorDeclaration(
        serviceName: "tiktok",
        label: "TikTok Ads",
        authMethod: .oauth,
        documentationSlug: "tiktok",
        fields: [
            CredentialField(
                id: "advertiser_id",
                label: "Advertiser ID",
                format: .digits,
                hint: "The ad account whose audiences to sync; the authorisation must include it"
            )
        ],
        objects: [
            .standard("Customer File Audience", "customer_file_audience", customFields: false),
            .standard("Partner Audience", "partner_audience", customFields: false),
            .standard("Web Event Conversion", "web_event"),
            .standard("Offline Event Conversion", "offline_event"),
        ]
    )

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://business-api.tiktok.com").appendingPathComponent("open_api/v1.3")
    }

    /// A GET of TikTok's envelope `{code, message, request_id, data}`: TikTok reports most errors with
    /// HTTP 200 and a non-zero `code`, so the code decides, not the status.
    private func data(_ url: URL, _ context: ConnectorContext) async throws -> [String: JSONValue] {
        let api = ProviderAPI(
            provider: "TikTok",
            context: context,
            headers: [("Access-Token", try context.credential("access_token"))],
            hostSource: .configured
        )
        let (answer, _) = try await api.get(url, as: JSONValue.self)
        let body = answer.objectValue ?? [:]
        try TikTokOAuth.check(body, context.redacted)
        return body["data"]?.objectValue ?? [:]
    }

    /// The configured advertiser, read with the token: `GET /advertiser/info/?advertiser_ids=["…"]`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the TikTok advertiser account",
                {
                    let id = try context.credential("advertiser_id")
                    let url = try base(context).appendingPathComponent("advertiser/info/").setting(["advertiser_ids": "[\"\(id)\"]"])
                    let found = try await data(url, context)["list"]?.arrayValue ?? []
                    guard !found.isEmpty else {
                        throw ProviderFailure.permanent("TikTok did not return advertiser \(id); authorize again and include that ad account")
                    }
                }
            )
        ])
    }

    /// The advertiser's custom audiences (`GET /dmp/custom_audience/list/`, numbered pages of up to 100).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let first = try base(context).appendingPathComponent("dmp/custom_audience/list/").setting([
            "advertiser_id": try context.credential("advertiser_id"), "page_size": "100", "page": "1",
        ])
        let audiences = try await collectPages(first: first) { url in
            let page = try await data(url, context)
            let items = (page["list"]?.arrayValue ?? []).compactMap(\.objectValue)
            let info = page["page_info"]?.objectValue
            let current = info?["page"]?.intValue ?? 1
            let total = info?["total_page"]?.intValue ?? 1
            return (items, current < total ? url.setting(["page": String(current + 1)]) : nil)
        }
        return declaration.objects
            + audiences.compactMap { audience in
                guard let id = audience["audience_id"]?.stringValue ?? audience["audience_id"]?.intValue.map({ String($0) }) else { return nil }
                return .standard("Audience: \(audience["name"]?.stringValue ?? id)", "audience:\(id)", customFields: false)
            }
    }
}

/// TikTok's advertiser authorisation, which is not RFC 6749: consent at the portal with `app_id`, a JSON
/// exchange of `{app_id, secret, auth_code}`, and a long-term access token in `data` with no refresh
/// token and no expiry.
struct TikTokOAuth: OAuthProvider {
    let needsDomain = false
    let refreshes = false

    static let authorizeURL = URL(string: "https://business-api.tiktok.com/portal/auth")!
    static let tokenURL = URL(string: "https://business-api.tiktok.com/open_api/v1.3/oauth2/access_token/")!

    /// Fails on TikTok's envelope carrying a non-zero `code`, in TikTok's words.
    static func check(_ body: [String: JSONValue], _ redacted: (String) -> String) throws {
        let code: Int? =
            switch body["code"] {
            case .integer(let value)?: Int(exactly: value)
            case .string(let text)?: Int(text)
            default: nil
            }
        guard let code, code != 0 else { return }
        throw ProviderFailure.permanent("TikTok says \(redacted(body["message"]?.stringValue ?? "no message")) (code \(code))")
    }

    func consentURL(client: OAuthClient, redirectURI: String, state: String, extras: OAuthExtras) throws -> URL {
        (client.authorizeURL ?? Self.authorizeURL).setting(["app_id": client.clientID, "redirect_uri": redirectURI, "state": state])
    }

    func exchange(
        code: String,
        redirectURI: String,
        extras: OAuthExtras,
        client: OAuthClient,
        http: any ProviderHTTP,
        now: Date
    ) async throws -> OAuthTokens {
        let redact = { (text: String) in
            [client.clientSecret, code].filter { $0.count >= 4 }.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
        }
        let response = try await http.send(
            ProviderRequest(
                method: "POST",
                url: client.tokenURL ?? Self.tokenURL,
                headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
                body: JSONValue.encodeObject(["app_id": .string(client.clientID), "secret": .string(client.clientSecret), "auth_code": .string(code)]
                ),
                hostSource: .configured
            )
        )
        let body = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?.objectValue ?? [:]
        guard (200..<300).contains(response.status) else {
            let message = redact(body["message"]?.stringValue ?? "HTTP \(response.status)")
            throw response.status == 429 || response.status >= 500
                ? ProviderFailure.transient("TikTok answered HTTP \(response.status): \(message)")
                : ProviderFailure.permanent("TikTok answered HTTP \(response.status): \(message)")
        }
        try Self.check(body, redact)
        let data = body["data"]?.objectValue ?? [:]
        guard let accessToken = data["access_token"]?.stringValue, !accessToken.isEmpty else {
            throw ProviderFailure.permanent("TikTok's token endpoint answered without an access token")
        }
        // The ad accounts the user authorised, so a wrong advertiser id can be told apart.
        let advertisers = (data["advertiser_ids"]?.arrayValue ?? []).compactMap { $0.stringValue ?? $0.intValue.map { String($0) } }
        return OAuthTokens(
            accessToken: accessToken,
            refreshToken: nil,
            expiresAt: nil,
            details: advertisers.isEmpty ? [:] : ["advertiser_ids": .array(advertisers.map(JSONValue.string))]
        )
    }

    func refresh(refreshToken: String, extras: OAuthExtras, client: OAuthClient, http: any ProviderHTTP, now: Date) async throws -> OAuthTokens {
        throw OAuthFailure.refreshTokenRejected("TikTok's advertiser tokens do not expire and cannot be refreshed; authorize again")
    }
}
