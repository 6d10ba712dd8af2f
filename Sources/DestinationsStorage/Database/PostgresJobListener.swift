import DestinationsCore
import Logging
import PostgresNIO

/// Hears the notifications other instances send when they queue a job (LISTEN), and wakes this
/// instance's workers, so jobs start at once whichever instance queued them.
struct PostgresJobListener: JobListener {
    private let database: PostgresDatabase
    private let notifier: any JobNotifier
    private let logger: Logger

    init(database: PostgresDatabase, notifier: any JobNotifier, logger: Logger) {
        self.database = database
        self.notifier = notifier
        self.logger = logger
    }

    /// Listens until cancelled, reconnecting after a lost connection. Workers still poll meanwhile, so
    /// a gap delays jobs, it loses none.
    func run() async {
        while !Task.isCancelled {
            do {
                try await database.withDedicatedConnection { connection in
                    try await connection.listen(on: SchemaDialect.jobChannel) { notifications in
                        for try await _ in notifications {
                            notifier.jobQueued()
                        }
                    }
                }
            } catch {
                guard !Task.isCancelled else { return }
                logger.warning("Job notifications interrupted; listening again shortly", metadata: ["error": "\(type(of: error))"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}
