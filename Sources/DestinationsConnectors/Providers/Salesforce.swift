import DestinationsCore
import Foundation

struct Salesforce: Connector {
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
