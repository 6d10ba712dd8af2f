import DestinationsCore
import Foundation

struct Iterable: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "iterable",
        label: "Iterable",
        authMethod: .credentials,
        documentationSlug: "iterable",
        fields: [
            CredentialField(id: "api_key", label: "API Key", secret: true, hint: "A server-side API key of the project"),
            CredentialField(
                id: "region",
                label: "Data Center",
                required: false,
                format: .choice(["us", "eu"]),
                hint: "us (api.iterable.com) unless the project is in the EU"
            ),
        ],
        objects: [
            .standard("User", "user", caseSensitive: true),
            .standard("Event", "event", caseSensitive: true),
            .standard("Static List", "static_list", customFields: false),
        ]
    )

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(
            context,
            default: context.credentials["region"]?.stringValue == "eu" ? "https://api.eu.iterable.com" : "https://api.iterable.com"
        )
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(provider: "Iterable", context: context, headers: [("Api-Key", try context.credential("api_key"))], hostSource: .configured)
    }

    /// The project's lists (`GET /api/lists`): cheap, and refused with 401 for a bad key.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("List the project's lists with the API key", { try await api(context).probe(try base(context).appendingPathComponent("api/lists")) })
        ])
    }

    /// Users, events and static lists, plus one object per catalog (`GET /api/catalogs`, paged by page number).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try api(context)
        let url = try base(context).appendingPathComponent("api/catalogs")
        var page = 1
        let catalogs = try await collectPages(first: url.setting(["page": "1", "pageSize": "100"])) { next in
            let (answer, _) = try await api.get(next, as: CatalogPage.self)
            page += 1
            let names = answer.params?.catalogNames ?? []
            let more = !names.isEmpty && answer.params?.nextPageUrl != nil
            return (names, more ? url.setting(["page": String(page), "pageSize": "100"]) : nil)
        }
        return declaration.objects + catalogs.map { .standard("Catalog: \($0.name)", "catalog:\($0.name)", caseSensitive: true) }
    }

    /// Users' fields from `GET /api/users/getFields`, a map of name to type.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object == "user" else { return [] }
        let (answer, _) = try await api(context).get(try base(context).appendingPathComponent("api/users/getFields"), as: UserFields.self)
        let keys: Set<String> = ["email", "userId"]
        return answer.fields.keys.sorted().map {
            ObjectField(fullName: $0, label: $0, type: answer.fields[$0] ?? "string", identifier: keys.contains($0))
        }
    }

    private struct CatalogPage: Decodable {
        let params: Params?

        struct Params: Decodable {
            let catalogNames: [Name]?
            let nextPageUrl: String?
        }

        struct Name: Decodable {
            let name: String
        }
    }

    private struct UserFields: Decodable {
        let fields: [String: String]
    }
}
