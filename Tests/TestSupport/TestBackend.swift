import DestinationsStorage
import Foundation
import Logging
import SQLKit

/// The databases the suites run on: SQLite always, PostgreSQL too when `TEST_POSTGRES_URL` names a
/// server the tests may create databases on (`.ci/run` starts one).
public enum TestBackend: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite
    case postgres

    public static let postgresURL = ProcessInfo.processInfo.environment["TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }

    public static var all: [TestBackend] { postgresURL == nil ? [.sqlite] : [.sqlite, .postgres] }

    public var description: String { rawValue }

    /// A new, empty database of this backend (a file in `directory`, or a database on the server).
    public func freshDatabase(in directory: URL) async throws -> DatabaseLocation {
        switch self {
        case .sqlite:
            return .sqlite(path: directory.appendingPathComponent("test.sqlite").path)
        case .postgres:
            return .postgres(try await PostgresTestServer.shared.createDatabase())
        }
    }
}

/// Creates a database per test on the PostgreSQL server, and drops those earlier runs left behind.
actor PostgresTestServer {
    static let shared = PostgresTestServer()

    private var admin: (PostgresDatabase, PostgresLocation)?

    func createDatabase() async throws -> PostgresLocation {
        let (database, location) = try await connect()
        let name = "dt_\(Int(Date().timeIntervalSince1970))_\(UUID().uuidString.prefix(8).lowercased())"
        try await database.read { db in try await db.raw(SQLQueryString("CREATE DATABASE \(unsafeRaw: name)")).run() }
        var fresh = location
        fresh.database = name
        return fresh
    }

    private func connect() async throws -> (PostgresDatabase, PostgresLocation) {
        if let admin { return admin }
        guard let url = TestBackend.postgresURL, case .postgres(let location) = try DatabaseLocation(url) else {
            throw TestBackendError("TEST_POSTGRES_URL is not a postgres:// URL")
        }
        // Hundreds of test cases ask for a database at once and PostgreSQL makes them one at a time (each
        // copies template1 under a lock): a creation may wait minutes behind the others on a loaded machine.
        let database = PostgresDatabase(location: location, poolSize: 4, deadline: .seconds(600), logger: Logger(label: "test-postgres"))
        // Databases of runs more than an hour old: their processes are gone.
        let cutoff = Int(Date().timeIntervalSince1970) - 3600
        let stale = try await database.read { db in
            try await db.raw("SELECT datname FROM pg_database WHERE datname LIKE 'dt\\_%'").all(decodingColumn: "datname", as: String.self)
        }
        for name in stale where (Int(name.split(separator: "_").dropFirst().first ?? "") ?? .max) < cutoff {
            try? await database.read { db in try await db.raw(SQLQueryString("DROP DATABASE IF EXISTS \(unsafeRaw: name) WITH (FORCE)")).run() }
        }
        admin = (database, location)
        return (database, location)
    }
}

struct TestBackendError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
