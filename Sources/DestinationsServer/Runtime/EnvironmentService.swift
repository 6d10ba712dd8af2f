import ServiceLifecycle

/// Keeps the environment's resources (database, outbound HTTP client) open while the server runs and
/// closes them on graceful shutdown, after the services started later (HTTP server, job worker) stopped.
struct EnvironmentService: Service, CustomStringConvertible {
    // ServiceLifecycle logs each service's description: keep the settings (keys, secrets) out of it.
    var description: String { "EnvironmentService" }

    let environment: ServerEnvironment

    func run() async throws {
        try? await gracefulShutdown()
        // In a task of its own: when the group is cancelled rather than shut down gracefully, this task
        // is cancelled too, and the database would refuse the work of closing itself.
        try await Task { [environment] in try await environment.close() }.value
    }
}
