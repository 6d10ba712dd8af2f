import DestinationsCore
import Foundation

struct Front: Connector {
    /// The app's scopes are set in Front's developer settings, so consent carries none. The token endpoint
    /// wants the client as HTTP Basic and answers `expires_at` rather than `expires_in`; access tokens
    /// last an hour, and a refresh may hand back a new refresh token.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Front",
        authorizeURL: "https://app.frontapp.com/oauth/authorize",
        tokenURL: "https://app.frontapp.com/oauth/token",
        clientAuthentication: .basic,
        assumedLifetime: 3600
    )

    let declaration = ConnectorDeclaration(
        serviceName: "front",
        label: "Front",
        authMethod: .oauth,
        documentationSlug: "front",
        fields: [],
        objects: [.standard("Contact", "contact")]
    )

    /// What a contact takes besides custom fields; contacts are matched on their email handle.
    static let contactAttributes = [
        ObjectField(fullName: "email", label: "Email", type: "string", identifier: true),
        ObjectField(fullName: "name", label: "Name", type: "string"),
        ObjectField(fullName: "description", label: "Description", type: "string"),
        ObjectField(fullName: "links", label: "Links", type: "array"),
        ObjectField(fullName: "list_names", label: "Contact Lists", type: "array"),
    ]

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api2.frontapp.com")
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Front",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token"), ("Accept", "application/json")],
            hostSource: .configured
        )
    }

    /// The company the token belongs to: `GET /me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the Front company the token belongs to", { try await api(context).probe(try base(context).appendingPathComponent("me")) })
        ])
    }

    /// Contact attributes, then the company's contact custom fields (`GET /contacts/custom_fields`,
    /// unpaged), which contacts carry under `custom_fields` by name.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object == "contact" else { return [] }
        let (answer, _) = try await api(context).get(try base(context).appendingPathComponent("contacts/custom_fields"), as: CustomFields.self)
        return Self.contactAttributes
            + answer._results.map { ObjectField(fullName: "custom_fields.\($0.name)", label: $0.name, type: $0.type) }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct CustomFields: Decodable {
        let _results: [Field]

        struct Field: Decodable {
            let name: String
            let type: String
        }
    }
}
