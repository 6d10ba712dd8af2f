import DestinationsCore
import Foundation

struct Salesloft: Connector {
    /// The app's permissions are chosen where it is registered with Salesloft, so consent carries no scope.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Salesloft",
        authorizeURL: "https://accounts.salesloft.com/oauth/authorize",
        tokenURL: "https://accounts.salesloft.com/oauth/token"
    )

    let declaration = ConnectorDeclaration(
        serviceName: "salesloft",
        label: "Salesloft",
        authMethod: .oauth,
        documentationSlug: "salesloft",
        fields: [],
        objects: [.standard("Person", "person")]
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Salesloft",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token"), ("Accept", "application/json")],
            hostSource: .configured
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api.salesloft.com").appendingPathComponent("v2")
    }

    /// The user the token acts as: `GET /v2/me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the authorised Salesloft user", { try await api(context).probe(try base(context).appendingPathComponent("me")) })
        ])
    }

    /// A person's standard attributes, then the team's person custom fields
    /// (`GET /v2/custom_fields?field_type=person`, numbered pages of up to 100).
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object == "person" else { return [] }
        let api = try api(context)
        let url = try base(context).appendingPathComponent("custom_fields").setting(["field_type": "person", "per_page": "100"])
        var number = 1
        let custom = try await collectPages(first: url.setting(["page": "1"])) { page in
            let (answer, _) = try await api.get(page, as: CustomFieldPage.self)
            // A short page is the last one.
            number += 1
            return (answer.data, answer.data.count < 100 ? nil : url.setting(["page": String(number)]))
        }
        return Self.personAttributes
            + custom.map { ObjectField(fullName: "custom_fields.\($0.name)", label: $0.name, type: $0.value_type ?? "text") }
    }

    static let personAttributes = [
        ObjectField(fullName: "email_address", label: "Email Address", type: "string", identifier: true),
        ObjectField(fullName: "first_name", label: "First Name", type: "string"),
        ObjectField(fullName: "last_name", label: "Last Name", type: "string"),
        ObjectField(fullName: "phone", label: "Phone", type: "string"),
        ObjectField(fullName: "mobile_phone", label: "Mobile Phone", type: "string"),
        ObjectField(fullName: "title", label: "Title", type: "string"),
        ObjectField(fullName: "person_company_name", label: "Company Name", type: "string"),
        ObjectField(fullName: "person_company_website", label: "Company Website", type: "string"),
        ObjectField(fullName: "city", label: "City", type: "string"),
        ObjectField(fullName: "state", label: "State", type: "string"),
        ObjectField(fullName: "country", label: "Country", type: "string"),
        ObjectField(fullName: "linkedin_url", label: "LinkedIn URL", type: "string"),
        ObjectField(fullName: "crm_id", label: "CRM ID", type: "string"),
        ObjectField(fullName: "tags", label: "Tags", type: "array"),
    ]

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct CustomFieldPage: Decodable {
        let data: [CustomField]

        struct CustomField: Decodable {
            let name: String
            let value_type: String?
        }
    }
}
