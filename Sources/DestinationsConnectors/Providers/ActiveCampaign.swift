import DestinationsCore

enum ActiveCampaign {
    static let declaration = ConnectorDeclaration(
        serviceName: "active_campaign",
        label: "ActiveCampaign",
        authMethod: .credentials,
        documentationSlug: "active-campaign",
        fields: [
            CredentialField(
                id: "instance_url",
                label: "API URL",
                format: .url,
                placeholder: "https://example.api-us1.com",
                hint: "Settings > Developer > API Access: the URL shown there"
            ),
            CredentialField(id: "api_token", label: "API Key", secret: true, hint: "Settings > Developer > API Access"),
        ],
        objects: [
            .standard("Contact", "contact"),
            .standard("Account", "account"),
        ]
    )
}
