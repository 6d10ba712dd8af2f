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
        let api = ProviderAPI(
            provider: "Salesforce",
            context: context,
            headers: [("Authorization", "Bearer \(try context.credential("access_token"))")],
            hostSource: .userSupplied
        )
        let base = try ProviderAPI.base(context, default: try context.credential("instance_url"))
        let url = base.appendingPathComponent("services/data/\(Self.apiVersion)/sobjects/")
        let (answer, _) = try await api.get(url, as: GlobalDescribe.self)
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
}
