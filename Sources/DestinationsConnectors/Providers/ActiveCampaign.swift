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
        let api = ProviderAPI(
            provider: "ActiveCampaign",
            context: context,
            headers: [("Api-Token", try context.credential("api_token"))],
            hostSource: .userSupplied
        )
        let schemasURL = try ProviderAPI.base(context, default: try context.credential("instance_url"))
            .appendingPathComponent("api/3/customObjects/schemas")
        func page(_ offset: Int) -> URL {
            schemasURL.setting(["limit": String(Self.pageSize), "offset": String(offset), "showFields": "all"])
        }
        var fetched = 0
        let schemas = try await collectPages(first: page(0)) { url in
            let (answer, _) = try await api.get(url, as: SchemaPage.self)
            fetched += answer.schemas.count
            // Until the total is reached when the answer gives one, else until a short page.
            let total = answer.meta?.total.flatMap { Int($0) }
            let more = !answer.schemas.isEmpty && (total.map { fetched < $0 } ?? (answer.schemas.count == Self.pageSize))
            return (answer.schemas, more ? page(fetched) : nil)
        }
        return declaration.objects
            + schemas.filter { $0.status != "marked_for_deletion" }.map { schema in
                .standard(schema.labels?.singular ?? schema.slug ?? schema.id, schema.slug ?? schema.id)
            }
    }

    private struct SchemaPage: Decodable {
        let schemas: [Schema]
        let meta: Meta?

        struct Schema: Decodable {
            let id: String
            let slug: String?
            let status: String?
            let labels: Labels?
        }

        struct Labels: Decodable {
            let singular: String?
        }

        /// ActiveCampaign sends numbers as strings, `"total": "2"`.
        struct Meta: Decodable {
            let total: String?

            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: CodingKeys.self)
                if let text = try? container.decode(String.self, forKey: .total) {
                    total = text
                } else {
                    total = try container.decodeIfPresent(Int.self, forKey: .total).map(String.init)
                }
            }

            enum CodingKeys: String, CodingKey {
                case total
            }
        }
    }
}
