import DestinationsCore
import Foundation
import Logging
import SQLKit
import TestSupport
import Testing

@testable import DestinationsStorage

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

    /// A cascade from a deleted row finds the rows that reference it through an index on the referencing
    /// column; without one, each delete of a destination scanned every job ever run.
    @Test(arguments: TestBackend.all)
    func everyForeignKeyLeadsAFullIndex(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let unindexed = try await database.read { db in
                switch backend {
                case .sqlite:
                    try await db.raw(
                        """
                        SELECT t.name || '.' || f."from" AS reference FROM sqlite_master t, pragma_foreign_key_list(t.name) f
                        WHERE t.type = 'table' AND NOT EXISTS (
                            SELECT 1 FROM pragma_index_list(t.name) i, pragma_index_info(i.name) c
                            WHERE i.partial = 0 AND c.seqno = 0 AND c.name = f."from")
                        """
                    ).all(decodingColumn: "reference", as: String.self)
                case .postgres:
                    try await db.raw(
                        """
                        SELECT c.conrelid::regclass::text || '.' || a.attname AS reference
                        FROM pg_constraint c JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
                        WHERE c.contype = 'f' AND c.connamespace = current_schema()::regnamespace AND NOT EXISTS (
                            SELECT 1 FROM pg_index i
                            WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1] AND i.indpred IS NULL)
                        """
                    ).all(decodingColumn: "reference", as: String.self)
                }
            }
            #expect(unindexed == [])
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

    @Test func sqliteSweepsExpiredAuthorizationsThroughAnIndex() async throws {
        try await withTemporaryDatabase(.sqlite) { database in
            let plan = try await database.read { db in
                try await db.raw("EXPLAIN QUERY PLAN DELETE FROM oauth_authorizations WHERE expires_at < 1").all()
                    .map { try $0.decode(column: "detail", as: String.self) }
            }
            #expect(plan.contains { $0.contains("oauth_authorizations_expiry") }, "\(plan)")
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

    /// Jobs queued before migration 8 learn their destination's type from it.
    @Test(arguments: TestBackend.all)
    func jobsQueuedBeforeTheyKnewTheirTypeLearnIt(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend, migrate: false) { database in
            try await Migrator(database: database, migrations: Migrations.all.filter { $0.version < 8 }, logger: logger).migrate()
            try await database.write { db in
                try await db.raw("INSERT INTO workspaces (name, created_at) VALUES ('w', 0)").run()
                try await db.raw(
                    """
                    INSERT INTO destinations (workspace_id, type, name, connection_details, secrets_key_id, secrets, created_at, updated_at)
                    VALUES (1, 'zendesk', 'z', '{}', 'k', \(bind: Data([1])), 0, 0)
                    """
                ).run()
                try await db.raw(
                    """
                    INSERT INTO jobs (kind, workspace_id, destination_id, status, max_attempts, run_at, created_at)
                    VALUES ('refresh_objects', 1, 1, 'queued', 3, 0, 0)
                    """
                ).run()
            }
            #expect(try await Migrator(database: database, logger: logger).migrate() == Migrations.all.map(\.version).filter { $0 >= 8 })
            let type = try await database.read { db in
                try await db.raw("SELECT destination_type FROM jobs").first(decodingColumn: "destination_type", as: String.self)
            }
            #expect(type == "zendesk")
        }
    }

    @Test(arguments: TestBackend.all)
    func tokensAndAuditEventsFromBeforeOrganisationsBelongToTheFirstOne(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend, migrate: false) { database in
            try await Migrator(database: database, migrations: Migrations.all.filter { $0.version < 9 }, logger: logger).migrate()
            let hash = Data(repeating: 7, count: 32)
            try await database.write { db in
                try await db.raw("INSERT INTO workspaces (name, created_at) VALUES ('w', 0)").run()
                try await db.raw("INSERT INTO api_tokens (workspace_id, token_hash, created_at) VALUES (1, \(bind: hash), 0)").run()
                try await db.raw(
                    "INSERT INTO audit_events (workspace_id, token_id, action, subject_token_id, changed_fields, created_at) VALUES (1, NULL, 'token.created', 1, '[]', 0)"
                ).run()
            }
            #expect(try await Migrator(database: database, logger: logger).migrate() == Migrations.all.map(\.version).filter { $0 >= 9 })
            let store = SQLWorkspaceStore(database: database)
            #expect(try await store.token(hash: hash)?.owner == .workspace(WorkspaceID(1)))
            #expect(try await store.workspace(WorkspaceID(1))?.organizationID == OrganizationID(1))
            let trail = try await SQLAuditLog(database: database).page(
                .organization(OrganizationID(1)),
                destination: nil,
                request: PageRequest(page: 1, perPage: 10, order: nil)
            )
            #expect(trail.items.map(\.record.action) == [.tokenCreated])
            #expect(trail.items.first?.record.workspaceID == WorkspaceID(1))
            // New rows get ids after the old ones, and a token belongs to a workspace or an organisation, never both or neither.
            let next = try await store.createToken(owner: .organization(OrganizationID(1)), hash: Data(repeating: 8, count: 32), now: Date())
            #expect(next == TokenID(2))
            for (workspace, organization) in [(Int64?(1), Int64?(1)), (nil, nil)] {
                await #expect(throws: (any Error).self) {
                    try await database.write { db in
                        try await db.raw(
                            "INSERT INTO api_tokens (workspace_id, organization_id, token_hash, created_at) VALUES (\(bind: workspace), \(bind: organization), \(bind: Data(repeating: 9, count: 32)), 0)"
                        ).run()
                    }
                }
            }
        }
    }
}
