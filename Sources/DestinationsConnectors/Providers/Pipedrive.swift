import DestinationsCore
import Foundation

struct Pipedrive: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "pipedrive",
        label: "Pipedrive",
        authMethod: .credentials,
        documentationSlug: "pipedrive",
        fields: [
            CredentialField(
                id: "company_domain",
                label: "Company Domain",
                format: .subdomain,
                placeholder: "acme",
                hint: "The acme in https://acme.pipedrive.com"
            ),
            CredentialField(id: "api_token", label: "Personal API Token", secret: true, hint: "Settings > Personal preferences > API"),
        ],
        objects: [
            .standard("Person", "person"),
            .standard("Organization", "organization"),
            .standard("Deal", "deal"),
            .standard("Lead", "lead"),
            .standard("Product", "product"),
            .standard("Activity", "activity"),
        ]
    )

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let domain = credentials["company_domain"]?.stringValue, let url = URL(string: "https://\(domain).pipedrive.com") else { return [] }
        return [("company_domain", url)]
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://\(try context.credential("company_domain")).pipedrive.com")
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Pipedrive",
            context: context,
            headers: [("x-api-token", try context.credential("api_token"))],
            hostSource: .userSupplied
        )
    }

    /// The token's own user: `GET /api/v1/users/me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the API token's user", { try await api(context).probe(try base(context).appendingPathComponent("api/v1/users/me")) })
        ])
    }

    /// The object's fields (`GET /api/v2/{type}Fields`, cursor pages); custom ones have 40-hex codes.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard declaration.objects.contains(where: { $0.fullName == object }) else { return [] }
        let api = try api(context)
        let url = try base(context).appendingPathComponent("api/v2/\(object)Fields").setting(["limit": "500"])
        let fields = try await collectPages(first: url) { next in
            let (page, _) = try await api.get(next, as: FieldPage.self)
            return (page.data, page.additional_data?.next_cursor.map { url.setting(["limit": "500", "cursor": $0]) })
        }
        return fields.map { ObjectField(fullName: $0.field_code, label: $0.field_name, type: $0.field_type) }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct FieldPage: Decodable {
        let data: [Field]
        let additional_data: Additional?

        struct Field: Decodable {
            let field_code: String
            let field_name: String
            let field_type: String
        }

        struct Additional: Decodable {
            let next_cursor: String?
        }
    }
}
