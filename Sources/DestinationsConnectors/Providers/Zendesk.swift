import DestinationsCore
import Foundation

struct Zendesk: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Zendesk",
        authorizeURL: "https://{domain}.zendesk.com/oauth/authorizations/new",
        tokenURL: "https://{domain}.zendesk.com/oauth/tokens",
        scopes: ["read", "write"],
        clientAuthentication: .jsonBody,
        needsDomain: true
    )

    let declaration = ConnectorDeclaration(
        serviceName: "zendesk",
        label: "Zendesk",
        authMethod: .oauth,
        documentationSlug: "zendesk",
        fields: [
            CredentialField(
                id: "domain",
                label: "Subdomain",
                format: .subdomain,
                placeholder: "acme",
                hint: "The acme in https://acme.zendesk.com"
            )
        ],
        objects: [
            .standard("User", "user"),
            .standard("Organization", "organization"),
            .standard("Ticket", "ticket"),
        ]
    )

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let domain = credentials["domain"]?.stringValue, let url = URL(string: "https://\(domain).zendesk.com") else { return [] }
        return [("domain", url)]
    }

    /// Users, organizations and tickets, plus the account's custom objects (`GET /api/v2/custom_objects`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let customObjects = try await cursorPages(try base(context).appendingPathComponent("api/v2/custom_objects"), key: "custom_objects", context)
        return declaration.objects
            + customObjects.compactMap { object in
                guard let key = object["key"]?.stringValue else { return nil }
                return .standard(object["title"]?.stringValue ?? key, key)
            }
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Zendesk",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .userSupplied
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://\(try context.credential("domain")).zendesk.com")
    }

    /// The user the token acts as: `GET /api/v2/users/me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the authorised Zendesk user", { try await api(context).probe(try base(context).appendingPathComponent("api/v2/users/me.json")) })
        ])
    }

    /// Users and organizations: their standard attributes plus custom fields; tickets: the ticket fields
    /// (system and custom); custom objects: their fields.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let base = try base(context)
        switch object {
        case "user":
            return Self.userAttributes + (try await customFields(base.appendingPathComponent("api/v2/user_fields"), key: "user_fields", context))
        case "organization":
            return Self.organizationAttributes
                + (try await customFields(base.appendingPathComponent("api/v2/organization_fields"), key: "organization_fields", context))
        case "ticket":
            return try await customFields(base.appendingPathComponent("api/v2/ticket_fields"), key: "ticket_fields", context)
        default:
            return Self.customObjectAttributes
                + (try await customFields(base.appendingPathComponent("api/v2/custom_objects/\(object)/fields"), key: "custom_object_fields", context))
        }
    }

    static let userAttributes = [
        ObjectField(fullName: "external_id", label: "External ID", type: "string", identifier: true),
        ObjectField(fullName: "email", label: "Email", type: "string", identifier: true),
        ObjectField(fullName: "name", label: "Name", type: "string", required: true),
        ObjectField(fullName: "phone", label: "Phone", type: "string"),
        ObjectField(fullName: "role", label: "Role", type: "string"),
        ObjectField(fullName: "organization_id", label: "Organization ID", type: "integer"),
        ObjectField(fullName: "tags", label: "Tags", type: "array"),
    ]

    static let organizationAttributes = [
        ObjectField(fullName: "external_id", label: "External ID", type: "string", identifier: true),
        ObjectField(fullName: "name", label: "Name", type: "string", required: true),
        ObjectField(fullName: "domain_names", label: "Domain Names", type: "array"),
        ObjectField(fullName: "details", label: "Details", type: "string"),
        ObjectField(fullName: "notes", label: "Notes", type: "string"),
        ObjectField(fullName: "tags", label: "Tags", type: "array"),
    ]

    static let customObjectAttributes = [
        ObjectField(fullName: "external_id", label: "External ID", type: "string", identifier: true),
        ObjectField(fullName: "name", label: "Name", type: "string", required: true),
    ]

    /// The items under `key` of every page: Zendesk pages with cursors (`meta.has_more`, `links.next`)
    /// or, on older endpoints, `next_page`.
    private func cursorPages(_ url: URL, key: String, _ context: ConnectorContext) async throws -> [[String: JSONValue]] {
        let api = try api(context)
        return try await collectPages(first: url) { page in
            let (answer, _) = try await api.get(page, as: JSONValue.self)
            let body = answer.objectValue
            let items = (body?[key]?.arrayValue ?? []).compactMap(\.objectValue)
            let hasMore = body?["meta"]?.objectValue?["has_more"]
            let next = hasMore == .bool(false) ? nil : (body?["links"]?.objectValue?["next"]?.stringValue ?? body?["next_page"]?.stringValue)
            return (items, next.flatMap(URL.init(string:)))
        }
    }

    /// A field list, following Zendesk's cursor pages.
    private func customFields(_ url: URL, key: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        try await cursorPages(url, key: key, context).filter { $0["active"] != .bool(false) }.compactMap { field in
            // Custom user and organization fields have a key; ticket fields are addressed by id.
            let name =
                field["key"]?.stringValue
                ?? field["id"].map { value in
                    if case .integer(let id) = value { return "custom_fields.\(id)" }
                    return value.stringValue ?? ""
                }
            guard let name, !name.isEmpty else { return nil }
            return ObjectField(
                fullName: name,
                label: field["title"]?.stringValue ?? name,
                type: field["type"]?.stringValue ?? "text",
                required: field["required"] == .bool(true)
            )
        }
    }
}
