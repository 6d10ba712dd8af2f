import DestinationsCore
import Foundation

struct Pinterest: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Pinterest",
        authorizeURL: "https://www.pinterest.com/oauth/",
        tokenURL: "https://api.pinterest.com/v5/oauth/token",
        scopes: ["ads:read", "ads:write", "user_accounts:read"],
        scopeSeparator: ",",
        clientAuthentication: .basic
    )

    let declaration = ConnectorDeclaration(
        serviceName: "pinterest",
        label: "Pinterest",
        authMethod: .oauth,
        documentationSlug: "pinterest",
        fields: [
            CredentialField(id: "ad_account_id", label: "Ad Account ID", format: .digits, hint: "The ad account whose audiences to sync")
        ],
        objects: [
            .standard("Customer List", "customer_list", customFields: false),
            .standard("Conversion Event", "conversion_event", customFields: false),
        ]
    )

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the authorised Pinterest account",
                {
                    let api = ProviderAPI(
                        provider: "Pinterest",
                        context: context,
                        headers: [try ProviderAPI.bearer(context, credential: "access_token")],
                        hostSource: .configured
                    )
                    try await api.probe(try ProviderAPI.base(context, default: "https://api.pinterest.com").appendingPathComponent("v5/user_account"))
                }
            )
        ])
    }
}
