import DestinationsCore
import Logging
import SQLKit

/// The database as the stores see it: reads on a connection of their own, writes in a transaction.
/// One protocol for every backend, so the stores hold the only copy of each query.
public protocol Database: Sendable {
    var dialect: SchemaDialect { get }

    /// Runs `body` on a connection no other task uses meanwhile, so its statements see one snapshot
    /// when it opens a transaction itself. No writes.
    func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body` in a transaction that commits when it returns and rolls back when it throws.
    func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Runs `body`, which makes one statement that writes, atomic by itself: no BEGIN and COMMIT around it,
    /// which would be two more trips to the database for each claim and state change of a job.
    func writeStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T

    /// Closes every connection; the database is unusable afterwards.
    func close() async throws

    /// Whether other server instances may share this database: then what must hold across all of them
    /// (the rate limits' budgets) is kept in it, not in one process's memory.
    var isSharedAcrossInstances: Bool { get }

    /// What hears other instances queue jobs and tells `notifier`, so this one's workers start them at
    /// once; nil where no other instance can queue any.
    func jobListener(notifier: any JobNotifier, logger: Logger) -> (any JobListener)?
}

/// Runs until cancelled, telling a notifier each time another instance queues a job.
public protocol JobListener: Sendable {
    func run() async
}

extension TaskPriority {
    /// The priority of a task that holds a pooled connection across its awaits (a transaction, a read).
    /// Between two statements such a task waits for a thread of the executor; at the requests' priority it
    /// waited behind every request in the queue, holding the connection (SQLite's only writer) all the
    /// while. Ahead of them, on SQLite: POST 1,290 -> 1,800 req/s, GET by id 7,500 -> 9,500. The task is
    /// unstructured because a task group's child of the same priority measured no gain; it is awaited, and
    /// it finishes even if the request is cancelled: a transaction commits or rolls back whole either way.
    static let holdingConnection = TaskPriority.high
}
