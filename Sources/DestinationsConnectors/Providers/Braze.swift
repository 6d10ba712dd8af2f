import DestinationsCore

enum Braze {
    static let declaration = ConnectorDeclaration(
        serviceName: "braze",
        label: "Braze",
        authMethod: .credentials,
        documentationSlug: "braze",
        fields: [
            CredentialField(
                id: "instance_url",
                label: "REST Endpoint",
                format: .url,
                placeholder: "https://rest.iad-03.braze.com",
                hint: "The REST endpoint of your Braze dashboard's cluster"
            ),
            CredentialField(
                id: "api_key",
                label: "REST API Key",
                secret: true,
                hint: "A REST API key with the users.*, catalogs.* and campaigns.* permissions"
            ),
            CredentialField(
                id: "data_import_key",
                label: "Data Import Key",
                required: false,
                secret: true,
                hint: "Only needed to sync Cohorts"
            ),
        ],
        objects: [
            .standard("User", "user", caseSensitive: true),
            .standard("Event", "event", caseSensitive: true),
            .standard("Purchase Event", "purchase", caseSensitive: true),
            .standard("Subscription Group Membership", "subscription_group_membership", customFields: false),
            .standard("Cohort", "cohort", customFields: false),
        ]
    )
}
