import DestinationsCore
import Foundation

struct Kustomer: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "kustomer",
        label: "Kustomer",
        authMethod: .credentials,
        documentationSlug: "kustomer",
        fields: [
            CredentialField(
                id: "api_key",
                label: "API Key",
                secret: true,
                hint: "Settings > Security > API Keys; with the klass, kobject, metadata, customer and company roles Census lists"
            ),
            CredentialField(
                id: "org",
                label: "Organization",
                required: false,
                format: .subdomain,
                placeholder: "acme",
                hint: "The acme in https://acme.kustomerapp.com; its API host reaches the org's region by itself"
            ),
            CredentialField(
                id: "region",
                label: "Region",
                required: false,
                format: .choice(["us", "eu", "in"]),
                hint: "Only without an organization: the region the org lives in (US by default)"
            ),
        ],
        objects: [
            .standard("Customer", "customer"),
            .standard("Company", "company"),
        ]
    )

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let org = credentials["org"]?.stringValue, let url = URL(string: "https://\(org).api.kustomerapp.com") else { return [] }
        return [("org", url)]
    }

    /// The org's own API host when the org is known; otherwise the regional host, because a key only works
    /// in the region that issued it (https://developer.kustomer.com/docs/get-started/regions-and-base-urls).
    private func endpoint(_ context: ConnectorContext) throws -> (base: URL, api: ProviderAPI) {
        let org = context.credentials["org"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        let regional =
            switch context.credentials["region"]?.stringValue ?? "us" {
            case "eu": "https://api.prod2.kustomerapp.com"
            case "in": "https://api.prod4.kustomerapp.com"
            default: "https://api.kustomerapp.com"
            }
        let base = try ProviderAPI.base(context, default: org.map { "https://\($0).api.kustomerapp.com" } ?? regional)
        let api = ProviderAPI(
            provider: "Kustomer",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "api_key")],
            hostSource: org == nil ? .configured : .userSupplied
        )
        return (base, api)
    }

    /// The key's own token record (`GET /v1/auth/tokens/current`), which any valid key may read whatever
    /// its roles; a key sent to the wrong region fails here too.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the API key's token",
                {
                    let (base, api) = try endpoint(context)
                    try await api.probe(base.appendingPathComponent("v1/auth/tokens/current"))
                }
            )
        ])
    }

    /// Customers and companies, plus one object per Klass (custom object type), named by the metadata
    /// resource its attributes live under (`kobject.<name>`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let (base, api) = try endpoint(context)
        let first = base.appendingPathComponent("v1/klasses").setting(["page": "1", "pageSize": "100"])
        let klasses = try await collectPages(first: first) { url in
            let (page, _) = try await api.get(url, as: JSONValue.self)
            let items = (page.objectValue?["data"]?.arrayValue ?? []).compactMap { $0.objectValue?["attributes"]?.objectValue }
            // Kustomer's `links.next` may be a path on the same host rather than an absolute URL.
            let next = page.objectValue?["links"]?.objectValue?["next"]?.stringValue.flatMap { URL(string: $0, relativeTo: base)?.absoluteURL }
            return (items, items.isEmpty ? nil : next)
        }
        return declaration.objects
            + klasses.compactMap { klass in
                klass["name"]?.stringValue.map { .standard(klass["displayName"]?.stringValue ?? $0, "kobject.\($0)") }
            }
    }

    /// The standard attributes Census matches on, plus the object's custom attributes from
    /// `GET /v1/metadata/{resource}` (`data.attributes.properties`), written under `custom`.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let standard: [ObjectField]
        switch object {
        case "customer": standard = Self.customerAttributes
        case "company": standard = Self.companyAttributes
        case let klass where klass.hasPrefix("kobject."): standard = Self.kobjectAttributes
        default: return []
        }
        let (base, api) = try endpoint(context)
        let (answer, _) = try await api.get(base.appendingPathComponent("v1/metadata/\(object)"), as: JSONValue.self)
        let properties = answer.objectValue?["data"]?.objectValue?["attributes"]?.objectValue?["properties"]?.objectValue ?? [:]
        let custom = properties.keys.sorted().map { name in
            let property = properties[name]?.objectValue
            return ObjectField(
                fullName: "custom.\(name)",
                label: property?["displayName"]?.stringValue ?? name,
                type: property?["type"]?.stringValue ?? Self.type(ofSuffixed: name)
            )
        }
        return standard + custom
    }

    /// The type a custom attribute's name suffix gives it, for metadata that does not say
    /// (https://developer.kustomer.com/docs/concepts/custom-attributes).
    static func type(ofSuffixed name: String) -> String {
        let suffixes = [("Str", "string"), ("Txt", "text"), ("Num", "number"), ("At", "date"), ("Bool", "boolean"), ("Url", "url"), ("Id", "id")]
        return suffixes.first { name.hasSuffix($0.0) }?.1 ?? "string"
    }

    static let customerAttributes = [
        ObjectField(fullName: "externalId", label: "External ID", type: "string", identifier: true),
        ObjectField(fullName: "email", label: "Default Customer Email", type: "string", identifier: true),
        ObjectField(fullName: "name", label: "Name", type: "string"),
    ]

    static let companyAttributes = [
        ObjectField(fullName: "externalId", label: "External ID", type: "string", identifier: true),
        ObjectField(fullName: "name", label: "Name", type: "string"),
    ]

    static let kobjectAttributes = [
        ObjectField(fullName: "externalId", label: "External ID", type: "string", identifier: true),
        ObjectField(fullName: "title", label: "Title", type: "string", required: true),
    ]
}
