import Foundation
import Logging
import NIOSSL
import PostgresKit
import PostgresNIO
import SQLKit

/// PostgreSQL through a pooled `PostgresClient`: each read leases a connection, each write a connection
/// in a transaction. When the server cannot be reached, calls fail fast with `DatabaseUnavailable`
/// instead of queueing, and the pool reconnects by itself once it is back.
public final class PostgresDatabase: Database {
    public let dialect = SchemaDialect.postgres

    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    /// How long a call may wait for a connection.
    private let acquireTimeout: Duration
    private let health = Health()

    public init(location: PostgresLocation, poolSize: Int, acquireTimeout: Duration = .seconds(2), logger: Logger) {
        let tls: PostgresClient.Configuration.TLS =
            switch location.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: location.host,
            port: location.port,
            username: location.username,
            password: location.password,
            database: location.database,
            tls: tls
        )
        configuration.options.maximumConnections = max(2, poolSize)
        configuration.options.connectTimeout = acquireTimeout
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.acquireTimeout = acquireTimeout
        self.runner = Task { await client.run() }
    }

    public func read<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            try await guarded {
                try await self.client.withConnection { connection in
                    try await body(connection.sql())
                }
            }
        }
    }

    public func write<T: Sendable>(_ body: @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            try await guarded {
            try await self.client.withConnection { connection in
                let database = connection.sql()
                try await database.raw("BEGIN").run()
                do {
                    let result = try await body(database)
                    try await database.raw("COMMIT").run()
                    return result
                } catch {
                    try? await database.raw("ROLLBACK").run()
                    throw error
                }
            }
            }
        }
    }

    /// Runs `body` on a connection of its own for as long as it takes (LISTEN).
    public func withDedicatedConnection<T: Sendable>(_ body: @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await client.withConnection { try await body($0) }
    }

    public func close() async throws {
        runner.cancel()
        await runner.value
    }

    /// Bounds the wait for a connection, and turns connection failures into `DatabaseUnavailable`.
    /// After a failure, calls fail at once for a moment instead of piling up on a dead server.
    private func guarded<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) async throws -> T {
        if let reason = await health.recentFailure() { throw DatabaseUnavailable(reason) }
        do {
            let result = try await withThrowingTaskGroup(of: T?.self) { group in
                group.addTask { try await work() }
                group.addTask {
                    try await Task.sleep(for: self.acquireTimeout * 5)
                    return nil
                }
                defer { group.cancelAll() }
                guard let result = try await group.next() ?? nil else {
                    throw DatabaseUnavailable("no answer within \(self.acquireTimeout * 5)")
                }
                return result
            }
            await health.succeeded()
            return result
        } catch let error as DatabaseUnavailable {
            await health.failed(error.reason)
            throw error
        } catch {
            guard let reason = Self.unavailability(error) else { throw error }
            await health.failed(reason)
            logger.warning("Database unavailable", metadata: ["reason": "\(reason)"])
            throw DatabaseUnavailable(reason)
        }
    }

    /// Whether the error means the server is out of reach (as opposed to a bad statement).
    static func unavailability(_ error: any Error) -> String? {
        if let error = error as? PSQLError {
            switch error.code {
            case .connectionError, .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .poolClosed,
                .sslUnsupported, .failedToAddSSLHandler:
                return "\(error.code)"
            case .server:
                // Class 08 is connection exceptions; 57P0x the server shutting down or starting up.
                let state = error.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || state.hasPrefix("57P") ? "server state \(state)" : nil
            default:
                return nil
            }
        }
        let name = String(reflecting: type(of: error))
        return name.contains("ConnectionPoolError") || name.contains("NIOConnectionError") || name.contains("ChannelError")
            ? name.split(separator: ".").last.map(String.init) : nil
    }

    /// Remembers the last failure for a short while.
    actor Health {
        private var failure: (reason: String, at: ContinuousClock.Instant)?

        func recentFailure() -> String? {
            guard let failure, ContinuousClock.now - failure.at < .milliseconds(500) else { return nil }
            return failure.reason
        }

        func failed(_ reason: String) { failure = (reason, .now) }

        func succeeded() { failure = nil }
    }
}
