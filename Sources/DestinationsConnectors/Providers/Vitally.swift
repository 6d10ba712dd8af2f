import DestinationsCore
import Foundation

struct Vitally: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "vitally",
        label: "Vitally",
        authMethod: .credentials,
        documentationSlug: "vitally",
        fields: [
            CredentialField(
                id: "subdomain",
                label: "Subdomain",
                format: .subdomain,
                placeholder: "acme",
                hint: "The acme in https://acme.vitally.io"
            ),
            CredentialField(id: "region", label: "Data Center", required: false, format: .choice(["us", "eu"])),
            CredentialField(
                id: "rest_api_key",
                label: "REST API Key",
                secret: true,
                hint: "Integrations > Vitally REST API: the part of the Basic Auth Header after the word Basic"
            ),
            CredentialField(
                id: "analytics_api_key",
                label: "Analytics API Key",
                required: false,
                secret: true,
                hint: "Integrations > Vitally API: needed for Update or Create and for Send"
            ),
        ],
        objects: [
            .standard("User", "user"),
            .standard("Account", "account"),
            .standard("Organization", "organization"),
            .standard("Track Event", "track"),
        ]
    )

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let subdomain = credentials["subdomain"]?.stringValue, let url = URL(string: "https://\(subdomain).rest.vitally.io") else { return [] }
        return [("subdomain", url)]
    }

    /// The REST API: the workspace's own host in the US, one shared host in the EU
    /// (https://docs.vitally.io/pushing-data-to-vitally/rest-api).
    private func rest(_ context: ConnectorContext) throws -> (base: URL, api: ProviderAPI) {
        let eu = context.credentials["region"]?.stringValue == "eu"
        let base = try ProviderAPI.base(
            context,
            default: eu ? "https://rest.vitally-eu.io" : "https://\(try context.credential("subdomain")).rest.vitally.io"
        )
        // The key is given as Vitally shows it in its Basic Auth Header: already encoded.
        let api = ProviderAPI(
            provider: "Vitally",
            context: context,
            headers: [("Authorization", "Basic \(try context.credential("rest_api_key"))")],
            hostSource: eu ? .configured : .userSupplied
        )
        return (base, api)
    }

    /// One account (`GET /resources/accounts?limit=1`). The Analytics API key cannot be checked this way:
    /// that API only takes writes.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read an account with the REST API key",
                {
                    let (base, api) = try rest(context)
                    try await api.probe(base.appendingPathComponent("resources/accounts").setting(["limit": "1"]))
                }
            )
        ])
    }

    /// The identifier Census matches on, plus the model's custom traits (`GET /resources/customFields?model=`,
    /// one unpaged list); a trait is written by its `path`.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard let model = Self.models[object] else { return [] }
        let (base, api) = try rest(context)
        let (traits, _) = try await api.get(base.appendingPathComponent("resources/customFields").setting(["model": model.name]), as: [Trait].self)
        return [model.identifier] + traits.map { ObjectField(fullName: $0.path, label: $0.label, type: $0.type) }
    }

    static let models: [String: (name: String, identifier: ObjectField)] = [
        "user": ("users", ObjectField(fullName: "userId", label: "User ID", type: "string", required: true, identifier: true)),
        "account": ("accounts", ObjectField(fullName: "accountId", label: "Account ID", type: "string", required: true, identifier: true)),
        "organization": (
            "organizations", ObjectField(fullName: "organizationId", label: "Organization ID", type: "string", required: true, identifier: true)
        ),
    ]

    private struct Trait: Decodable {
        let label: String
        let path: String
        let type: String
    }
}
