import DestinationsCore
import Foundation

struct CustomerIO: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "customer_io",
        label: "Customer.io",
        authMethod: .credentials,
        documentationSlug: "customer-io",
        fields: [
            CredentialField(id: "site_id", label: "Site ID", hint: "Account Settings > API Credentials"),
            CredentialField(id: "track_api_key", label: "Track API Key", secret: true),
            CredentialField(id: "app_api_key", label: "App API Key", secret: true),
            CredentialField(id: "region", label: "Region", required: false, format: .choice(["us", "eu"])),
        ],
        objects: [
            .standard("Person", "person", caseSensitive: true),
            .standard("Event", "event", caseSensitive: true),
            .standard("Manual Segment", "manual_segment", customFields: false),
        ]
    )

    private func eu(_ context: ConnectorContext) -> Bool { context.credentials["region"]?.stringValue == "eu" }

    private func track(_ context: ConnectorContext) throws -> (ProviderAPI, URL) {
        let basic = Data("\(try context.credential("site_id")):\(try context.credential("track_api_key"))".utf8).base64EncodedString()
        let base = try ProviderAPI.base(context, default: eu(context) ? "https://track-eu.customer.io" : "https://track.customer.io")
        return (ProviderAPI(provider: "Customer.io", context: context, headers: [("Authorization", "Basic \(basic)")], hostSource: .configured), base)
    }

    private func app(_ context: ConnectorContext) throws -> (ProviderAPI, URL) {
        let base = try ProviderAPI.base(context, default: eu(context) ? "https://api-eu.customer.io" : "https://api.customer.io")
        return (
            ProviderAPI(
                provider: "Customer.io",
                context: context,
                headers: [try ProviderAPI.bearer(context, credential: "app_api_key")],
                hostSource: .configured
            ), base
        )
    }

    /// Both keys: the Track key against `GET /api/v1/accounts/region`, the App key against the object types.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Check the Track API key",
                {
                    let (api, base) = try track(context)
                    try await api.probe(base.appendingPathComponent("api/v1/accounts/region"))
                }
            ),
            (
                "Check the App API key",
                {
                    let (api, base) = try app(context)
                    try await api.probe(base.appendingPathComponent("v1/object_types"))
                }
            ),
        ])
    }

    /// People, events and manual segments, plus the workspace's object types (`GET /v1/object_types`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let (api, base) = try app(context)
        let (answer, _) = try await api.get(base.appendingPathComponent("v1/object_types"), as: ObjectTypes.self)
        return declaration.objects + answer.types.map { .standard($0.name, "object:\($0.id)", caseSensitive: true) }
    }

    private struct ObjectTypes: Decodable {
        let types: [ObjectType]

        struct ObjectType: Decodable {
            let id: String
            let name: String
        }
    }
}
