import DestinationsCore
import Foundation

/// Salesforce Marketing Cloud Engagement through a server-to-server installed package: a token from the
/// client-credentials grant at the tenant's authentication host, then REST calls at the instance URL
/// that token names. Data extensions are the objects a sync writes, besides contacts.
struct SalesforceMarketingCloud: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "salesforce_marketing_cloud",
        label: "Salesforce Marketing Cloud",
        authMethod: .credentials,
        documentationSlug: "salesforce-marketing-cloud",
        fields: [
            CredentialField(
                id: "auth_base_uri",
                label: "Authentication Base URI",
                format: .url,
                placeholder: "https://mcxxxxxxxxxxxxxxxxxxxxxxxx.auth.marketingcloudapis.com",
                hint: "Setup > Installed Packages > your package's API Integration"
            ),
            CredentialField(id: "client_id", label: "Client ID"),
            CredentialField(id: "client_secret", label: "Client Secret", secret: true),
            CredentialField(
                id: "account_id",
                label: "Business Unit MID",
                required: false,
                format: .digits,
                hint: "The business unit to work in; the package's default when empty"
            ),
        ],
        objects: [.standard("Contact", "contact")]
    )

    static let hostSuffix = ".marketingcloudapis.com"

    /// The tenant's authentication host; anything but a Marketing Cloud host is refused before a call,
    /// as the client secret is sent to it.
    private func authBase(_ context: ConnectorContext) throws -> URL {
        let base = try ProviderAPI.base(context, default: try context.credential("auth_base_uri"))
        guard context.baseURLOverride != nil || base.host?.lowercased().hasSuffix(Self.hostSuffix) == true else {
            throw ProviderFailure.permanent(
                "auth_base_uri must be the package's Authentication Base URI (https://<subdomain>.auth.marketingcloudapis.com)"
            )
        }
        return base
    }

    /// A token, and the REST instance it is for (`rest_instance_url`; the override in tests).
    private func session(_ context: ConnectorContext) async throws -> (api: ProviderAPI, rest: URL) {
        var parameters: [String: String] = [:]
        if let account = context.credentials["account_id"]?.stringValue, !account.isEmpty { parameters["account_id"] = account }
        let grant = ClientCredentialsGrant(
            provider: "Marketing Cloud",
            tokenURL: try authBase(context).appendingPathComponent("v2/token"),
            encoding: .json,
            parameters: parameters,
            hostSource: .userSupplied
        )
        let (token, answer) = try await grant.token(context)
        let instance = answer["rest_instance_url"]?.stringValue.flatMap(URL.init(string:))
        guard let rest = context.baseURLOverride ?? instance,
            rest.host?.lowercased().hasSuffix(Self.hostSuffix) == true || context.baseURLOverride != nil
        else {
            throw ProviderFailure.permanent("Marketing Cloud's token answer named no REST instance on a Marketing Cloud host")
        }
        let api = ProviderAPI(provider: "Marketing Cloud", context: context, headers: [ProviderAPI.bearer(token)], hostSource: .userSupplied)
        return (api, rest)
    }

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        let api = ConnectionCheck.Handoff<ProviderAPI>()
        return try await ConnectionCheck.run([
            ("Get an access token with the client credentials", { api.put(try await session(context).api) }),
            ("Read the package's user and business unit", { try await api.value.probe(try authBase(context).appendingPathComponent("v2/userinfo")) }),
        ])
    }

    /// Contacts, and every data extension (`GET /data/v1/customobjects`, which needs a search term;
    /// `_` matches every name), page by page until `count` are seen.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let (api, rest) = try await session(context)
        let list = rest.appendingPathComponent("data/v1/customobjects")
        var seen: [String: DataExtensionList.Item] = [:]
        var order: [String] = []
        var page = 1
        while true {
            let url = list.setting(["$search": "_", "$page": "\(page)", "$pageSize": "\(Self.pageSize)"])
            let (answer, _) = try await api.get(url, as: DataExtensionList.self)
            let fresh = answer.items.filter { seen[$0.id] == nil }
            for item in fresh {
                seen[item.id] = item
                order.append(item.id)
            }
            // An instance that ignores the page parameters answers the same page again: stop there.
            guard !fresh.isEmpty, order.count < answer.count ?? 0, page < 1_000 else { break }
            page += 1
        }
        return declaration.objects + order.compactMap { seen[$0] }.map { .standard($0.name, "data_extension:\($0.id)", caseSensitive: true) }
    }

    static let pageSize = 200

    /// A data extension's fields (`GET /data/v1/customobjects/{id}/fields`): its primary key columns
    /// identify rows, and those not nullable are required.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object.hasPrefix("data_extension:") else { return [] }
        let (api, rest) = try await session(context)
        let url = rest.appendingPathComponent("data/v1/customobjects").appendingPathComponent(String(object.dropFirst("data_extension:".count)))
            .appendingPathComponent("fields")
        let (answer, _) = try await api.get(url, as: FieldList.self)
        return answer.fields.map { field in
            ObjectField(
                fullName: field.name,
                label: field.name,
                type: field.type ?? "Text",
                required: field.isNullable == false,
                identifier: field.isPrimaryKey == true
            )
        }
    }

    private struct DataExtensionList: Decodable {
        let count: Int?
        let items: [Item]

        struct Item: Decodable {
            let id: String
            let name: String
        }
    }

    private struct FieldList: Decodable {
        let fields: [Field]

        struct Field: Decodable {
            let name: String
            let type: String?
            let isPrimaryKey: Bool?
            let isNullable: Bool?
        }
    }
}
