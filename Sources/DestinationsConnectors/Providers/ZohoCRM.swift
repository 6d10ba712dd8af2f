import DestinationsCore
import Foundation

struct ZohoCRM: Connector {
    let oauth: (any OAuthProvider)? = ZohoOAuth.provider

    let declaration = ConnectorDeclaration(
        serviceName: "zoho_crm",
        label: "Zoho CRM",
        authMethod: .oauth,
        documentationSlug: "zoho-crm",
        fields: [
            // Named `domain` because that is the key authorize_url takes and the token refresher passes back:
            // Zoho's redirect names the account's data centre (`accounts-server`), but only the code and the
            // state are carried through, so the user picks the data centre up front.
            CredentialField(
                id: "domain",
                label: "Data Center",
                format: .choice(ZohoOAuth.dataCenters.keys.sorted()),
                placeholder: "us",
                hint: "Where the Zoho account lives: us (zoho.com), eu, in, au, jp, ca, cn or sa"
            )
        ],
        objects: [
            .standard("Account", "Accounts")
        ]
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Zoho CRM",
            context: context,
            headers: [("Authorization", "Zoho-oauthtoken \(try context.credential("access_token"))")],
            // The host is the `api_domain` Zoho's token answer named, kept among the destination's details.
            hostSource: .userSupplied
        )
    }

    /// `{api_domain}/crm/v8`: each data centre has its own API host, and Zoho answers INVALID_HOST elsewhere.
    private func base(_ context: ConnectorContext) throws -> URL {
        let fallback = ZohoOAuth.dataCenters[context.credentials["domain"]?.stringValue ?? ""]?.api ?? "https://www.zohoapis.com"
        let apiDomain = context.credentials["api_domain"]?.stringValue ?? fallback
        return try ProviderAPI.base(context, default: apiDomain).appendingPathComponent("crm/v8")
    }

    /// A GET whose answer must not be Zoho's `status: error` body, which some calls send with a 2xx.
    private func get(_ url: URL, _ context: ConnectorContext) async throws -> [String: JSONValue] {
        let (answer, _) = try await api(context).get(url, as: JSONValue.self)
        let body = answer.objectValue ?? [:]
        if body["status"]?.stringValue == "error" {
            let code = body["code"]?.stringValue ?? "error"
            let message = body["message"]?.stringValue ?? "no message"
            throw ProviderFailure.permanent("Zoho CRM says \(code): \(context.redacted(message))")
        }
        return body
    }

    /// The organization the token belongs to: `GET /crm/v8/org` (scope ZohoCRM.org.READ).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the Zoho CRM organization", { _ = try await get(try base(context).appendingPathComponent("org"), context) })
        ])
    }

    /// Accounts, plus every other module the API can write to (`GET /crm/v8/settings/modules`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let answer = try await get(try base(context).appendingPathComponent("settings/modules"), context)
        let declared = Set(declaration.objects.map(\.fullName))
        let modules = (answer["modules"]?.arrayValue ?? []).compactMap(\.objectValue)
        return declaration.objects
            + modules.compactMap { module in
                guard let name = module["api_name"]?.stringValue, !declared.contains(name), module["api_supported"] == .bool(true),
                    module["creatable"] == .bool(true) || module["editable"] == .bool(true)
                else { return nil }
                return .standard(module["singular_label"]?.stringValue ?? name, name)
            }
    }

    /// The module's fields (`GET /crm/v8/settings/fields?module=`, one page): system-mandatory ones are
    /// required, unique ones identify records, read-only ones cannot be written.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let url = try base(context).appendingPathComponent("settings/fields").setting(["module": object])
        let fields = (try await get(url, context)["fields"]?.arrayValue ?? []).compactMap(\.objectValue)
        return fields.compactMap { field in
            guard let name = field["api_name"]?.stringValue else { return nil }
            let writable = field["read_only"] != .bool(true)
            let unique: Bool =
                switch field["unique"] {
                case .bool(let flag)?: flag
                case .object(let settings)?: !settings.isEmpty
                default: false
                }
            return ObjectField(
                fullName: name,
                label: field["field_label"]?.stringValue ?? name,
                type: field["data_type"]?.stringValue ?? "text",
                required: field["system_mandatory"] == .bool(true),
                identifier: unique || name == "id",
                createable: writable,
                updateable: writable
            )
        }
    }
}

/// Zoho's authorization-code flow, run against the accounts server of the user's data centre (the
/// `domain` of the authorisation), with the token answer's `api_domain` kept as the API base.
/// Refresh tokens are not rotated: Zoho's refresh answer has none, and the stored one stays.
enum ZohoOAuth {
    static let scopes = ["ZohoCRM.modules.ALL", "ZohoCRM.settings.READ", "ZohoCRM.users.READ", "ZohoCRM.org.READ"]

    /// Data centre codes to their accounts server and API host.
    static let dataCenters: [String: (accounts: String, api: String)] = [
        "us": ("https://accounts.zoho.com", "https://www.zohoapis.com"),
        "eu": ("https://accounts.zoho.eu", "https://www.zohoapis.eu"),
        "in": ("https://accounts.zoho.in", "https://www.zohoapis.in"),
        "au": ("https://accounts.zoho.com.au", "https://www.zohoapis.com.au"),
        "jp": ("https://accounts.zoho.jp", "https://www.zohoapis.jp"),
        "ca": ("https://accounts.zohocloud.ca", "https://www.zohoapis.ca"),
        "cn": ("https://accounts.zoho.com.cn", "https://www.zohoapis.com.cn"),
        "sa": ("https://accounts.zoho.sa", "https://www.zohoapis.sa"),
    ]

    static let provider = DomainOAuth { dataCenter in
        guard let accounts = dataCenters[dataCenter]?.accounts else {
            throw ProviderFailure.permanent("Zoho has no data center \(dataCenter); use one of \(dataCenters.keys.sorted().joined(separator: ", "))")
        }
        return StandardOAuth(
            provider: "Zoho",
            authorizeURL: "\(accounts)/oauth/v2/auth",
            tokenURL: "\(accounts)/oauth/v2/token",
            scopes: scopes,
            scopeSeparator: ",",
            // offline: a refresh token with the first access token; consent: a new one on each authorisation.
            authorizeParameters: ["access_type": "offline", "prompt": "consent"],
            details: { answer in answer["api_domain"].map { ["api_domain": $0] } ?? [:] }
        )
    }
}
