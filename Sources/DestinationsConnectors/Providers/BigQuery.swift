import DestinationsCore
import Foundation

/// Google BigQuery as a destination: the tables of a project (or of one dataset), through a token the
/// destination's service account signs for itself, as Google Sheets does. With a base URL override the
/// token endpoint is `<base>/token` and the API lives under `<base>/bigquery/v2`.
struct BigQuery: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "big_query",
        label: "Google BigQuery",
        authMethod: .credentials,
        documentationSlug: "bigquery",
        fields: [
            CredentialField(id: "project_id", label: "Project ID", format: .hostname, placeholder: "acme-analytics")
        ]
            + ServiceAccountToken.credentialFields(sharing: "Grant it BigQuery Data Editor and BigQuery Job User in the project")
            + [
                CredentialField(
                    id: "dataset",
                    label: "Dataset",
                    required: false,
                    hint: "Only this dataset's tables; every dataset's when empty"
                )
            ],
        objects: []
    )

    static let scope = "https://www.googleapis.com/auth/bigquery"

    private func api(_ context: ConnectorContext) async throws -> ProviderAPI {
        let token = try await ServiceAccountToken.accessToken(context, scope: Self.scope)
        return ProviderAPI(provider: "BigQuery", context: context, headers: [ProviderAPI.bearer(token)], hostSource: .configured)
    }

    private func projectURL(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://bigquery.googleapis.com").appendingPathComponent("bigquery/v2/projects")
            .appendingPathComponent(try context.credential("project_id"))
    }

    /// Signing in, then listing one dataset (`datasets.list`, which needs only the project's metadata).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        let api = ConnectionCheck.Handoff<ProviderAPI>()
        return try await ConnectionCheck.run([
            ("Sign in as the service account", { api.put(try await self.api(context)) }),
            (
                "List the project's datasets",
                { try await api.value.probe(try projectURL(context).appendingPathComponent("datasets").setting(["maxResults": "1"])) }
            ),
        ])
    }

    /// Every table (`dataset.table`) of the chosen dataset, or of every dataset; both lists page with
    /// `pageToken`.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try await api(context)
        let project = try projectURL(context)
        var datasets: [String] = []
        if let dataset = context.credentials["dataset"]?.stringValue, !dataset.isEmpty {
            datasets = [dataset]
        } else {
            datasets = try await Self.tokenPages(api, project.appendingPathComponent("datasets"), as: DatasetList.self) {
                ($0.datasets ?? []).map(\.datasetReference.datasetId)
            }
        }
        var objects: [DestinationObject] = []
        for dataset in datasets {
            let tables = try await Self.tokenPages(api, project.appendingPathComponent("datasets/\(dataset)/tables"), as: TableList.self) {
                ($0.tables ?? []).filter { $0.type == "TABLE" }.map(\.tableReference.tableId)
            }
            objects += tables.map { .standard("\(dataset).\($0)", "\(dataset).\($0)", customFields: false, caseSensitive: true) }
        }
        return objects
    }

    /// The table's columns (`tables.get`), top-level ones; a REQUIRED column is required, and the
    /// primary key's columns (`tableConstraints`) identify rows.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let parts = object.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return [] }
        let api = try await api(context)
        let url = try projectURL(context).appendingPathComponent("datasets/\(parts[0])/tables/\(parts[1])")
        let (table, _) = try await api.get(url, as: Table.self)
        let keys = Set(table.tableConstraints?.primaryKey?.columns ?? [])
        return (table.schema?.fields ?? []).map { column in
            ObjectField(
                fullName: column.name,
                label: column.name,
                type: column.type,
                required: column.mode == "REQUIRED",
                identifier: keys.contains(column.name)
            )
        }
    }

    private static func tokenPages<Page: Decodable & PageTokened, Item>(
        _ api: ProviderAPI,
        _ url: URL,
        as page: Page.Type,
        items: @escaping (Page) -> [Item]
    ) async throws -> [Item] {
        try await collectPages(first: url.setting(["maxResults": "1000"])) { next in
            let (answer, _) = try await api.get(next, as: page)
            return (items(answer), answer.nextPageToken.map { url.setting(["maxResults": "1000", "pageToken": $0]) })
        }
    }

    private struct DatasetList: Decodable, PageTokened {
        let datasets: [Dataset]?
        let nextPageToken: String?

        struct Dataset: Decodable {
            let datasetReference: Reference
        }

        struct Reference: Decodable {
            let datasetId: String
        }
    }

    private struct TableList: Decodable, PageTokened {
        let tables: [Entry]?
        let nextPageToken: String?

        struct Entry: Decodable {
            let tableReference: Reference
            let type: String?
        }

        struct Reference: Decodable {
            let tableId: String
        }
    }

    private struct Table: Decodable {
        let schema: Schema?
        let tableConstraints: Constraints?

        struct Schema: Decodable {
            let fields: [Column]?
        }

        struct Column: Decodable {
            let name: String
            let type: String
            let mode: String?
        }

        struct Constraints: Decodable {
            let primaryKey: PrimaryKey?
        }

        struct PrimaryKey: Decodable {
            let columns: [String]
        }
    }
}

/// A Google list answer that names its next page by token.
private protocol PageTokened {
    var nextPageToken: String? { get }
}
