import DestinationsCore
import Foundation

/// Microsoft Advertising (Bing Ads) API v13 in its REST form: a Microsoft identity platform token plus
/// the developer token on every call (https://learn.microsoft.com/advertising/guides/authentication-oauth).
struct MicrosoftAdvertising: Connector {
    /// The `common` tenant takes both personal Microsoft accounts and work accounts; `offline_access` is
    /// what brings a refresh token, and each refresh answers a new one, which the refresher stores.
    /// Microsoft wants the scopes named again on a refresh.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Microsoft",
        authorizeURL: "https://login.microsoftonline.com/common/oauth2/v2.0/authorize",
        tokenURL: "https://login.microsoftonline.com/common/oauth2/v2.0/token",
        scopes: ["https://ads.microsoft.com/msads.manage", "offline_access"],
        scopesInTokenRequests: true
    )

    let declaration = ConnectorDeclaration(
        serviceName: "microsoft_advertising",
        label: "Microsoft Advertising",
        authMethod: .oauth,
        documentationSlug: "microsoft-advertising",
        fields: [
            CredentialField(
                id: "developer_token",
                label: "Developer Token",
                secret: true,
                hint: "From the Microsoft Advertising Developer Portal (Account tab), for the user who authorizes"
            ),
            CredentialField(
                id: "customer_id",
                label: "Customer ID",
                format: .digits,
                placeholder: "123456789",
                hint: "The manager account (customer) that owns the ad account: CID in the Microsoft Advertising URL"
            ),
            CredentialField(
                id: "account_id",
                label: "Account ID",
                format: .digits,
                placeholder: "987654321",
                hint: "The ad account to sync into: AID in the Microsoft Advertising URL"
            ),
        ],
        objects: [
            .standard("Custom Audience", "custom_audience", customFields: false),
            .standard("Offline Conversion", "offline_conversion", customFields: false),
        ]
    )

    /// The authorised user and their roles (Customer Management `GetUser`,
    /// `POST /CustomerManagement/v13/User/Query` with no user id): a read any user may make, and it names
    /// the customers the authorisation reaches.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the authorised Microsoft Advertising user",
                {
                    let url = try ProviderAPI.base(context, default: "https://clientcenter.api.bingads.microsoft.com")
                        .appendingPathComponent("CustomerManagement/v13/User/Query")
                    let answer = try await post(url, ["UserId": .null], headers: try headers(context), context)
                    guard answer["User"]?.objectValue != nil else {
                        throw ProviderFailure.permanent("Microsoft Advertising answered GetUser without a user")
                    }
                    // An agency reaches its clients' accounts through links, under its own customer id.
                    let roles = (answer["CustomerRoles"]?.arrayValue ?? []).compactMap(\.objectValue)
                    let customers = roles.compactMap { Self.text($0["CustomerId"]) }
                    let accounts = roles.flatMap { role -> [String] in
                        ["AccountIds", "LinkedAccountIds"].flatMap { key in (role[key]?.arrayValue ?? []).compactMap { Self.text($0) } }
                    }
                    let customer = try context.credential("customer_id")
                    let account = try context.credential("account_id")
                    if !roles.isEmpty, !customers.contains(customer), !accounts.contains(account) {
                        throw ProviderFailure.permanent(
                            "The authorised Microsoft Advertising user has no role in customer \(customer); "
                                + "it reaches \(customers.joined(separator: ", "))"
                        )
                    }
                }
            )
        ])
    }

    /// The fixed objects, plus the ad account's customer lists (Campaign Management `GetAudiencesByIds`,
    /// `POST /CampaignManagement/v13/Audiences/QueryByIds` with no ids and type CustomerList: all of them, unpaged).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let url = try ProviderAPI.base(context, default: "https://campaign.api.bingads.microsoft.com")
            .appendingPathComponent("CampaignManagement/v13/Audiences/QueryByIds")
        let accountHeaders =
            try headers(context) + [
                ("CustomerId", try context.credential("customer_id")),
                ("CustomerAccountId", try context.credential("account_id")),
            ]
        let answer = try await post(url, ["AudienceIds": .null, "Type": .string("CustomerList")], headers: accountHeaders, context)
        // Audiences the service could not return come back as nulls.
        let audiences = (answer["Audiences"]?.arrayValue ?? []).compactMap(\.objectValue)
        return declaration.objects
            + audiences.compactMap { audience -> DestinationObject? in
                guard let id = Self.text(audience["Id"]) else { return nil }
                return DestinationObject.standard("Customer List: \(audience["Name"]?.stringValue ?? id)", "customer_list:\(id)", customFields: false)
            }
    }

    private func headers(_ context: ConnectorContext) throws -> [(name: String, value: String)] {
        [try ProviderAPI.bearer(context, credential: "access_token"), ("DeveloperToken", try context.credential("developer_token"))]
    }

    /// A REST operation: a JSON POST whose answer is a JSON object.
    private func post(
        _ url: URL,
        _ body: [String: JSONValue],
        headers: [(name: String, value: String)],
        _ context: ConnectorContext
    ) async throws -> [String: JSONValue] {
        let api = ProviderAPI(provider: "Microsoft Advertising", context: context, headers: headers, hostSource: .configured)
        let response = try await context.http.send(
            ProviderRequest(
                method: "POST",
                url: url,
                headers: headers + [("Content-Type", "application/json"), ("Accept", "application/json")],
                body: JSONValue.encodeObject(body),
                hostSource: .configured
            )
        )
        if let failure = api.failure(for: response, path: url.path) {
            // The status decides what kind of failure it is; Microsoft's fault body says why.
            guard let fault = Self.fault(response.body).map(context.redacted) else { throw failure }
            switch failure {
            case .transient(let message, let retryAfter):
                throw ProviderFailure.transient("\(message). Microsoft Advertising says: \(fault)", retryAfter: retryAfter)
            case .permanent(let message):
                throw ProviderFailure.permanent("\(message). Microsoft Advertising says: \(fault)")
            }
        }
        return try api.decode(JSONValue.self, from: response).objectValue ?? [:]
    }

    /// The first error of a REST fault, `{"ApplicationFault": {"OperationErrors": [{"Code", "ErrorCode",
    /// "Message"}], "BatchErrors": [...]}}`, or of such a list at the top level.
    static func fault(_ body: Data) -> String? {
        guard let object = (try? JSONDecoder().decode(JSONValue.self, from: body))?.objectValue else { return nil }
        let fault = object["ApplicationFault"]?.objectValue ?? object
        for key in ["OperationErrors", "BatchErrors", "Errors"] {
            guard let error = fault[key]?.arrayValue?.first?.objectValue, let message = error["Message"]?.stringValue else { continue }
            let code = [Self.text(error["Code"]), error["ErrorCode"]?.stringValue].compactMap { $0 }.joined(separator: " ")
            return String((code.isEmpty ? message : "\(code) \(message)").prefix(300))
        }
        return nil
    }

    /// A long as Microsoft writes it: a JSON string, or a number.
    static func text(_ value: JSONValue?) -> String? {
        switch value {
        case .string(let text)?: text
        case .integer(let number)?: String(number)
        default: nil
        }
    }
}
