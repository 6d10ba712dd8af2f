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

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read one Outreach user",
                {
                    let api = ProviderAPI(
                        provider: "Outreach",
                        context: context,
                        headers: [try ProviderAPI.bearer(context, credential: "access_token"), ("Accept", "application/vnd.api+json")],
                        hostSource: .configured
                    )
                    try await api.probe(
                        try ProviderAPI.base(context, default: "https://api.outreach.io").appendingPathComponent("api/v2/users").setting([
                            "page[size]": "1"
                        ])
                    )
                }
            )
        ])
    }
}
