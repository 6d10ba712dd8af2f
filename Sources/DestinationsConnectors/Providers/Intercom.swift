import DestinationsCore
import Foundation

struct Intercom: Connector {
    /// Intercom's tokens never expire and come without a refresh token; the app's permissions are set in
    /// its Developer Hub, so the consent URL carries no scope.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Intercom",
        authorizeURL: "https://app.intercom.com/oauth",
        tokenURL: "https://api.intercom.io/auth/eagle/token",
        refreshes: false
    )

    let declaration = ConnectorDeclaration(
        serviceName: "intercom",
        label: "Intercom",
        authMethod: .oauth,
        documentationSlug: "intercom",
        fields: [],
        objects: [
            .standard("User", "user"),
            .standard("Lead", "lead"),
            .standard("Company", "company"),
            .standard("Event", "event", customFields: false),
        ]
    )

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the authorised Intercom admin",
                {
                    let api = ProviderAPI(
                        provider: "Intercom",
                        context: context,
                        headers: [
                            try ProviderAPI.bearer(context, credential: "access_token"), ("Intercom-Version", "2.14"),
                            ("Accept", "application/json"),
                        ],
                        hostSource: .configured
                    )
                    try await api.probe(try ProviderAPI.base(context, default: "https://api.intercom.io").appendingPathComponent("me"))
                }
            )
        ])
    }
}
