import DestinationsCore
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
    public let isSharedAcrossInstances = true

    private let client: PostgresClient
    private let runner: Task<Void, Never>
    private let logger: Logger
    /// How long a call may take before the client is told the database is unavailable.
    private let deadline: Duration
    /// How much longer a transaction that has begun to commit is waited for.
    private let commitPatience: Duration
    private let health = Health()

    /// - Parameters:
    ///   - poolSize: connections this instance may hold (one more is kept for job notifications).
    ///   - deadline: how long one call may take, connecting included, before it fails as unavailable.
    ///   - commitPatience: how much longer a transaction that has begun to commit is waited for: a slow
    ///     commit is answered as what it did, but a statement the driver never answers (its connection lost
    ///     midway) must not hold the caller, and shutdown, for good.
    public init(location: PostgresLocation, poolSize: Int, deadline: Duration = .seconds(5), commitPatience: Duration = .seconds(30), logger: Logger)
    {
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
        configuration.options.maximumConnections = max(2, poolSize + 1)
        configuration.options.connectTimeout = min(deadline, .seconds(3))
        let client = PostgresClient(configuration: configuration, backgroundLogger: logger)
        self.client = client
        self.logger = logger
        self.deadline = deadline
        self.commitPatience = commitPatience
        self.runner = Task { await client.run() }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await onPooledConnection(body)
    }

    /// Under the plain deadline: these are the job queue's writes, fenced by leases, so a claim or a release
    /// that lands after its caller heard "unavailable" is set right when the lease runs out.
    public func writeStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await onPooledConnection(body)
    }

    private func onPooledConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await guarded { [client] _ in
            try await client.withConnection { connection in
                try await body(connection.sql())
            }
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await guarded { [client] outcome in
            try await client.withConnection { connection in
                let database = connection.sql()
                try await database.raw("BEGIN").run()
                do {
                    let result = try await body(database)
                    try outcome.commit()
                    try await database.raw("COMMIT").run()
                    return result
                } catch {
                    try? await database.raw("ROLLBACK").run()
                    throw error
                }
            }
        }
    }

    /// Runs `body` on a connection of its own for as long as it takes (LISTEN), but a cancelled caller
    /// stops waiting at once: PostgresNIO's `listen` on a connection that closes as it starts can never
    /// return, cancelled or not (vapor/postgres-nio#601), which held a server's shutdown for ever.
    public func withDedicatedConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) async throws -> T {
        try await Self.withDeadline(nil) { [client] _ in try await client.withConnection { try await body($0) } }
    }

    public func close() async throws {
        runner.cancel()
        await runner.value
    }

    public func jobListener(notifier: any JobNotifier, logger: Logger) -> (any JobListener)? {
        PostgresJobListener(database: self, notifier: notifier, logger: logger)
    }

    /// Turns connection failures into `DatabaseUnavailable`, and gives up on a call that takes longer
    /// than the deadline without waiting for it (the pool may hold a request while it reconnects).
    /// After a failure, calls fail at once for a moment instead of piling up on a dead server.
    private func guarded<T: Sendable>(_ work: @escaping @Sendable (Outcome<T>) async throws -> T) async throws -> T {
        if let reason = await health.recentFailure() { throw DatabaseUnavailable(reason) }
        let started = ContinuousClock.now
        do {
            let result = try await Self.withDeadline(deadline, commitPatience: commitPatience, work)
            await health.succeeded()
            return result
        } catch let error as DatabaseUnavailable {
            await health.failed(error.reason, startedAt: started)
            throw error
        } catch {
            guard let reason = Self.unavailability(error) else { throw error }
            await health.failed(reason, startedAt: started)
            logger.warning("Database unavailable", metadata: ["reason": "\(reason)"])
            throw DatabaseUnavailable(reason)
        }
    }

    /// The work's result, or `DatabaseUnavailable` once the deadline (if any) passes, or `CancellationError`
    /// as soon as the caller is cancelled; the work is then cancelled and left to end on its own. A
    /// transaction calls `commit()` on the outcome it is given before it commits: past its deadline it is
    /// rolled back, and once committing it is waited for (`commitPatience` more at most), so that no caller
    /// is told "unavailable" about a write that lands.
    static func withDeadline<T: Sendable>(
        _ deadline: Duration?,
        commitPatience: Duration = .zero,
        _ work: @escaping @Sendable (Outcome<T>) async throws -> T
    ) async throws -> T {
        let outcome = Outcome<T>()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                outcome.start(continuation)
                let task = Task(priority: .holdingConnection) {
                    do { outcome.finish(.success(try await work(outcome))) } catch { outcome.finish(.failure(error)) }
                }
                let timer = deadline.map { deadline in
                    Task {
                        try? await Task.sleep(for: deadline)
                        outcome.expire(DatabaseUnavailable("no answer within \(deadline)"))
                        guard !Task.isCancelled else { return }
                        try? await Task.sleep(for: commitPatience)
                        outcome.expire(
                            DatabaseUnavailable("the commit did not answer within \(deadline + commitPatience); it may have been applied"),
                            evenWhileCommitting: true
                        )
                    }
                }
                // Whichever ends first, the other is no longer needed.
                outcome.onAbandon {
                    task.cancel()
                    timer?.cancel()
                }
            }
        } onCancel: {
            outcome.expire(CancellationError())
        }
    }

    /// Resumes the continuation once, with whichever result comes first: the work's, or the deadline's
    /// (or the caller's cancellation) unless the work has begun to commit.
    final class Outcome<T: Sendable>: @unchecked Sendable {
        private let lock = NSLock()
        private var continuation: CheckedContinuation<T, any Error>?
        private var early: Result<T, any Error>?
        private var abandon: (@Sendable () -> Void)?
        private var done = false
        private var committing = false

        /// From here on only the work's own result answers; throws if the deadline or a cancellation
        /// already has, and then the work must not commit.
        func commit() throws {
            try lock.withLock {
                guard !done, early == nil else { throw DatabaseUnavailable("the answer was given up before the commit") }
                committing = true
            }
        }

        func expire(_ error: any Error, evenWhileCommitting: Bool = false) {
            settle(.failure(error), overridingCommit: evenWhileCommitting)
        }

        func finish(_ result: Result<T, any Error>) {
            settle(result, overridingCommit: true)
        }

        func start(_ continuation: CheckedContinuation<T, any Error>) {
            let pending: Result<T, any Error>? = lock.withLock {
                if let early {
                    done = true
                    return early
                }
                self.continuation = continuation
                return nil
            }
            if let pending { continuation.resume(with: pending) }
        }

        func onAbandon(_ action: @escaping @Sendable () -> Void) {
            let already = lock.withLock { () -> Bool in
                abandon = action
                return done
            }
            if already { action() }
        }

        private func settle(_ result: Result<T, any Error>, overridingCommit: Bool) {
            let (continuation, abandon): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) = lock.withLock {
                guard !done, overridingCommit || !committing else { return (nil, nil) }
                guard let continuation = self.continuation else {
                    if early == nil { early = result }
                    return (nil, nil)
                }
                done = true
                self.continuation = nil
                return (continuation, self.abandon)
            }
            continuation?.resume(with: result)
            abandon?()
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
        private var lastSuccess: ContinuousClock.Instant?

        func recentFailure() -> String? {
            guard let failure, ContinuousClock.now - failure.at < .seconds(1) else { return nil }
            return failure.reason
        }

        /// A call that began before the last success says nothing newer about the server: one that
        /// waited out its deadline in the pool during an outage would otherwise turn callers away after
        /// the server is back.
        func failed(_ reason: String, startedAt started: ContinuousClock.Instant) {
            if let lastSuccess, started < lastSuccess { return }
            failure = (reason, .now)
        }

        func succeeded() {
            failure = nil
            lastSuccess = .now
        }
    }
}
