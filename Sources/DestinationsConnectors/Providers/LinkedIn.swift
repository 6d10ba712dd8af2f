import DestinationsCore
import Foundation

struct LinkedIn: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "LinkedIn",
        authorizeURL: "https://www.linkedin.com/oauth/v2/authorization",
        tokenURL: "https://www.linkedin.com/oauth/v2/accessToken",
        scopes: ["r_ads", "rw_dmp_segments"]
    )

    let declaration = ConnectorDeclaration(
        serviceName: "linkedin",
        label: "LinkedIn Ads",
        authMethod: .oauth,
        documentationSlug: "linkedin",
        fields: [
            CredentialField(
                id: "ad_account_id",
                label: "Ad Account ID",
                format: .digits,
                hint: "The sponsored account whose matched audiences to sync"
            )
        ],
        objects: [
            .standard("Contact Audience", "contact_audience", customFields: false),
            .standard("Company Audience", "company_audience", customFields: false),
        ]
    )

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "List the ad accounts the authorised member can use",
                {
                    let api = ProviderAPI(
                        provider: "LinkedIn",
                        context: context,
                        headers: [
                            try ProviderAPI.bearer(context, credential: "access_token"), ("LinkedIn-Version", "202610"),
                            ("X-Restli-Protocol-Version", "2.0.0"),
                        ],
                        hostSource: .configured
                    )
                    try await api.probe(
                        try ProviderAPI.base(context, default: "https://api.linkedin.com").appendingPathComponent("rest/adAccountUsers").setting([
                            "q": "authenticatedUser"
                        ])
                    )
                }
            )
        ])
    }
}
