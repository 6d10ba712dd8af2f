import DestinationsStorage
import ServiceLifecycle

/// Runs the database's job listener in the service group, until graceful shutdown.
struct JobListenerService: Service, CustomStringConvertible {
    let listener: any JobListener

    var description: String { "JobListenerService" }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await listener.run()
        }
    }
}
