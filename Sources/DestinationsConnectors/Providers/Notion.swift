import DestinationsCore
import Foundation

struct Notion: Connector {
    /// The API version we speak: the one that addresses databases through their data sources.
    static let version = "2025-09-03"

    /// Notion's token endpoint wants the client in HTTP Basic and the grant as JSON. The integration's
    /// capabilities are set in Notion, so consent carries no scope; `owner=user` gives a user-installed
    /// token. A refresh token, when Notion answers one, is kept and used.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Notion",
        authorizeURL: "https://api.notion.com/v1/oauth/authorize",
        tokenURL: "https://api.notion.com/v1/oauth/token",
        authorizeParameters: ["owner": "user"],
        clientAuthentication: .basicJSON,
        details: { answer in
            ["workspace_id": answer["workspace_id"], "workspace_name": answer["workspace_name"], "bot_id": answer["bot_id"]]
                .compactMapValues { $0 == .null ? nil : $0 }
        }
    )

    let declaration = ConnectorDeclaration(
        serviceName: "notion",
        label: "Notion",
        authMethod: .oauth,
        documentationSlug: "notion",
        fields: [],
        objects: []
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Notion",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token"), ("Notion-Version", Self.version)],
            hostSource: .configured
        )
    }

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api.notion.com")
    }

    /// The integration's bot user: `GET /v1/users/me`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the Notion integration's bot user", { try await api(context).probe(try base(context).appendingPathComponent("v1/users/me")) })
        ])
    }

    /// Every data source shared with the integration (`POST /v1/search` filtered to data sources, cursor
    /// pages); a database with several data sources gives one object each.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try api(context)
        let url = try base(context).appendingPathComponent("v1/search")
        var cursor: String? = nil
        var objects: [DestinationObject] = []
        // Notion's cursor goes in the POST body, so the pages are followed here rather than by URL.
        for _ in 0..<1_000 {
            var search: [String: JSONValue] = [
                "filter": .object(["property": .string("object"), "value": .string("data_source")]), "page_size": .integer(100),
            ]
            if let cursor { search["start_cursor"] = .string(cursor) }
            let response = try await api.send(
                ProviderRequest(
                    method: "POST",
                    url: url,
                    headers: api.headers + [("Content-Type", "application/json")],
                    body: JSONValue.encodeObject(search),
                    hostSource: api.hostSource
                )
            )
            let page = try api.decode(SearchPage.self, from: response)
            objects += page.results.filter { $0.object == "data_source" }.map { .standard($0.name, $0.id) }
            guard page.has_more == true, let next = page.next_cursor else { return objects }
            cursor = next
        }
        throw ProviderFailure.permanent("Notion returned more than 1000 pages of search results; stopped following them")
    }

    /// The data source's properties (`GET /v1/data_sources/{id}`): the title one is the record's key;
    /// computed ones cannot be written.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let url = try base(context).appendingPathComponent("v1/data_sources").appendingPathComponent(object)
        let (source, _) = try await api(context).get(url, as: DataSource.self)
        return source.properties.values.sorted { $0.name < $1.name }.map { property in
            let writable = !Self.computedTypes.contains(property.type)
            return ObjectField(
                fullName: property.name,
                label: property.name,
                type: property.type,
                identifier: property.type == "title",
                createable: writable,
                updateable: writable
            )
        }
    }

    /// Property types Notion fills in itself.
    static let computedTypes: Set<String> = [
        "formula", "rollup", "created_time", "created_by", "last_edited_time", "last_edited_by", "unique_id", "button", "verification",
    ]

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct SearchPage: Decodable {
        let results: [Result]
        let has_more: Bool?
        let next_cursor: String?

        struct Result: Decodable {
            let object: String
            let id: String
            let title: [RichText]?

            /// The plain text of the title, or the id of an untitled data source.
            var name: String {
                let text = (title ?? []).compactMap(\.plain_text).joined()
                return text.isEmpty ? id : text
            }
        }

        struct RichText: Decodable {
            let plain_text: String?
        }
    }

    private struct DataSource: Decodable {
        let properties: [String: Property]

        struct Property: Decodable {
            let name: String
            let type: String
        }
    }
}
