import DestinationsCore
import Foundation

struct GoogleSheets: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "google_sheets",
        label: "Google Sheets",
        authMethod: .credentials,
        documentationSlug: "google-sheets",
        fields: ServiceAccountToken.credentialFields(sharing: "Share the spreadsheet with this address as an editor") + [
            CredentialField(
                id: "spreadsheet_id",
                label: "Spreadsheet ID",
                hint: "The id in https://docs.google.com/spreadsheets/d/<id>/edit"
            )
        ],
        objects: []
    )

    static let scope = "https://www.googleapis.com/auth/spreadsheets"

    /// The tabs of the spreadsheet (`spreadsheets.get` with the sheet properties), through a token the
    /// service account signs for itself. With a base URL override, the token endpoint is `<base>/token`
    /// and the Sheets API lives under `<base>/v4`.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let token = try await accessToken(context)
        let url = try spreadsheetURL(context).setting(["fields": "sheets.properties"])
        let (answer, _) = try await sheets(context, token: token).get(url, as: Spreadsheet.self)
        return answer.sheets
            .sorted { $0.properties.index ?? 0 < $1.properties.index ?? 0 }
            .map { .standard($0.properties.title, $0.properties.title, caseSensitive: true) }
    }

    private struct Spreadsheet: Decodable {
        let sheets: [Sheet]

        struct Sheet: Decodable {
            let properties: Properties
        }

        struct Properties: Decodable {
            let title: String
            let index: Int?
        }
    }

    private func accessToken(_ context: ConnectorContext) async throws -> String {
        try await ServiceAccountToken.accessToken(context, scope: Self.scope)
    }

    private func sheets(_ context: ConnectorContext, token: String) -> ProviderAPI {
        ProviderAPI(provider: "Google Sheets", context: context, headers: [ProviderAPI.bearer(token)], hostSource: .configured)
    }

    private func spreadsheetURL(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://sheets.googleapis.com").appendingPathComponent("v4/spreadsheets")
            .appendingPathComponent(try context.credential("spreadsheet_id"))
    }

    /// Signing in as the service account, then opening the spreadsheet (shared with it?).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        let token = ConnectionCheck.Handoff<String>()
        return try await ConnectionCheck.run([
            ("Sign in as the service account", { token.put(try await accessToken(context)) }),
            (
                "Open the spreadsheet",
                {
                    try await sheets(context, token: try token.value).probe(try spreadsheetURL(context).setting(["fields": "spreadsheetId"]))
                }
            ),
        ])
    }

    /// A tab's header row (`values/'Tab'!1:1`): each column a field, untyped.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let token = try await accessToken(context)
        let range = "'\(object.replacingOccurrences(of: "'", with: "''"))'!1:1"
        let url = try spreadsheetURL(context).appendingPathComponent("values").appendingPathComponent(range)
        let (answer, _) = try await sheets(context, token: token).get(url, as: ValueRange.self)
        return (answer.values?.first ?? []).filter { !$0.isEmpty }.map { ObjectField(fullName: $0, label: $0, type: "string") }
    }

    private struct ValueRange: Decodable {
        let values: [[String]]?
    }
}
