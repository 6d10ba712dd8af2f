import DestinationsStorage
import ServiceLifecycle

/// Runs the PostgreSQL job listener in the service group, until graceful shutdown.
struct JobListenerService: Service, CustomStringConvertible {
    let listener: PostgresJobListener

    var description: String { "JobListenerService" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await listener.run()
        }
    }
}
