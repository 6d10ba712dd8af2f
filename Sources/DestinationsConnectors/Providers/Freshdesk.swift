import DestinationsCore
import Foundation

struct Freshdesk: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "freshdesk",
        label: "Freshdesk",
        authMethod: .credentials,
        documentationSlug: "freshdesk",
        fields: [
            CredentialField(
                id: "domain",
                label: "Subdomain",
                format: .subdomain,
                placeholder: "acme",
                hint: "The acme in https://acme.freshdesk.com"
            ),
            CredentialField(
                id: "api_key",
                label: "API Key",
                secret: true,
                hint: "Profile settings > View API key; the key acts with its agent's role, so use an admin's"
            ),
        ],
        objects: [
            .standard("Contact", "contact"),
            .standard("Company", "company"),
            .standard("Ticket", "ticket"),
        ]
    )

    /// Our object names to the API's field-list resources, and the fields Census matches records on.
    static let fieldResources = ["contact": "contact_fields", "company": "company_fields", "ticket": "ticket_fields"]
    static let syncKeys: [String: Set<String>] = [
        "contact": ["unique_external_id", "email", "twitter_id"],
        "company": ["unique_external_id", "name"],
    ]

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let domain = credentials["domain"]?.stringValue, let url = URL(string: "https://\(domain).freshdesk.com") else { return [] }
        return [("domain", url)]
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://\(try context.credential("domain")).freshdesk.com")
    }

    /// HTTP Basic with the API key as the user; Freshdesk ignores the password but wants one.
    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        let basic = Data("\(try context.credential("api_key")):X".utf8).base64EncodedString()
        return ProviderAPI(provider: "Freshdesk", context: context, headers: [("Authorization", "Basic \(basic)")], hostSource: .userSupplied)
    }

    /// The agent the key belongs to: `GET /api/v2/agents/me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the API key's agent", { try await api(context).probe(try base(context).appendingPathComponent("api/v2/agents/me")) })
        ])
    }

    /// The object's fields (`GET /api/v2/{contact|company|ticket}_fields`, one unpaged array): default
    /// fields by name, custom ones under `custom_fields`, as records carry them.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard let resource = Self.fieldResources[object] else { return [] }
        let (fields, _) = try await api(context).get(try base(context).appendingPathComponent("api/v2/\(resource)"), as: [Field].self)
        let keys = Self.syncKeys[object] ?? []
        return fields.map { field in
            ObjectField(
                fullName: field.default == false ? "custom_fields.\(field.name)" : field.name,
                label: field.label ?? field.name,
                type: field.type ?? "custom_text",
                required: field.required_for_agents == true,
                identifier: keys.contains(field.name) || field.unique == true
            )
        }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct Field: Decodable {
        let name: String
        let label: String?
        let type: String?
        let `default`: Bool?
        let required_for_agents: Bool?
        let unique: Bool?
    }
}
