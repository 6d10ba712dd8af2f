import Foundation
import DestinationsServer
import DestinationsStorage
import SQLKit

/// Every row of the tables a request could touch, so a test can prove a failed request wrote nothing.
enum DatabaseSnapshot {
    static func take(_ session: Session) async throws -> [String] {
        try await session.environment.database.read { db in
            var rows: [String] = []
            for (table, columns) in [
                ("destinations", "id, workspace_id, type, name, connection_details, secrets_key_id, hex(secrets), created_at, updated_at"),
                ("destination_objects", "destination_id, position, full_name, label, allow_custom_fields, allow_case_sensitive_field_names"),
                ("workspaces", "id, name"),
                ("api_tokens", "id, workspace_id, hex(token_hash), revoked_at"),
            ] {
                let result = try await db.raw(SQLQueryString("SELECT \(unsafeRaw: columns) FROM \(unsafeRaw: table) ORDER BY 1, 2")).all()
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
