import DestinationsCore
import Foundation

struct ActiveCampaign: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "active_campaign",
        label: "ActiveCampaign",
        authMethod: .credentials,
        documentationSlug: "active-campaign",
        fields: [
            CredentialField(
                id: "instance_url",
                label: "API URL",
                format: .url,
                placeholder: "https://example.api-us1.com",
                hint: "Settings > Developer > API Access: the URL shown there"
            ),
            CredentialField(id: "api_token", label: "API Key", secret: true, hint: "Settings > Developer > API Access"),
        ],
        objects: [
            .standard("Contact", "contact"),
            .standard("Account", "account"),
        ]
    )

    static let pageSize = 100

    /// Contact and account, plus the custom object schemas of the v3 API
    /// (`GET /api/3/customObjects/schemas`, paged with limit and offset).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let schemas = try await customObjectSchemas(try api(context), base: try base(context))
        return declaration.objects
            + schemas.compactMap { schema in
                guard let name = schema["slug"]?.stringValue ?? schema["id"]?.stringValue else { return nil }
                return .standard(schema["labels"]?.objectValue?["singular"]?.stringValue ?? name, name)
            }
    }

    /// The live custom object schemas, with their fields.
    private func customObjectSchemas(_ api: ProviderAPI, base: URL) async throws -> [[String: JSONValue]] {
        try await collectOffsetPages(base.appendingPathComponent("customObjects/schemas"), key: "schemas", api: api, extra: ["showFields": "all"])
            .filter { $0["status"]?.stringValue != "marked_for_deletion" }
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "ActiveCampaign",
            context: context,
            headers: [("Api-Token", try context.credential("api_token"))],
            hostSource: .userSupplied
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: try context.credential("instance_url")).appendingPathComponent("api/3")
    }

    /// The key's own user: `GET /api/3/users/me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the API key's user", { try await api(context).probe(try base(context).appendingPathComponent("users/me")) })
        ])
    }

    /// Contacts: email (the upsert key) and the standard attributes, plus custom fields
    /// (`GET /api/3/fields`); accounts: name plus `accountCustomFieldMeta`; custom objects: the fields
    /// inline in their schema.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let api = try api(context)
        let base = try base(context)
        switch object {
        case "contact":
            let custom = try await collectOffsetPages(base.appendingPathComponent("fields"), key: "fields", api: api)
            return [
                ObjectField(fullName: "email", label: "Email", type: "text", required: true, identifier: true),
                ObjectField(fullName: "firstName", label: "First Name", type: "text"),
                ObjectField(fullName: "lastName", label: "Last Name", type: "text"),
                ObjectField(fullName: "phone", label: "Phone", type: "text"),
            ]
                + custom.map { field in
                    ObjectField(
                        fullName: field["id"]?.stringValue ?? "",
                        label: field["title"]?.stringValue ?? "",
                        type: field["type"]?.stringValue ?? "text",
                        required: field["isrequired"]?.stringValue == "1"
                    )
                }
        case "account":
            let custom = try await collectOffsetPages(base.appendingPathComponent("accountCustomFieldMeta"), key: "accountCustomFieldMeta", api: api)
            return [ObjectField(fullName: "name", label: "Name", type: "text", required: true, identifier: true)]
                + custom.map { field in
                    ObjectField(
                        fullName: field["id"]?.stringValue ?? "",
                        label: field["fieldLabel"]?.stringValue ?? "",
                        type: field["fieldType"]?.stringValue ?? "text"
                    )
                }
        default:
            guard
                let schema = try await customObjectSchemas(api, base: base).first(where: {
                    ($0["slug"]?.stringValue ?? $0["id"]?.stringValue) == object
                })
            else {
                throw ProviderFailure.permanent("ActiveCampaign has no custom object \(object) any more; refresh the objects")
            }
            return [ObjectField(fullName: "external_id", label: "External ID", type: "text", identifier: true)]
                + (schema["fields"]?.arrayValue ?? []).compactMap(\.objectValue).filter { $0["status"]?.stringValue != "marked_for_deletion" }.map {
                    field in
                    ObjectField(
                        fullName: field["id"]?.stringValue ?? "",
                        label: field["labels"]?.objectValue?["singular"]?.stringValue ?? field["id"]?.stringValue ?? "",
                        type: field["type"]?.stringValue ?? "text",
                        required: field["required"] == .bool(true)
                    )
                }
        }
    }

    /// ActiveCampaign's limit/offset paging, to `meta.total` (a number sent as a string).
    private func collectOffsetPages(_ url: URL, key: String, api: ProviderAPI, extra: [String: String] = [:]) async throws -> [[String: JSONValue]] {
        var offset = 0
        func page(_ offset: Int) -> URL { url.setting(extra.merging(["limit": String(Self.pageSize), "offset": String(offset)]) { $1 }) }
        return try await collectPages(first: page(0)) { next in
            let (answer, _) = try await api.get(next, as: JSONValue.self)
            let items = (answer.objectValue?[key]?.arrayValue ?? []).compactMap(\.objectValue)
            offset += items.count
            let total = answer.objectValue?["meta"]?.objectValue?["total"].flatMap { $0.stringValue.flatMap(Int.init) ?? $0.intValue }
            let more = !items.isEmpty && (total.map { offset < $0 } ?? (items.count == Self.pageSize))
            return (items, more ? page(offset) : nil)
        }
    }
}
