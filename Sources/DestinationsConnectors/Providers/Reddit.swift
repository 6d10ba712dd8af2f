import DestinationsCore
import Foundation

struct Reddit: Connector {
    /// Reddit's own authorization-code flow (reddit-archive/reddit wiki, OAuth2): the client authenticates
    /// with HTTP Basic, and only `duration=permanent` yields a refresh token; without it the access token
    /// dies after an hour. The Ads API documents its scopes as a comma-separated list.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Reddit",
        authorizeURL: "https://www.reddit.com/api/v1/authorize",
        tokenURL: "https://www.reddit.com/api/v1/access_token",
        scopes: ["adsread", "adsedit", "adsconversions"],
        scopeSeparator: ",",
        authorizeParameters: ["duration": "permanent"],
        clientAuthentication: .basic
    )

    let declaration = ConnectorDeclaration(
        serviceName: "reddit",
        label: "Reddit Ads",
        authMethod: .oauth,
        documentationSlug: "reddit",
        fields: [
            CredentialField(
                id: "ad_account_id",
                label: "Ad Account ID",
                required: false,
                placeholder: "a2_abc123",
                hint: "The ad account whose custom audiences to sync, as Reddit Ads Manager shows it"
            )
        ],
        objects: [
            .standard("Conversion Events", "conversion_event"),
            .standard("Custom Audience Users", "custom_audience_user", customFields: false),
        ]
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Reddit",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .configured
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://ads-api.reddit.com").appendingPathComponent("api/v3")
    }

    /// The ad account, when one is given. It goes into paths, so only Reddit's id characters (`a2_…`,
    /// `t2_…`) are taken.
    private func adAccount(_ context: ConnectorContext) throws -> String? {
        guard let id = context.credentials["ad_account_id"]?.stringValue, !id.isEmpty else { return nil }
        guard id.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }) else {
            throw ProviderFailure.permanent("The Ad Account ID \(id) is not a Reddit ad account id (such as a2_abc123)")
        }
        return id
    }

    /// The member the token represents (`GET /api/v3/me`), then the ad account when one is given
    /// (`GET /api/v3/ad_accounts/{id}`), so that a mistyped id or a member without access shows here.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        var steps: [ConnectionCheck.Step] = [
            ("Read the authorised Reddit Ads member", { try await api(context).probe(try base(context).appendingPathComponent("me")) })
        ]
        if context.credentials["ad_account_id"]?.stringValue?.isEmpty == false {
            steps.append(
                (
                    "Read the ad account",
                    {
                        guard let account = try adAccount(context) else { return }
                        try await api(context).probe(try base(context).appendingPathComponent("ad_accounts/\(account)"))
                    }
                )
            )
        }
        return try await ConnectionCheck.run(steps)
    }

    /// The ad account's custom audiences (`GET /api/v3/ad_accounts/{id}/custom_audiences`), following
    /// `pagination.next_url` as Reddit asks: the URL is taken whole, not rebuilt from its query.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        guard let account = try adAccount(context) else { return declaration.objects }
        let api = try api(context)
        let first = try base(context).appendingPathComponent("ad_accounts/\(account)/custom_audiences")
        let audiences = try await collectPages(first: first) { url in
            let (page, _) = try await api.get(url, as: AudiencePage.self)
            // The bearer token goes only where the first page went.
            let next = page.pagination?.next_url.flatMap(URL.init(string:)).flatMap { $0.host == first.host ? $0 : nil }
            return (page.data, next)
        }
        return declaration.objects
            + audiences.filter { $0.status != "DELETED" }.map {
                .standard("Custom Audience: \($0.name)", "custom_audience:\($0.id)", customFields: false)
            }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct AudiencePage: Decodable {
        let data: [Audience]
        let pagination: Pagination?

        struct Audience: Decodable {
            let id: String
            let name: String
            let status: String?
        }

        struct Pagination: Decodable {
            let next_url: String?
        }
    }
}
