import DestinationsCore
import Foundation

struct Salesforce: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Salesforce",
        authorizeURL: "https://login.salesforce.com/services/oauth2/authorize",
        tokenURL: "https://login.salesforce.com/services/oauth2/token",
        sandboxAuthorizeURL: "https://test.salesforce.com/services/oauth2/authorize",
        sandboxTokenURL: "https://test.salesforce.com/services/oauth2/token",
        scopes: ["api", "refresh_token"],
        // Salesforce sends no expires_in: the org's session timeout applies, 15 minutes at the shortest.
        assumedLifetime: 15 * 60,
        details: { answer in
            var details: [String: JSONValue] = [:]
            if let instance = answer["instance_url"] { details["instance_url"] = instance }
            // The org id is the second-to-last segment of the identity URL.
            if let identity = answer["id"]?.stringValue, let url = URL(string: identity), url.pathComponents.count >= 2 {
                details["organization_id"] = .string(url.pathComponents[url.pathComponents.count - 2])
            }
            return details
        }
    )

    let declaration = ConnectorDeclaration(
        serviceName: "salesforce",
        label: "Salesforce",
        authMethod: .oauth,
        documentationSlug: "salesforce",
        fields: [],
        objects: [
            .standard("Account", "Account"),
            .standard("Contact", "Contact"),
            .standard("Lead", "Lead"),
            .standard("Opportunity", "Opportunity"),
            .standard("Campaign", "Campaign"),
            .standard("Campaign Member", "CampaignMember"),
        ]
    )

    static let apiVersion = "v62.0"

    /// Every sObject of the org (`GET /services/data/vNN.N/sobjects`) that records can be written to:
    /// createable or updateable.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let (answer, _) = try await api(context).get(try base(context).appendingPathComponent("sobjects/"), as: GlobalDescribe.self)
        return answer.sobjects
            .filter { $0.createable || $0.updateable }
            .map { .standard($0.label, $0.name) }
    }

    private struct GlobalDescribe: Decodable {
        let sobjects: [SObject]

        struct SObject: Decodable {
            let name: String
            let label: String
            let createable: Bool
            let updateable: Bool
        }
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Salesforce",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .userSupplied
        )
    }

    /// The REST API of the destination's instance, at the version we speak.
    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: try context.credential("instance_url")).appendingPathComponent("services/data/\(Self.apiVersion)")
    }

    /// The org's limits (`GET /services/data/vNN.N/limits`): a cheap call any API user may make.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the org's API limits", { try await api(context).probe(try base(context).appendingPathComponent("limits")) })
        ])
    }

    /// The sObject's describe: required = createable, not nillable and not defaulted; identifiers are
    /// external ids and id lookups (upsert keys).
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let url = try base(context).appendingPathComponent("sobjects/\(object)/describe/")
        let (answer, _) = try await api(context).get(url, as: Describe.self)
        return answer.fields.map { field in
            ObjectField(
                fullName: field.name,
                label: field.label,
                type: field.type,
                required: field.createable && !field.nillable && !(field.defaultedOnCreate ?? false),
                identifier: (field.externalId ?? false) || (field.idLookup ?? false),
                createable: field.createable,
                updateable: field.updateable
            )
        }
    }

    private struct Describe: Decodable {
        let fields: [Field]

        struct Field: Decodable {
            let name: String
            let label: String
            let type: String
            let createable: Bool
            let updateable: Bool
            let nillable: Bool
            let defaultedOnCreate: Bool?
            let externalId: Bool?
            let idLookup: Bool?
        }
    }
}
