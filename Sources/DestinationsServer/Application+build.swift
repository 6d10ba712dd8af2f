import DestinationsAPI
import DestinationsConnectors
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime
import ServiceLifecycle
import UnixSignals

/// The HTTP application over an opened environment. The environment's database is closed when the
/// application shuts down.
public func buildApplication(environment: ServerEnvironment) throws -> some ApplicationProtocol {
    let settings = environment.settings
    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        RequestIdMiddleware()
        RequestLogMiddleware()
        RequestMetricsMiddleware(metrics: environment.metrics)
        MethodNotAllowedMiddleware(routes: .served)
        ErrorMiddleware()
        AuthenticationMiddleware(access: environment.access)
        RateLimitMiddleware(
            buckets: environment.rateLimitBuckets,
            settings: settings.rateLimits,
            metrics: environment.metrics,
            clock: environment.clock
        )
        RequestBodyMiddleware(timeout: .milliseconds(Int64(settings.bodyTimeout * 1000)))
        IdempotencyMiddleware(store: environment.idempotency, ttl: settings.idempotencyTTL, metrics: environment.metrics, clock: environment.clock)
        RequestScopeMiddleware(publicURL: settings.publicURL, trustProxy: settings.trustProxy)
    }
    router.addOperationalRoutes(environment)
    router.addConnectPage(environment)
    try DestinationsHandlers(
        destinations: environment.destinations,
        jobs: environment.jobs,
        oauth: environment.oauth,
        audit: environment.audit,
        workspaces: environment.workspaces,
        connectLinks: environment.connectLinks,
        webhooks: environment.webhooks,
        connectors: Catalog.registry
    )
    .registerHandlers(
        on: router,
        serverURL: URL(string: "/api/v1")!,
        configuration: Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
    )
    return Application(
        router: router,
        server: .http1(configuration: .init(idleTimeout: .milliseconds(Int64(settings.idleTimeout * 1000)))),
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "destinations"),
        services: [EnvironmentService(environment: environment), environment.jobWorker, MaintenanceService(environment: environment)]
            // An instance that leaves delivering to others runs no delivery service at all.
            + (settings.webhooks.concurrency > 0 ? [environment.webhookDeliverer] : [])
            + (environment.jobListener.map { [JobListenerService(listener: $0)] } ?? []),
        logger: environment.logger
    )
}

/// Serves until SIGTERM or SIGINT, then shuts down gracefully: the listener closes, requests in flight get
/// `shutdown.grace_seconds` to finish before they are cancelled, running jobs give their leases back, and the
/// database closes last.
public func serve(environment: ServerEnvironment) async throws {
    var configuration = ServiceGroupConfiguration(
        services: [try buildApplication(environment: environment)],
        gracefulShutdownSignals: [.sigterm, .sigint],
        logger: environment.logger
    )
    configuration.maximumGracefulShutdownDuration = .milliseconds(Int64(environment.settings.shutdownGrace * 1000))
    try await ServiceGroup(configuration: configuration).run()
}
