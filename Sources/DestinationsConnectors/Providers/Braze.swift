import DestinationsCore
import Foundation

struct Braze: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "braze",
        label: "Braze",
        authMethod: .credentials,
        documentationSlug: "braze",
        fields: [
            CredentialField(
                id: "instance_url",
                label: "REST Endpoint",
                format: .url,
                placeholder: "https://rest.iad-03.braze.com",
                hint: "The REST endpoint of your Braze dashboard's cluster"
            ),
            CredentialField(
                id: "api_key",
                label: "REST API Key",
                secret: true,
                hint: "A REST API key with the users.*, catalogs.* and campaigns.* permissions"
            ),
            CredentialField(
                id: "data_import_key",
                label: "Data Import Key",
                required: false,
                secret: true,
                hint: "Only needed to sync Cohorts"
            ),
        ],
        objects: [
            .standard("User", "user", caseSensitive: true),
            .standard("Event", "event", caseSensitive: true),
            .standard("Purchase Event", "purchase", caseSensitive: true),
            .standard("Subscription Group Membership", "subscription_group_membership", customFields: false),
            .standard("Cohort", "cohort", customFields: false),
        ]
    )

    /// The standard objects, plus one object per catalog (`GET /catalogs`; a `Link: rel="next"` header is
    /// followed when Braze pages).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = ProviderAPI(
            provider: "Braze",
            context: context,
            headers: [("Authorization", "Bearer \(try context.credential("api_key"))")],
            hostSource: .userSupplied
        )
        let base = try ProviderAPI.base(context, default: try context.credential("instance_url"))
        let catalogs = try await collectPages(first: base.appendingPathComponent("catalogs")) { url in
            let (page, response) = try await api.get(url, as: CatalogPage.self)
            return (page.catalogs, ProviderAPI.nextLink(response.headers["link"]))
        }
        return declaration.objects
            + catalogs.map { .standard("Catalog: \($0.name)", "catalog:\($0.name)", caseSensitive: true) }
    }

    private struct CatalogPage: Decodable {
        let catalogs: [Catalog]

        struct Catalog: Decodable {
            let name: String
        }
    }
}
