import DestinationsServer
import DestinationsStorage
import Foundation
import SQLKit

/// Every row of the tables a request could touch, so a test can prove a failed request wrote nothing.
enum DatabaseSnapshot {
    static func take(_ session: Session) async throws -> [String] {
        let postgres = session.environment.database.dialect == .postgres
        func hex(_ column: String) -> String { postgres ? "encode(\(column), 'hex')" : "hex(\(column))" }
        let tables = [
            (
                "destinations",
                [
                    "id", "workspace_id", "type", "name", "connection_details", "auth_status", "secrets_key_id", hex("secrets"), "created_at",
                    "updated_at",
                ]
            ),
            ("destination_objects", ["destination_id", "position", "full_name", "label", "allow_custom_fields", "allow_case_sensitive_field_names"]),
            ("workspaces", ["id", "name"]),
            ("api_tokens", ["id", "workspace_id", hex("token_hash"), "revoked_at"]),
        ]
        return try await session.environment.database.read { db in
            var rows: [String] = []
            for (table, columns) in tables {
                let selected = columns.enumerated().map { "CAST(\($0.element) AS TEXT) AS c\($0.offset)" }.joined(separator: ", ")
                let result = try await db.raw(SQLQueryString("SELECT \(unsafeRaw: selected) FROM \(unsafeRaw: table) ORDER BY 1, 2")).all()
                for row in result {
                    let values = try row.allColumns.map { column in
                        try row.decodeNil(column: column) ? "NULL" : "\(try row.decode(column: column, as: String.self))"
                    }
                    rows.append("\(table): " + values.joined(separator: " | "))
                }
            }
            return rows
        }
    }
}
