import DestinationsCore

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
}
