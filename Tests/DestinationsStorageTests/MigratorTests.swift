import DestinationsStorage
import Logging
import SQLKit
import TestSupport
import Testing

@Suite struct MigratorTests {
    let logger = Logger(label: "storage-tests")

    @Test(arguments: TestBackend.all)
    func appliesEveryMigrationOnceThenNothing(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend, migrate: false) { database in
            let migrator = Migrator(database: database, logger: logger)
            #expect(try await migrator.currentVersion() == 0)
            let applied = try await migrator.migrate()
            #expect(applied == Array(1...migrator.latestVersion))
            #expect(try await migrator.migrate() == [])
            #expect(try await migrator.currentVersion() == migrator.latestVersion)
        }
    }

    @Test(arguments: TestBackend.all)
    func refusesASchemaNewerThanItKnows(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let migrator = Migrator(database: database, logger: logger)
            let future = migrator.latestVersion + 1
            try await database.write { db in
                try await db.raw("INSERT INTO schema_migrations (version, name, applied_at) VALUES (\(bind: future), 'from the future', 0)").run()
            }
            await #expect(throws: MigrationError.schemaTooNew(database: future, known: migrator.latestVersion)) {
                try await migrator.migrate()
            }
        }
    }

    @Test func sqliteRunsInWALMode() async throws {
        try await withTemporaryDatabase(.sqlite) { database in
            let mode = try await database.read { db in
                try await db.raw("PRAGMA journal_mode").first(decodingColumn: "journal_mode", as: String.self)
            }
            #expect(mode?.lowercased() == "wal")
        }
    }

    @Test func sqliteServesTheListQueryFromTheWorkspaceIndex() async throws {
        try await withTemporaryDatabase(.sqlite) { database in
            let plan = try await database.read { db in
                try await db.raw(
                    "EXPLAIN QUERY PLAN SELECT id FROM destinations WHERE workspace_id = 1 ORDER BY created_at DESC, id DESC LIMIT 25"
                ).all().map { try $0.decode(column: "detail", as: String.self) }
            }
            #expect(plan.contains { $0.contains("destinations_by_workspace") }, "\(plan)")
            #expect(!plan.contains { $0.contains("TEMP B-TREE") }, "\(plan)")
        }
    }

    @Test(.enabled(if: TestBackend.postgresURL != nil, "set TEST_POSTGRES_URL to run the PostgreSQL suites"))
    func postgresServesTheListQueryFromTheWorkspaceIndex() async throws {
        try await withTemporaryDatabase(.postgres) { database in
            let plan = try await database.write { db in
                // An empty table makes a scan cheapest; ask whether the index can serve the query at all.
                try await db.raw("SET LOCAL enable_seqscan = off").run()
                try await db.raw("SET LOCAL enable_bitmapscan = off").run()
                return try await db.raw(
                    "EXPLAIN SELECT id FROM destinations WHERE workspace_id = 1 ORDER BY created_at DESC, id DESC LIMIT 25"
                ).all(decodingColumn: "QUERY PLAN", as: String.self)
            }
            #expect(plan.contains { $0.contains("destinations_by_workspace") }, "\(plan)")
            #expect(!plan.contains { $0.contains("Sort") }, "\(plan)")
        }
    }
}
