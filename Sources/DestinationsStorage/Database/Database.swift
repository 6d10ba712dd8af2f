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

    /// Closes every connection; the database is unusable afterwards.
    func close() async throws
}
