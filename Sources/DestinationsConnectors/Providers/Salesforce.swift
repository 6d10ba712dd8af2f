import DestinationsCore

enum Salesforce {
    static let declaration = ConnectorDeclaration(
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
}
