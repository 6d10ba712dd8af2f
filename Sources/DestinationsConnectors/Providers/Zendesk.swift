import DestinationsCore

enum Zendesk {
    static let declaration = ConnectorDeclaration(
        serviceName: "zendesk",
        label: "Zendesk",
        authMethod: .oauth,
        documentationSlug: "zendesk",
        fields: [
            CredentialField(
                id: "domain",
                label: "Subdomain",
                format: .subdomain,
                placeholder: "acme",
                hint: "The acme in https://acme.zendesk.com"
            )
        ],
        objects: [
            .standard("User", "user"),
            .standard("Organization", "organization"),
            .standard("Ticket", "ticket"),
        ]
    )
}
