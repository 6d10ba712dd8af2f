import DestinationsCore
import Foundation

struct SendGrid: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "sendgrid",
        label: "SendGrid",
        authMethod: .credentials,
        documentationSlug: "sendgrid",
        fields: [
            CredentialField(id: "api_key", label: "API Key", secret: true, placeholder: "SG.xxxx", hint: "With Marketing full access"),
            CredentialField(id: "region", label: "Region", required: false, format: .choice(["global", "eu"])),
        ],
        objects: [.standard("Contact", "contact")]
    )

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(
            context,
            default: context.credentials["region"]?.stringValue == "eu" ? "https://api.eu.sendgrid.com" : "https://api.sendgrid.com"
        )
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "SendGrid",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "api_key")],
            hostSource: .configured
        )
    }

    /// The key's scopes (`GET /v3/scopes`): it must be able to write Marketing contacts.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        let scopes = ConnectionCheck.Handoff<[String]>()
        return try await ConnectionCheck.run([
            (
                "Read the API key's scopes",
                {
                    scopes.put(try await api(context).get(try base(context).appendingPathComponent("v3/scopes"), as: Scopes.self).0.scopes)
                }
            ),
            (
                "Check the key may write Marketing contacts",
                {
                    guard try scopes.value.contains(where: { $0.hasPrefix("marketing") }) else {
                        throw ProviderFailure.permanent("The SendGrid API key has no Marketing scope; give it Marketing full access")
                    }
                }
            ),
        ])
    }

    /// Contacts, plus one list-membership object per contact list (`GET /v3/marketing/lists`, token pages).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let lists = try await api(context).linkedPages(
            first: try base(context).appendingPathComponent("v3/marketing/lists").setting(["page_size": "1000"]),
            as: ListPage.self,
            items: \.result,
            next: { $0._metadata?.next }
        )
        return declaration.objects + lists.map { .standard("List: \($0.name)", "list:\($0.id)", customFields: false) }
    }

    /// Contact fields: the reserved ones and the account's custom fields (addressed by id).
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object == "contact" else { return [] }
        let (answer, _) = try await api(context).get(
            try base(context).appendingPathComponent("v3/marketing/field_definitions"),
            as: FieldDefinitions.self
        )
        return (answer.reserved_fields ?? []).map {
            ObjectField(
                fullName: $0.name,
                label: $0.name,
                type: $0.field_type,
                identifier: $0.name == "email",
                createable: $0.read_only != true,
                updateable: $0.read_only != true
            )
        }
            + (answer.custom_fields ?? []).map { ObjectField(fullName: $0.id, label: $0.name, type: $0.field_type) }
    }

    private struct Scopes: Decodable {
        let scopes: [String]
    }

    private struct ListPage: Decodable {
        let result: [List]
        let _metadata: Metadata?

        struct List: Decodable {
            let id: String
            let name: String
        }

        struct Metadata: Decodable {
            let next: String?
        }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct FieldDefinitions: Decodable {
        let custom_fields: [Field]?
        let reserved_fields: [Field]?

        struct Field: Decodable {
            let id: String
            let name: String
            let field_type: String
            let read_only: Bool?
        }
    }
}
