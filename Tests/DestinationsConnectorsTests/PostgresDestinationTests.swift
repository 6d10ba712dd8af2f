import DestinationsCore
import DestinationsStorage
import Foundation
import Logging
import PostgresNIO
import TestSupport
import Testing

@testable import DestinationsConnectors

/// The PostgreSQL destination against the test server on loopback (`TEST_POSTGRES_URL`), reached the way
/// production reaches a user's database: through the egress's guarded listener.
@Suite("PostgreSQL destination", .enabled(if: TestBackend.postgresURL != nil))
struct PostgresDestinationTests {
    /// A fresh database with a table in `public` and one in `sales`, and the credentials that reach it.
    static func seeded() async throws -> (details: [String: JSONValue], secrets: [String: JSONValue]) {
        guard case .postgres(let location) = try await TestBackend.postgres.freshDatabase(in: FileManager.default.temporaryDirectory) else {
            throw ProviderFailure.permanent("not a PostgreSQL location")
        }
        let configuration = PostgresConnection.Configuration(
            host: location.host,
            port: location.port,
            username: location.username,
            password: location.password,
            database: location.database,
            tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: Logger(label: "test"))
        for statement: PostgresQuery in [
            "CREATE TABLE people (email text PRIMARY KEY, name text NOT NULL, nickname text)",
            "CREATE SCHEMA sales",
            """
            CREATE TABLE sales.accounts (id bigint GENERATED ALWAYS AS IDENTITY, domain text UNIQUE, region text NOT NULL DEFAULT 'eu',
                total numeric GENERATED ALWAYS AS (1) STORED, PRIMARY KEY (id, region))
            """,
        ] {
            _ = try await connection.query(statement, logger: Logger(label: "test"))
        }
        try await connection.close()
        return (
            [
                "host": .string(location.host), "port": .string("\(location.port)"), "database": .string(location.database),
                "username": .string(location.username), "sslmode": "disable",
            ],
            ["password": "pg-password-canary"]
        )
    }

    static func context(_ details: [String: JSONValue], _ secrets: [String: JSONValue], http: AsyncHTTPProviderClient) -> ConnectorContext {
        ConnectorContext(details: details, secrets: secrets, http: http)
    }

    @Test func theConnectionTestRunsAQueryThroughTheEgress() async throws {
        let (details, secrets) = try await Self.seeded()
        let steps = try await Postgres().testConnection(Self.context(details, secrets, http: try await AsyncHTTPProviderClient.shared()))
        #expect(steps.map(\.status) == [.passed], "\(steps)")
    }

    /// Base tables as `schema.table`, optionally one schema's; columns in order with what the database
    /// says of them: not null without a default is required, a single-column key identifies, generated
    /// columns and identities always generated are not written.
    @Test func discoveryReadsTheInformationSchema() async throws {
        let (details, secrets) = try await Self.seeded()
        let http = try await AsyncHTTPProviderClient.shared()
        let objects = try await Postgres().discoverObjects(Self.context(details, secrets, http: http))
        #expect(objects.map(\.fullName) == ["public.people", "sales.accounts"])
        var oneSchema = details
        oneSchema["schema"] = "sales"
        #expect(try await Postgres().discoverObjects(Self.context(oneSchema, secrets, http: http)).map(\.fullName) == ["sales.accounts"])

        let people = try await Postgres().discoverFields(of: "public.people", Self.context(details, secrets, http: http))
        #expect(people.map(\.fullName) == ["email", "name", "nickname"])
        #expect(people.map(\.identifier) == [true, false, false])
        #expect(people.map(\.required) == [true, true, false])
        let accounts = try await Postgres().discoverFields(of: "sales.accounts", Self.context(details, secrets, http: http))
        #expect(accounts.map(\.fullName) == ["id", "domain", "region", "total"])
        // The two-column primary key identifies no row by one column; the unique domain does.
        #expect(accounts.map(\.identifier) == [false, true, false, false])
        #expect(accounts.map(\.required) == [false, false, false, false])
        #expect(accounts.map(\.createable) == [false, true, true, false])
    }

    /// PostgreSQL's own reasons, by SQLSTATE, and never the password.
    @Test func failuresSayWhyInPostgresWords() async throws {
        let (details, secrets) = try await Self.seeded()
        let http = try await AsyncHTTPProviderClient.shared()
        var noRole = details
        noRole["username"] = "nobody_here"
        let login = try await Postgres().testConnection(Self.context(noRole, secrets, http: http))
        #expect(login.first?.status == .failed)
        #expect(login.first?.errorMessage?.contains("refused the login (28000)") == true, "\(login)")
        var noDatabase = details
        noDatabase["database"] = "no_such_database"
        let database = try await Postgres().testConnection(Self.context(noDatabase, secrets, http: http))
        #expect(database.first?.errorMessage?.contains("has no such database (3D000)") == true, "\(database)")
        var tls = details
        tls["sslmode"] = "require"
        let plain = try await Postgres().testConnection(Self.context(tls, secrets, http: http))
        #expect(plain.first?.errorMessage?.contains("does not offer TLS") == true, "\(plain)")
        for step in login + database + plain {
            #expect(step.errorMessage?.contains("pg-password-canary") != true)
        }
    }

    /// The host is vetted as every user-supplied one: where private networks are not allowed, the
    /// loopback server is not dialled.
    @Test func theOutboundGuardRefusesAPrivateHost() async throws {
        let (details, secrets) = try await Self.seeded()
        let steps = try await AsyncHTTPProviderClient.with(timeout: 10, outboundGuard: .forTests(allowPrivateNetworks: false)) { http in
            try await Postgres().testConnection(Self.context(details, secrets, http: http))
        }
        #expect(steps.first?.status == .failed)
        #expect(steps.first?.errorMessage?.contains("loopback, private, link-local or metadata address") == true, "\(steps)")
    }

    /// A server that takes the connection and never answers holds nothing: past the call's time the
    /// connection is closed and the step says so.
    @Test func aSilentServerTimesOut() async throws {
        let (held, port) = try boundLoopbackSocket()
        defer { close(held) }
        try #require(listen(held, 8) == 0)
        let steps = try await AsyncHTTPProviderClient.with(timeout: 1) { http in
            try await Postgres().testConnection(
                Self.context(
                    ["host": "127.0.0.1", "port": .string("\(port)"), "database": "d", "username": "u", "sslmode": "disable"],
                    ["password": "p"],
                    http: http
                )
            )
        }
        #expect(steps.first?.status == .failed)
        #expect(steps.first?.errorMessage == "PostgreSQL at 127.0.0.1 did not answer within 1 seconds", "\(steps)")
    }

    /// A client without the egress (a test double) cannot open a database connection around the guard.
    @Test func aClientWithoutTunnelsCannotConnect() async throws {
        struct PlainHTTP: ProviderHTTP {
            func send(_ request: ProviderRequest) async throws -> ProviderResponse { ProviderResponse(status: 200, headers: [:], body: Data()) }
        }
        let steps = try await Postgres().testConnection(
            ConnectorContext(details: ["host": "127.0.0.1", "database": "d", "username": "u"], secrets: ["password": "p"], http: PlainHTTP())
        )
        #expect(steps.first?.errorMessage?.contains("cannot open database connections") == true)
    }
}
