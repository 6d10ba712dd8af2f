import DestinationsCore
import Foundation

struct Freshsales: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "freshsales",
        label: "Freshsales",
        authMethod: .credentials,
        documentationSlug: "freshsales",
        fields: [
            CredentialField(id: "api_key", label: "API Key", secret: true, hint: "Personal settings > API"),
            CredentialField(
                id: "domain",
                label: "Domain (Bundle Alias)",
                placeholder: "acme.myfreshworks.com/crm/sales",
                hint: "Shown below the API key in Personal settings > API; a bare acme means acme.myfreshworks.com/crm/sales"
            ),
        ],
        objects: [
            .standard("Account", "sales_account"),
            .standard("Contact", "contact"),
            .standard("Deal", "deal"),
        ]
    )

    /// The domains Freshworks serves CRM accounts from: current bundles, and legacy Freshsales accounts.
    static let domainSuffixes = [".myfreshworks.com", ".freshworks.com", ".freshsales.io"]

    /// Our object names to the API's resource names, and the field Census matches records on.
    static let resources = ["sales_account": "sales_accounts", "contact": "contacts", "deal": "deals"]
    static let syncKeys = ["sales_account": "name", "contact": "email", "deal": "name"]

    /// The account's API root from the bundle alias as the user copied it (with or without a scheme or
    /// a trailing slash), or nil when it is not a Freshworks address.
    static func bundleURL(_ alias: String) -> URL? {
        var alias = alias.trimmingCharacters(in: .whitespaces)
        for scheme in ["https://", "http://"] where alias.lowercased().hasPrefix(scheme) {
            alias = String(alias.dropFirst(scheme.count))
        }
        while alias.hasSuffix("/") { alias.removeLast() }
        if !alias.contains(".") { alias += ".myfreshworks.com/crm/sales" }
        guard let url = URL(string: "https://\(alias)"), let host = url.host?.lowercased(),
            domainSuffixes.contains(where: { host.hasSuffix($0) })
        else { return nil }
        return url
    }

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let url = credentials["domain"]?.stringValue.flatMap(Self.bundleURL) else { return [] }
        return [("domain", url)]
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        if let override = context.baseURLOverride { return override }
        let alias = try context.credential("domain")
        guard let url = Self.bundleURL(alias) else {
            throw ProviderFailure.permanent(
                "The Freshsales domain \(alias) is not a Freshworks address; copy the bundle alias, such as acme.myfreshworks.com/crm/sales"
            )
        }
        return url
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Freshsales",
            context: context,
            headers: [("Authorization", "Token token=\(try context.credential("api_key"))")],
            hostSource: .userSupplied
        )
    }

    /// The contact fields (`GET /api/settings/contacts/fields`): the key works on this account's bundle.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the contact fields with the API key",
                { try await api(context).probe(try base(context).appendingPathComponent("api/settings/contacts/fields")) }
            )
        ])
    }

    /// The object's fields (`GET /api/settings/{resource}/fields`, unpaged), standard and custom (`cf_`).
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard let resource = Self.resources[object] else { return [] }
        let url = try base(context).appendingPathComponent("api/settings/\(resource)/fields")
        let (answer, _) = try await api(context).get(url, as: FieldList.self)
        return answer.fields.map { field in
            ObjectField(
                fullName: field.name,
                label: field.label ?? field.name,
                type: field.type ?? "text",
                required: field.required == true,
                identifier: field.name == Self.syncKeys[object]
            )
        }
    }

    private struct FieldList: Decodable {
        let fields: [Field]

        struct Field: Decodable {
            let name: String
            let label: String?
            let type: String?
            let required: Bool?
        }
    }
}
