import DestinationsCore
import Foundation

struct Planhat: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "planhat",
        label: "Planhat",
        authMethod: .credentials,
        documentationSlug: "planhat",
        fields: [
            CredentialField(
                id: "api_key",
                label: "API Key",
                secret: true,
                hint: "Settings > Service Accounts: the API access token (over 340 characters, shown once)"
            ),
            CredentialField(
                id: "region",
                label: "Region",
                required: false,
                format: .subdomain,
                placeholder: "us3",
                hint: "us3 when the app is at app-us3.planhat.com; default (or nothing) for api.planhat.com"
            ),
        ],
        objects: [
            .standard("Company", "company"),
            .standard("End User", "enduser"),
            .standard("Activity", "activity"),
            .standard("Churn", "churn"),
            .standard("License", "license"),
            .standard("Metric", "metric"),
            .standard("NPS", "nps"),
        ]
    )

    /// The regional API host, or nil for the default one.
    private func regionalHost(_ credentials: [String: JSONValue]) -> String? {
        guard let region = credentials["region"]?.stringValue, !region.isEmpty, region != "default" else { return nil }
        return "https://api-\(region).planhat.com"
    }

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let host = regionalHost(credentials), let url = URL(string: host) else { return [] }
        return [("region", url)]
    }

    private func endpoint(_ context: ConnectorContext) throws -> (base: URL, api: ProviderAPI) {
        let regional = regionalHost(context.credentials)
        let base = try ProviderAPI.base(context, default: regional ?? "https://api.planhat.com")
        let api = ProviderAPI(
            provider: "Planhat",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "api_key")],
            hostSource: regional == nil ? .configured : .userSupplied
        )
        return (base, api)
    }

    /// One end user (`GET /endusers?limit=1`): a read the service account's token needs for the syncs anyway.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read an end user with the API key",
                {
                    let (base, api) = try endpoint(context)
                    try await api.probe(base.appendingPathComponent("endusers").setting(["limit": "1"]))
                }
            )
        ])
    }

    /// The keys Census matches on, plus the model's custom fields: `GET /customfields` answers every
    /// model's in one list, paged by `limit`/`offset`, each naming its model in `parent`. Custom values
    /// are written under `custom`, by field name.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard let standard = Self.standardFields[object] else { return [] }
        let (base, api) = try endpoint(context)
        let pageSize = 500
        let page = { (offset: Int) in base.appendingPathComponent("customfields").setting(["limit": "\(pageSize)", "offset": "\(offset)"]) }
        var offset = 0
        let fields = try await collectPages(first: page(offset)) { url in
            let (answer, _) = try await api.get(url, as: [CustomField].self)
            offset += pageSize
            return (answer, answer.count < pageSize ? nil : page(offset))
        }
        return standard
            + fields.filter { $0.parent == object }.map { field in
                ObjectField(fullName: "custom.\(field.name)", label: field.name, type: field.type, required: field.isMandatory == true)
            }
    }

    private struct CustomField: Decodable {
        let name: String
        let type: String
        let parent: String?
        let isMandatory: Bool?
    }

    /// Activities and metrics go to the analytics endpoints and take free-form fields.
    static let standardFields: [String: [ObjectField]] = [
        "company": [
            ObjectField(fullName: "sourceId", label: "Source ID", type: "string", identifier: true),
            ObjectField(fullName: "externalId", label: "External ID", type: "string", identifier: true),
            ObjectField(fullName: "name", label: "Name", type: "string", required: true),
        ],
        "enduser": [
            ObjectField(fullName: "sourceId", label: "Source ID", type: "string", identifier: true),
            ObjectField(fullName: "externalId", label: "External ID", type: "string"),
            ObjectField(fullName: "email", label: "Email", type: "string"),
            ObjectField(fullName: "name", label: "Name", type: "string"),
            ObjectField(fullName: "companyId", label: "Company ID", type: "string"),
        ],
        "churn": [ObjectField(fullName: "sourceId", label: "Source ID", type: "string", identifier: true)],
        "license": [
            ObjectField(fullName: "sourceId", label: "Source ID", type: "string", identifier: true),
            ObjectField(fullName: "externalId", label: "External ID", type: "string", identifier: true),
        ],
        "nps": [ObjectField(fullName: "sourceId", label: "Source ID", type: "string", identifier: true)],
    ]
}
