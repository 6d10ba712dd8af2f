import DestinationsStorage
import ServiceLifecycle

/// Keeps the database open while the server runs and closes it cleanly on graceful shutdown, after the
/// HTTP server (a later service in the group) has stopped.
struct DatabaseService: Service {
    let database: any Database

    func run() async throws {
        try? await gracefulShutdown()
        try await database.close()
    }
}
