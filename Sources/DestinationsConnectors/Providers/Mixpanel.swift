import DestinationsCore
import Foundation

struct Mixpanel: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "mixpanel",
        label: "Mixpanel",
        authMethod: .credentials,
        documentationSlug: "mixpanel",
        fields: [
            CredentialField(id: "project_id", label: "Project ID", format: .digits),
            CredentialField(id: "project_token", label: "Project Token", hint: "Not secret: it goes in /engage bodies"),
            CredentialField(id: "service_account_username", label: "Service Account Username"),
            CredentialField(id: "service_account_secret", label: "Service Account Secret", secret: true),
            CredentialField(id: "region", label: "Data Residency", required: false, format: .choice(["us", "eu", "in"])),
        ],
        objects: [
            .standard("Event", "event", caseSensitive: true),
            .standard("User Profile", "user_profile", caseSensitive: true),
            .standard("Group Profile", "group_profile", caseSensitive: true),
        ]
    )

    private func base(_ context: ConnectorContext) throws -> URL {
        let host =
            switch context.credentials["region"]?.stringValue {
            case "eu": "https://api-eu.mixpanel.com"
            case "in": "https://api-in.mixpanel.com"
            default: "https://api.mixpanel.com"
            }
        return try ProviderAPI.base(context, default: host)
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        let basic = Data("\(try context.credential("service_account_username")):\(try context.credential("service_account_secret"))".utf8)
            .base64EncodedString()
        return ProviderAPI(provider: "Mixpanel", context: context, headers: [("Authorization", "Basic \(basic)")], hostSource: .configured)
    }

    private func lookupTablesURL(_ context: ConnectorContext) throws -> URL {
        try base(context).appendingPathComponent("lookup-tables").setting(["project_id": try context.credential("project_id")])
    }

    /// The service account against the project's lookup tables: refused with 401 for bad credentials.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("List the project's lookup tables with the service account", { try await api(context).probe(try lookupTablesURL(context)) })
        ])
    }

    /// Events and profiles, plus the project's lookup tables.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let (answer, _) = try await api(context).get(try lookupTablesURL(context), as: LookupTables.self)
        return declaration.objects + answer.results.map { .standard("Lookup Table: \($0.name)", "lookup_table:\($0.id)", caseSensitive: true) }
    }

    private struct LookupTables: Decodable {
        let results: [Table]

        struct Table: Decodable {
            let id: String
            let name: String
        }
    }
}
