import DestinationsCore
import Foundation

struct HubSpot: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "HubSpot",
        authorizeURL: "https://app.hubspot.com/oauth/authorize",
        tokenURL: "https://api.hubapi.com/oauth/v1/token",
        scopes: [
            "oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read",
            "crm.objects.companies.write", "crm.objects.deals.read", "crm.objects.deals.write", "crm.objects.custom.read",
            "crm.objects.custom.write", "crm.schemas.custom.read",
        ],
        describe: { accessToken, client, http in
            // The portal (hub) the token belongs to: GET /oauth/v1/access-tokens/{token}.
            let base = client.apiBaseURL ?? URL(string: "https://api.hubapi.com")!
            let response = try await http.send(
                ProviderRequest(url: base.appendingPathComponent("oauth/v1/access-tokens").appendingPathComponent(accessToken), hostSource: .configured)
            )
            guard (200..<300).contains(response.status), let info = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?.objectValue else {
                throw ProviderFailure.permanent("HubSpot did not describe the new access token (HTTP \(response.status))")
            }
            return ["hub_id": info["hub_id"] ?? .null, "hub_domain": info["hub_domain"] ?? .null].filter { $0.value != .null }
        }
    )

    let declaration = ConnectorDeclaration(
        serviceName: "hubspot",
        label: "HubSpot",
        authMethod: .oauth,
        documentationSlug: "hubspot",
        fields: [],
        objects: [
            .standard("Contact", "contact"),
            .standard("Company", "company"),
            .standard("Deal", "deal"),
            .standard("Ticket", "ticket"),
            .standard("Line Item", "line_item"),
            .standard("Product", "product"),
        ]
    )

    /// The standard CRM objects, plus the portal's custom object schemas (`GET /crm/v3/schemas`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = ProviderAPI(
            provider: "HubSpot",
            context: context,
            headers: [("Authorization", "Bearer \(try context.credential("access_token"))")],
            hostSource: .configured
        )
        let schemasURL = try ProviderAPI.base(context, default: "https://api.hubapi.com").appendingPathComponent("crm/v3/schemas")
        let schemas = try await collectPages(first: schemasURL) { url in
            let (page, _) = try await api.get(url, as: SchemaPage.self)
            return (page.results, page.paging?.next?.after.map { schemasURL.setting(["after": $0]) })
        }
        return declaration.objects
            + schemas.map { schema in
                .standard(schema.labels?.singular ?? schema.name, schema.fullyQualifiedName ?? schema.objectTypeId ?? schema.name)
            }
    }

    private struct SchemaPage: Decodable {
        let results: [Schema]
        let paging: Paging?

        struct Schema: Decodable {
            let name: String
            let objectTypeId: String?
            let fullyQualifiedName: String?
            let labels: Labels?
        }

        struct Labels: Decodable {
            let singular: String?
        }

        struct Paging: Decodable {
            let next: Next?

            struct Next: Decodable {
                let after: String?
            }
        }
    }
}
