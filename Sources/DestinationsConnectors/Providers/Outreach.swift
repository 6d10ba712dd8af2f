import DestinationsCore
import Foundation

struct Outreach: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Outreach",
        authorizeURL: "https://api.outreach.io/oauth/authorize",
        tokenURL: "https://api.outreach.io/oauth/token",
        // Outreach's scopes are not additive: write does not imply read.
        scopes: ["users.read", "prospects.read", "prospects.write", "accounts.read", "accounts.write", "opportunities.read", "opportunities.write"]
    )

    let declaration = ConnectorDeclaration(
        serviceName: "outreach",
        label: "Outreach",
        authMethod: .oauth,
        documentationSlug: "outreach",
        fields: [],
        objects: [
            .standard("Prospect", "prospect"),
            .standard("Account", "account"),
            .standard("Opportunity", "opportunity"),
        ]
    )
}
