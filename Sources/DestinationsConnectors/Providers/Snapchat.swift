import DestinationsCore
import Foundation

struct Snapchat: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Snapchat",
        authorizeURL: "https://accounts.snapchat.com/login/oauth2/authorize",
        tokenURL: "https://accounts.snapchat.com/login/oauth2/access_token",
        scopes: ["snapchat-marketing-api"]
    )

    let declaration = ConnectorDeclaration(
        serviceName: "snapchat",
        label: "Snapchat Ads",
        authMethod: .oauth,
        documentationSlug: "snapchat",
        fields: [
            CredentialField(
                id: "ad_account_id",
                label: "Ad Account ID",
                placeholder: "8adc3db7-8148-4fbf-999c-8d2266369d74",
                hint: "The ad account whose customer lists to sync (a UUID, from Ads Manager)"
            )
        ],
        objects: [
            .standard("Conversion Event", "conversion_event"),
            .standard("Customer List", "customer_list", customFields: false),
        ]
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Snapchat",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .configured
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://adsapi.snapchat.com").appendingPathComponent("v1")
    }

    /// The user the token represents: `GET /v1/me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the authorised Snapchat user", { try await api(context).probe(try base(context).appendingPathComponent("me")) })
        ])
    }

    /// The ad account's first-party segments (customer lists): `GET /v1/adaccounts/{id}/segments`,
    /// following `paging.next_link`.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let url = try base(context).appendingPathComponent("adaccounts/\(try context.credential("ad_account_id"))/segments")
        let segments = try await api(context).linkedPages(
            first: url,
            as: SegmentPage.self,
            items: { $0.segments.compactMap(\.segment) },
            next: { $0.paging?.next_link }
        )
        return declaration.objects
            + segments.filter { $0.source_type == nil || $0.source_type == "FIRST_PARTY" }.map {
                .standard("Customer List: \($0.name)", "segment:\($0.id)", customFields: false)
            }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct SegmentPage: Decodable {
        let segments: [Entry]
        let paging: Paging?

        struct Entry: Decodable {
            let segment: Segment?
        }

        struct Segment: Decodable {
            let id: String
            let name: String
            let source_type: String?
        }

        struct Paging: Decodable {
            let next_link: String?
        }
    }
}
