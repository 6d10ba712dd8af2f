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

    /// The standard objects, plus one object per catalog.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let catalogs = try await catalogs(try api(context), base: try base(context))
        return declaration.objects
            + catalogs.map { .standard("Catalog: \($0.name)", "catalog:\($0.name)", caseSensitive: true) }
    }

    /// Braze has no whoami: listing custom events (`GET /events/list`, the export API) is a cheap read
    /// the key's permissions allow.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the workspace's custom events with the REST API key",
                {
                    try await api(context).probe(try base(context).appendingPathComponent("events/list").setting(["page": "0"]))
                }
            )
        ])
    }

    /// `GET /catalogs`, following a `Link: rel="next"` header when Braze pages.
    private func catalogs(_ api: ProviderAPI, base: URL) async throws -> [CatalogPage.Catalog] {
        try await collectPages(first: base.appendingPathComponent("catalogs")) { url in
            let (page, response) = try await api.get(url, as: CatalogPage.self)
            return (page.catalogs, ProviderAPI.nextLink(response.headers["link"]))
        }
    }

    private struct CatalogPage: Decodable {
        let catalogs: [Catalog]

        struct Catalog: Decodable {
            let name: String
            let fields: [Field]?
        }

        struct Field: Decodable {
            let name: String
            let type: String
        }
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Braze",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "api_key")],
            hostSource: .userSupplied
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: try context.credential("instance_url"))
    }

    /// Users: Braze's documented standard attributes plus the workspace's custom attributes
    /// (`GET /custom_attributes`, paged by `Link`); events and purchases: their documented properties;
    /// catalogs: the catalog's own fields.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let api = try api(context)
        let base = try base(context)
        switch object {
        case "user":
            let custom = try await collectPages(first: base.appendingPathComponent("custom_attributes")) { url in
                let (answer, response) = try await api.get(url, as: JSONValue.self)
                return (
                    (answer.objectValue?["attributes"]?.arrayValue ?? []).compactMap(\.objectValue), ProviderAPI.nextLink(response.headers["link"])
                )
            }
            return Self.userAttributes
                + custom.filter { $0["status"]?.stringValue != "Blocklisted" }.compactMap { attribute in
                    attribute["name"]?.stringValue.map { ObjectField(fullName: $0, label: $0, type: attribute["data_type"]?.stringValue ?? "string") }
                }
        case "event":
            return [
                ObjectField(fullName: "external_id", label: "External ID", type: "string", identifier: true),
                ObjectField(fullName: "name", label: "Event Name", type: "string", required: true),
                ObjectField(fullName: "time", label: "Time", type: "time", required: true),
            ]
        case "purchase":
            return [
                ObjectField(fullName: "external_id", label: "External ID", type: "string", identifier: true),
                ObjectField(fullName: "product_id", label: "Product ID", type: "string", required: true),
                ObjectField(fullName: "currency", label: "Currency", type: "string", required: true),
                ObjectField(fullName: "price", label: "Price", type: "number", required: true),
                ObjectField(fullName: "quantity", label: "Quantity", type: "integer"),
                ObjectField(fullName: "time", label: "Time", type: "time", required: true),
            ]
        case let catalog where catalog.hasPrefix("catalog:"):
            let name = String(catalog.dropFirst("catalog:".count))
            guard let found = try await catalogs(api, base: base).first(where: { $0.name == name }) else {
                throw ProviderFailure.permanent("Braze has no catalog \(name) any more; refresh the objects")
            }
            return (found.fields ?? []).map { ObjectField(fullName: $0.name, label: $0.name, type: $0.type, identifier: $0.name == "id") }
        default:
            return []
        }
    }

    /// Braze's standard user profile fields (https://www.braze.com/docs/api/objects_filters/user_attributes_object/).
    static let userAttributes = [
        ObjectField(fullName: "external_id", label: "External ID", type: "string", identifier: true),
        ObjectField(fullName: "user_alias", label: "User Alias", type: "object", identifier: true),
        ObjectField(fullName: "braze_id", label: "Braze ID", type: "string", identifier: true, createable: false),
        ObjectField(fullName: "email", label: "Email", type: "string", identifier: true),
        ObjectField(fullName: "phone", label: "Phone", type: "string"),
        ObjectField(fullName: "first_name", label: "First Name", type: "string"),
        ObjectField(fullName: "last_name", label: "Last Name", type: "string"),
        ObjectField(fullName: "country", label: "Country", type: "string"),
        ObjectField(fullName: "home_city", label: "Home City", type: "string"),
        ObjectField(fullName: "language", label: "Language", type: "string"),
        ObjectField(fullName: "time_zone", label: "Time Zone", type: "string"),
        ObjectField(fullName: "dob", label: "Date of Birth", type: "date"),
        ObjectField(fullName: "gender", label: "Gender", type: "string"),
        ObjectField(fullName: "email_subscribe", label: "Email Subscription", type: "string"),
        ObjectField(fullName: "push_subscribe", label: "Push Subscription", type: "string"),
    ]
}
