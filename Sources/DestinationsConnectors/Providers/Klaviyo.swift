import DestinationsCore
import Foundation

struct Klaviyo: Connector {
    static let revision = "2026-07-15"

    let declaration = ConnectorDeclaration(
        serviceName: "klaviyo",
        label: "Klaviyo",
        authMethod: .credentials,
        documentationSlug: "klaviyo",
        fields: [
            CredentialField(
                id: "private_api_key",
                label: "Private API Key",
                secret: true,
                placeholder: "pk_...",
                hint: "With the accounts:read, profiles:write, lists:write and events:write scopes"
            ),
            CredentialField(
                id: "public_api_key",
                label: "Public API Key (Site ID)",
                required: false,
                hint: "Six characters; speeds up profile upserts"
            ),
        ],
        objects: [
            .standard("Profile", "profile", caseSensitive: true),
            .standard("Event", "event", caseSensitive: true),
        ]
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Klaviyo",
            context: context,
            headers: [
                ("Authorization", "Klaviyo-API-Key \(try context.credential("private_api_key"))"),
                ("revision", Self.revision),
                ("accept", "application/vnd.api+json"),
            ],
            hostSource: .configured
        )
    }

    /// `GET /api/accounts`, which Klaviyo documents for checking that a key belongs to the account.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the Klaviyo account with the private key",
                {
                    try await api(context).probe(
                        try ProviderAPI.base(context, default: "https://a.klaviyo.com").appendingPathComponent("api/accounts")
                    )
                }
            )
        ])
    }

    /// Profiles and events, plus one list-membership object per list (`GET /api/lists`, cursor pages).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let lists = try await api(context).linkedPages(
            first: try ProviderAPI.base(context, default: "https://a.klaviyo.com").appendingPathComponent("api/lists"),
            as: ListPage.self,
            items: \.data,
            next: { $0.links?.next }
        )
        return declaration.objects + lists.map { .standard("List: \($0.attributes.name)", "list:\($0.id)", customFields: false) }
    }

    private struct ListPage: Decodable {
        let data: [List]
        let links: Links?

        struct List: Decodable {
            let id: String
            let attributes: Attributes
        }

        struct Attributes: Decodable {
            let name: String
        }

        struct Links: Decodable {
            let next: String?
        }
    }
}
