import DestinationsCore

enum HubSpot {
    static let declaration = ConnectorDeclaration(
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
}
