import DestinationsCore
import Foundation

struct HubSpot: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "HubSpot",
        authorizeURL: "https://app.hubspot.com/oauth/authorize",
        tokenURL: "https://api.hubapi.com/oauth/v1/token",
        scopes: [
            "oauth", "crm.objects.contacts.read", "crm.objects.contacts.write", "crm.objects.companies.read",
            "crm.objects.companies.write", "crm.objects.deals.read", "crm.objects.deals.write", "crm.objects.custom.read",
            "crm.objects.custom.write", "crm.schemas.custom.read",
        ],
        describe: { accessToken, client, http in
            // The portal (hub) the token belongs to: GET /oauth/v1/access-tokens/{token}.
            let base = client.apiBaseURL ?? URL(string: "https://api.hubapi.com")!
            let response = try await http.send(
                ProviderRequest(
                    url: base.appendingPathComponent("oauth/v1/access-tokens").appendingPathComponent(accessToken),
                    hostSource: .configured
                )
            )
            guard (200..<300).contains(response.status), let info = (try? JSONDecoder().decode(JSONValue.self, from: response.body))?.objectValue
            else {
                throw ProviderFailure.permanent("HubSpot did not describe the new access token (HTTP \(response.status))")
            }
            return ["hub_id": info["hub_id"] ?? .null, "hub_domain": info["hub_domain"] ?? .null].filter { $0.value != .null }
        }
    )

    let declaration = ConnectorDeclaration(
        serviceName: "hubspot",
        label: "HubSpot",
        authMethod: .oauth,
        documentationSlug: "hubspot",
        fields: [],
        objects: [
            .standard("Contact", "contact"),
            .standard("Company", "company"),
            .standard("Deal", "deal"),
            .standard("Ticket", "ticket"),
            .standard("Line Item", "line_item"),
            .standard("Product", "product"),
        ]
    )

    /// The standard CRM objects, plus the portal's custom object schemas (`GET /crm/v3/schemas`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try api(context)
        let schemasURL = try base(context).appendingPathComponent("crm/v3/schemas")
        let schemas = try await collectPages(first: schemasURL) { url in
            let (page, _) = try await api.get(url, as: SchemaPage.self)
            return (page.results, page.paging?.next?.after.map { schemasURL.setting(["after": $0]) })
        }
        return declaration.objects
            + schemas.map { schema in
                .standard(schema.labels?.singular ?? schema.name, schema.fullyQualifiedName ?? schema.objectTypeId ?? schema.name)
            }
    }

    private struct SchemaPage: Decodable {
        let results: [Schema]
        let paging: Paging?

        struct Schema: Decodable {
            let name: String
            let objectTypeId: String?
            let fullyQualifiedName: String?
            let labels: Labels?
        }

        struct Labels: Decodable {
            let singular: String?
        }

        struct Paging: Decodable {
            let next: Next?

            struct Next: Decodable {
                let after: String?
            }
        }
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "HubSpot",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .configured
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api.hubapi.com")
    }

    /// The account the token reaches: `GET /account-info/v3/details`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the HubSpot account", { try await api(context).probe(try base(context).appendingPathComponent("account-info/v3/details")) })
        ])
    }

    /// The object's properties (`GET /crm/v3/properties/{objectType}`): writable unless read-only or
    /// calculated; identifiers are the unique ones, plus email for contacts and domain for companies.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let objectType = Self.standardTypes[object] ?? object
        let url = try base(context).appendingPathComponent("crm/v3/properties/\(objectType)")
        let (answer, _) = try await api(context).get(url, as: PropertyList.self)
        let naturalKeys: Set<String> = ["email", "domain", "hs_object_id"]
        return answer.results.filter { $0.hidden != true }.map { property in
            let writable = property.modificationMetadata?.readOnlyValue != true && property.calculated != true
            return ObjectField(
                fullName: property.name,
                label: property.label ?? property.name,
                type: property.type ?? "string",
                identifier: property.hasUniqueValue == true || naturalKeys.contains(property.name),
                createable: writable,
                updateable: writable
            )
        }
    }

    /// Our object names to HubSpot's object types.
    static let standardTypes = [
        "contact": "contacts", "company": "companies", "deal": "deals", "ticket": "tickets", "line_item": "line_items", "product": "products",
    ]

    private struct PropertyList: Decodable {
        let results: [Property]

        struct Property: Decodable {
            let name: String
            let label: String?
            let type: String?
            let hidden: Bool?
            let calculated: Bool?
            let hasUniqueValue: Bool?
            let modificationMetadata: Modification?
        }

        struct Modification: Decodable {
            let readOnlyValue: Bool?
        }
    }
}
