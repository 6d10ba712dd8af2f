import DestinationsStorage
import Foundation
import Logging
import TestSupport

/// A migrated database of the backend, fresh for the test (a file in a new temporary directory, or a new
/// database on the PostgreSQL server), closed after the body runs.
func withTemporaryDatabase<T: Sendable>(
    _ backend: TestBackend,
    migrate: Bool = true,
    _ body: (any Database) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("destinations-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let logger = Logger(label: "storage-tests")
    let database: any Database =
        switch try await backend.freshDatabase(in: directory) {
        case .sqlite(let path): try await SQLiteDatabase.open(path: path, readerCount: 2, logger: logger)
        case .postgres(let location): PostgresDatabase(location: location, poolSize: 4, deadline: .seconds(60), logger: logger)
        }
    do {
        if migrate { try await Migrator(database: database, logger: logger).migrate() }
        let result = try await body(database)
        try await database.close()
        return result
    } catch {
        try? await database.close()
        throw error
    }
}
