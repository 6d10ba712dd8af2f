import DestinationsCore
import Foundation
import Logging
import NIOCore
import NIOSSL
import PostgresNIO

/// PostgreSQL as a destination, over its own wire protocol (postgres-nio) on a connection the egress
/// opens, so the host is vetted like every user-supplied one. Read-only here: the test runs a query,
/// discovery reads the information schema.
struct Postgres: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "postgres",
        label: "PostgreSQL",
        authMethod: .credentials,
        documentationSlug: "postgres",
        fields: [
            CredentialField(id: "host", label: "Hostname", format: .hostname, placeholder: "db.acme.net"),
            CredentialField(id: "port", label: "Port", required: false, format: .digits, placeholder: "5432"),
            CredentialField(id: "database", label: "Database", placeholder: "analytics"),
            CredentialField(id: "username", label: "Username", placeholder: "census"),
            CredentialField(id: "password", label: "Password", secret: true),
            CredentialField(
                id: "sslmode",
                label: "TLS",
                required: false,
                format: .choice(["require", "prefer", "disable"]),
                hint: "require (the default) needs TLS with a certificate valid for the host; prefer falls back to plain text"
            ),
            CredentialField(id: "schema", label: "Schema", required: false, hint: "Only this schema's tables; every schema's when empty"),
        ],
        objects: []
    )

    static let defaultPort = 5432

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let host = credentials["host"]?.stringValue, let url = URL(string: "postgres://\(host)") else { return [] }
        return [("host", url)]
    }

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Connect and run a read-only query",
                {
                    try await withConnection(context) { connection, _ in
                        _ = try await connection.query("SELECT current_user, current_database()", logger: Self.logger).collect()
                    }
                }
            )
        ])
    }

    /// The base tables the user may write to (`INSERT` privilege), as `schema.table`.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        try await withConnection(context) { connection, schema in
            let rows = try await connection.query(
                """
                SELECT table_schema::text, table_name::text FROM information_schema.tables
                WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
                AND (\(schema)::text IS NULL OR table_schema = \(schema))
                AND has_table_privilege(quote_ident(table_schema) || '.' || quote_ident(table_name), 'INSERT')
                ORDER BY table_schema, table_name
                """,
                logger: Self.logger
            )
            var objects: [DestinationObject] = []
            for try await (tableSchema, table) in rows.decode((String, String).self) {
                objects.append(.standard("\(tableSchema).\(table)", "\(tableSchema).\(table)", customFields: false, caseSensitive: true))
            }
            return objects
        }
    }

    /// A table's columns in order; those in a single-column primary key or unique constraint can identify
    /// rows, a column without a value of its own (not null, no default, not generated) is required, and
    /// generated columns and identities that are always generated cannot be written.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let parts = object.split(separator: ".", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return [] }
        let (tableSchema, table) = (parts[0], parts[1])
        return try await withConnection(context) { connection, _ in
            let rows = try await connection.query(
                """
                SELECT c.column_name::text, c.data_type::text,
                    c.is_nullable = 'NO' AND c.column_default IS NULL AND c.is_identity = 'NO' AND c.is_generated = 'NEVER',
                    c.is_generated = 'ALWAYS' OR coalesce(c.identity_generation = 'ALWAYS', false),
                    EXISTS (
                        SELECT 1 FROM information_schema.table_constraints tc
                        JOIN information_schema.key_column_usage k
                            ON k.constraint_schema = tc.constraint_schema AND k.constraint_name = tc.constraint_name
                        WHERE tc.table_schema = c.table_schema AND tc.table_name = c.table_name
                            AND tc.constraint_type IN ('PRIMARY KEY', 'UNIQUE') AND k.column_name = c.column_name
                            AND (SELECT count(*) FROM information_schema.key_column_usage k2
                                WHERE k2.constraint_schema = tc.constraint_schema AND k2.constraint_name = tc.constraint_name) = 1
                    )
                FROM information_schema.columns c
                WHERE c.table_schema = \(tableSchema) AND c.table_name = \(table)
                ORDER BY c.ordinal_position
                """,
                logger: Self.logger
            )
            var fields: [ObjectField] = []
            for try await (name, type, required, generated, identifier) in rows.decode((String, String, Bool, Bool, Bool).self) {
                fields.append(
                    ObjectField(
                        fullName: name,
                        label: name,
                        type: type,
                        required: required,
                        identifier: identifier,
                        createable: !generated,
                        updateable: !generated
                    )
                )
            }
            return fields
        }
    }

    private static let logger = Logger(label: "destinations.connectors.postgres")

    /// A connection for the length of `body`, closed however it ends; failures in words that name the
    /// cause (SQLSTATE) without the password.
    private func withConnection<T: Sendable>(
        _ context: ConnectorContext,
        _ body: (PostgresConnection, _ schema: String?) async throws -> T
    ) async throws -> T {
        guard let tunnels = context.http.tunnels as? EgressTunnels else {
            throw ProviderFailure.permanent("This server's outbound client cannot open database connections")
        }
        let override = context.baseURLOverride
        let host = try override?.host ?? context.credential("host")
        let port = override?.port ?? context.credentials["port"]?.stringValue.flatMap(Int.init) ?? Self.defaultPort
        let channel = try await tunnels.open(host: host, port: port, hostSource: override == nil ? .userSupplied : .configured)
        // A server that never answers (or is not PostgreSQL) would hold the job: past the call's time the
        // channel is closed under the exchange, which then fails.
        let deadline = Task { () -> Bool in
            do { try await Task.sleep(for: .seconds(tunnels.callTimeout)) } catch { return false }
            try? await channel.close()
            return true
        }
        do {
            let result = try await exchange(over: channel, host: host, context, body)
            deadline.cancel()
            return result
        } catch {
            deadline.cancel()
            if await deadline.value {
                throw ProviderFailure.transient("PostgreSQL at \(host) did not answer within \(Int(tunnels.callTimeout)) seconds")
            }
            throw error
        }
    }

    private func exchange<T: Sendable>(
        over channel: any Channel,
        host: String,
        _ context: ConnectorContext,
        _ body: (PostgresConnection, _ schema: String?) async throws -> T
    ) async throws -> T {
        var configuration = PostgresConnection.Configuration(
            establishedChannel: channel,
            tls: try tls(context),
            username: try context.credential("username"),
            password: try context.credential("password"),
            database: try context.credential("database")
        )
        configuration.options.tlsServerName = host
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(on: channel.eventLoop, configuration: configuration, id: 1, logger: Self.logger)
        } catch {
            try? await channel.close()
            throw failure(error, host: host, context)
        }
        let schema = context.credentials["schema"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        do {
            let result = try await body(connection, schema)
            try? await connection.close()
            return result
        } catch {
            try? await connection.close()
            throw failure(error, host: host, context)
        }
    }

    private func tls(_ context: ConnectorContext) throws -> PostgresConnection.Configuration.TLS {
        switch context.credentials["sslmode"]?.stringValue ?? "require" {
        case "disable": return .disable
        case "prefer": return .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
        default: return .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
        }
    }

    /// PostgreSQL's own reasons by SQLSTATE, the rest plainly.
    private func failure(_ error: any Error, host: String, _ context: ConnectorContext) -> ProviderFailure {
        if let failure = error as? ProviderFailure { return failure }
        if let error = error as? PSQLError {
            if let underlying = error.underlying, underlying is NIOSSLError {
                return .permanent("TLS with \(host) failed (\(underlying)); check that the host serves a valid certificate, or the TLS mode")
            }
            if let state = error.serverInfo?[.sqlState] {
                let message = context.redacted(error.serverInfo?[.message] ?? "")
                switch state {
                case "28P01", "28000":
                    return .permanent("PostgreSQL at \(host) refused the login (\(state)): \(message). Check the username and password")
                case "3D000":
                    return .permanent("PostgreSQL at \(host) has no such database (\(state)): \(message)")
                case "42501":
                    return .permanent("PostgreSQL at \(host) refused access (\(state)): \(message). Grant the user USAGE and SELECT")
                case "53300", "57P03":
                    return .transient("PostgreSQL at \(host) cannot take a connection now (\(state)): \(message)")
                default:
                    return .permanent("PostgreSQL at \(host) answered \(state): \(message)")
                }
            }
            switch error.code {
            case .sslUnsupported:
                return .permanent("PostgreSQL at \(host) does not offer TLS; choose sslmode prefer or disable, or enable TLS on the server")
            case .failedToAddSSLHandler, .messageDecodingFailure, .unexpectedBackendMessage:
                return .permanent("PostgreSQL at \(host) could not be spoken to (\(error.code)); check the host, port and TLS mode")
            default:
                return .transient("The connection to PostgreSQL at \(host) failed (\(error.code))")
            }
        }
        if error is NIOSSLError {
            return .permanent("TLS with \(host) failed (\(error)); check that the host serves a valid certificate, or the TLS mode")
        }
        return .transient("The connection to PostgreSQL at \(host) failed: \(context.redacted(String(describing: error)))")
    }
}
