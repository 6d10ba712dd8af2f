import DestinationsCore
import Foundation

struct GoogleAds: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Google",
        authorizeURL: "https://accounts.google.com/o/oauth2/v2/auth",
        tokenURL: "https://oauth2.googleapis.com/token",
        scopes: ["https://www.googleapis.com/auth/adwords"],
        // A refresh token comes only with offline access, and reliably only on a prompted consent.
        authorizeParameters: ["access_type": "offline", "prompt": "consent", "include_granted_scopes": "true"]
    )

    let declaration = ConnectorDeclaration(
        serviceName: "google_ads",
        label: "Google Ads",
        authMethod: .oauth,
        documentationSlug: "google-ads",
        fields: [
            CredentialField(
                id: "account_id",
                label: "Customer ID",
                format: .digits,
                placeholder: "751-501-1393",
                hint: "The Google Ads account to sync into"
            ),
            CredentialField(
                id: "developer_token",
                label: "Developer Token",
                secret: true,
                hint: "The Google Ads API developer token of your manager account (API Center)"
            ),
            CredentialField(
                id: "login_customer_id",
                label: "Manager Account ID",
                required: false,
                format: .digits,
                hint: "Only when the account is reached through a manager account"
            ),
        ],
        objects: [
            .standard("Customer Match User List", "user_list", customFields: false),
            .standard("Offline Click Conversion", "click_conversion", customFields: false),
        ]
    )

    static let apiVersion = "v26"

    /// The customers the token may reach (`customers:listAccessibleCustomers`), with the developer token.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "List the Google Ads customers the authorisation reaches",
                {
                    var headers: [(name: String, value: String)] = [
                        try ProviderAPI.bearer(context, credential: "access_token"),
                        ("developer-token", try context.credential("developer_token")),
                    ]
                    if let manager = context.credentials["login_customer_id"]?.stringValue {
                        headers.append(("login-customer-id", manager.replacingOccurrences(of: "-", with: "")))
                    }
                    let api = ProviderAPI(provider: "Google Ads", context: context, headers: headers, hostSource: .configured)
                    let base = try ProviderAPI.base(context, default: "https://googleads.googleapis.com")
                    try await api.probe(base.appendingPathComponent("\(Self.apiVersion)/customers:listAccessibleCustomers"))
                }
            )
        ])
    }
}
