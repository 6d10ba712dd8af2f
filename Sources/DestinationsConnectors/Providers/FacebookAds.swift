import DestinationsCore
import Foundation

struct FacebookAds: Connector {
    static let graphVersion = "v25.0"

    let declaration = ConnectorDeclaration(
        serviceName: "facebook_ads",
        label: "Facebook Ads (Meta Custom Audiences)",
        authMethod: .credentials,
        documentationSlug: "facebook-ads",
        fields: [
            CredentialField(id: "ad_account_id", label: "Ad Account ID", format: .digits, hint: "Without the act_ prefix"),
            CredentialField(
                id: "access_token",
                label: "System User Access Token",
                secret: true,
                hint: "A Business Manager system user token with ads_management"
            ),
        ],
        objects: []
    )

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://graph.facebook.com").appendingPathComponent(Self.graphVersion)
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Meta",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .configured
        )
    }

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the token's user",
                { try await api(context).probe(try base(context).appendingPathComponent("me").setting(["fields": "id,name"])) }
            ),
            (
                "Read the ad account",
                {
                    try await api(context).probe(
                        try base(context).appendingPathComponent("act_\(try context.credential("ad_account_id"))").setting([
                            "fields": "id,name,account_status"
                        ])
                    )
                }
            ),
        ])
    }

    /// The ad account's custom audiences (`GET /act_{id}/customaudiences`, cursor pages).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let url = try base(context).appendingPathComponent("act_\(try context.credential("ad_account_id"))/customaudiences").setting([
            "fields": "id,name,subtype", "limit": "100",
        ])
        let audiences = try await api(context).linkedPages(first: url, as: AudiencePage.self, items: \.data, next: { $0.paging?.next })
        return audiences.filter { $0.subtype == nil || $0.subtype == "CUSTOM" }.map {
            .standard("Audience: \($0.name)", "audience:\($0.id)", customFields: false)
        }
    }

    private struct AudiencePage: Decodable {
        let data: [Audience]
        let paging: Paging?

        struct Audience: Decodable {
            let id: String
            let name: String
            let subtype: String?
        }

        struct Paging: Decodable {
            let next: String?
        }
    }
}
