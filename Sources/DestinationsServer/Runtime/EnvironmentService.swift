import ServiceLifecycle

/// Keeps the environment's resources (database, outbound HTTP client) open while the server runs and
/// closes them on graceful shutdown, after the services started later (HTTP server, job worker) stopped.
struct EnvironmentService: Service {
    let environment: ServerEnvironment

    func run() async throws {
        try? await gracefulShutdown()
        try await environment.close()
    }
}
