import Foundation
import Logging
import SQLKit

/// Applies the migrations a database lacks, each in its own transaction, and refuses a database whose
/// schema is newer than this build knows.
public struct Migrator: Sendable {
    private let database: any Database
    private let migrations: [Migration]
    private let logger: Logger

    public init(database: any Database, logger: Logger) {
        self.init(database: database, migrations: Migrations.all, logger: logger)
    }

    init(database: any Database, migrations: [Migration], logger: Logger) {
        self.database = database
        self.migrations = migrations.sorted { $0.version < $1.version }
        self.logger = logger
    }

    public var latestVersion: Int { migrations.last?.version ?? 0 }

    /// - Returns: the versions applied now (empty when the schema was current).
    @discardableResult
    public func migrate() async throws -> [Int] {
        let dialect = database.dialect
        let known = latestVersion
        let migrations = self.migrations
        return try await database.write { db in
            if let lock = dialect.migrationLock { try await db.raw(SQLQueryString(lock)).run() }
            try await db.raw(
                "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)"
            ).run()
            let current = try await Self.currentVersion(db)
            guard current <= known else { throw MigrationError.schemaTooNew(database: current, known: known) }
            var applied: [Int] = []
            for migration in migrations where migration.version > current {
                for statement in migration.statements(dialect) {
                    try await db.raw(SQLQueryString(statement)).run()
                }
                try await db.insert(into: "schema_migrations")
                    .columns("version", "name", "applied_at")
                    .values(SQLBind(migration.version), SQLBind(migration.name), SQLBind(Date().millisecondsSince1970))
                    .run()
                applied.append(migration.version)
            }
            return applied
        }
    }

    /// The database's schema version; 0 for an empty database.
    public func currentVersion() async throws -> Int {
        try await database.read { db in
            guard try await Self.hasMigrationsTable(db) else { return 0 }
            return try await Self.currentVersion(db)
        }
    }

    private static func hasMigrationsTable(_ db: any SQLDatabase) async throws -> Bool {
        let query: SQLQueryString =
            switch db.dialect.name {
            case "sqlite": "SELECT 1 AS found FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
            default: "SELECT 1 AS found FROM information_schema.tables WHERE table_name = 'schema_migrations'"
            }
        return try await db.raw(query).first() != nil
    }

    private static func currentVersion(_ db: any SQLDatabase) async throws -> Int {
        try await db.raw("SELECT COALESCE(MAX(version), 0) AS version FROM schema_migrations")
            .first(decodingColumn: "version", as: Int.self) ?? 0
    }
}

public enum MigrationError: Error, Equatable, CustomStringConvertible {
    case schemaTooNew(database: Int, known: Int)

    public var description: String {
        switch self {
        case .schemaTooNew(let database, let known):
            "the database schema is at version \(database), newer than this build knows (\(known)); "
                + "run a newer release of destinations against this database"
        }
    }
}

extension Date {
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }

    init(millisecondsSince1970 milliseconds: Int64) {
        self.init(timeIntervalSince1970: Double(milliseconds) / 1000)
    }
}
