import DestinationsStorage
import Foundation
import Logging

/// A migrated SQLite database in a fresh temporary directory, closed and removed after the body runs.
func withTemporaryDatabase<T: Sendable>(
    migrate: Bool = true,
    _ body: (SQLiteDatabase, String) async throws -> T
) async throws -> T {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("destinations-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("test.sqlite").path
    let database = try await SQLiteDatabase.open(path: path, readerCount: 2, logger: Logger(label: "storage-tests"))
    do {
        if migrate { try await Migrator(database: database, logger: Logger(label: "storage-tests")).migrate() }
        let result = try await body(database, path)
        try await database.close()
        return result
    } catch {
        try? await database.close()
        throw error
    }
}
