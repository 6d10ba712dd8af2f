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
}
