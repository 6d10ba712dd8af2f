import DestinationsCore
import Foundation
import Logging
import NIOCore
import NIOPosix
import SQLKit
import SQLiteKit

/// SQLite in WAL mode: one writer connection, so transactions never interleave, and a pool of reader
/// connections, so reads neither queue behind writes nor behind each other.
public final class SQLiteDatabase: Database {
    public let dialect = SchemaDialect.sqlite
    /// The file belongs to one process.
    public let isSharedAcrossInstances = false

    private let writer: LeasePool<SQLiteConnection>
    private let readers: LeasePool<SQLiteConnection>
    private let connections: [SQLiteConnection]
    private let threadPool: NIOThreadPool

    /// - Parameters:
    ///   - path: the database file; its directory must exist.
    ///   - readerCount: reader connections (at least 1).
    ///   - synchronous: SQLite's `synchronous` pragma; `NORMAL` in WAL mode survives a killed process,
    ///     `FULL` also survives power loss at the cost of an fsync per commit.
    public static func open(
        path: String,
        readerCount: Int = 4,
        synchronous: SQLiteSynchronous = .normal,
        logger: Logger
    ) async throws -> SQLiteDatabase {
        // One thread per connection: a slow read never holds up the writer's thread.
        let threadPool = NIOThreadPool(numberOfThreads: readerCount + 1)
        threadPool.start()
        let eventLoop = MultiThreadedEventLoopGroup.singleton.any()
        var opened: [SQLiteConnection] = []
        do {
            func connect() async throws -> SQLiteConnection {
                let connection = try await SQLiteConnection.open(
                    storage: .file(path: path),
                    threadPool: threadPool,
                    logger: logger,
                    on: eventLoop
                )
                opened.append(connection)
                for pragma in ["PRAGMA busy_timeout = 10000", "PRAGMA foreign_keys = ON"] {
                    try await connection.sql().raw(SQLQueryString(pragma)).run()
                }
                return connection
            }
            let writer = try await connect()
            // journal_mode is a property of the file; set it before readers open it.
            try await writer.sql().raw("PRAGMA journal_mode = WAL").run()
            try await writer.sql().raw(SQLQueryString("PRAGMA synchronous = \(unsafeRaw: synchronous.rawValue)")).run()
            var readers: [SQLiteConnection] = []
            for _ in 0..<max(1, readerCount) {
                let reader = try await connect()
                try await reader.sql().raw("PRAGMA query_only = 1").run()
                readers.append(reader)
            }
            return SQLiteDatabase(writer: writer, readers: readers, threadPool: threadPool)
        } catch {
            for connection in opened { try? await connection.close() }
            try? await threadPool.shutdownGracefully()
            throw error
        }
    }

    private init(writer: SQLiteConnection, readers: [SQLiteConnection], threadPool: NIOThreadPool) {
        self.writer = LeasePool([writer])
        self.readers = LeasePool(readers)
        self.connections = [writer] + readers
        self.threadPool = threadPool
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await Task(priority: .holdingConnection) { try await self.readers.withLease { try await body($0.sql()) } }.value
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await Task(priority: .holdingConnection) { try await self.transaction(body) }.value
    }

    public func writeStatement<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await Task(priority: .holdingConnection) { try await self.writer.withLease { try await body($0.sql()) } }.value
    }

    private func transaction<T: Sendable>(_ body: @escaping @Sendable (any SQLDatabase) async throws -> T) async throws -> T {
        try await writer.withLease { connection in
            let database = connection.sql()
            // IMMEDIATE takes the write lock up front, so a transaction never fails half-way to upgrade it.
            try await database.raw("BEGIN IMMEDIATE").run()
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

    public func close() async throws {
        // Take every connection first, so none is closed under a running query.
        _ = await writer.acquire()
        for _ in 1..<connections.count { _ = await readers.acquire() }
        for connection in connections { try await connection.close() }
        try await threadPool.shutdownGracefully()
    }

    public func jobListener(notifier: any JobNotifier, logger: Logger) -> (any JobListener)? { nil }
}

public enum SQLiteSynchronous: String, Sendable, CaseIterable {
    case normal = "NORMAL"
    case full = "FULL"
}
