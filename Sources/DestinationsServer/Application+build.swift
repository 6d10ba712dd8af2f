import DestinationsAPI
import DestinationsConnectors
import Foundation
import Hummingbird
import Logging
import OpenAPIHummingbird
import OpenAPIRuntime

/// The HTTP application over an opened environment. The environment's database is closed when the
/// application shuts down.
public func buildApplication(environment: ServerEnvironment) throws -> some ApplicationProtocol {
    let settings = environment.settings
    let router = Router(context: AppRequestContext.self)
    router.addMiddleware {
        // Method and path at debug level; never headers (Authorization) or bodies (credentials).
        LogRequestsMiddleware(.debug)
        ErrorMiddleware()
        AuthenticationMiddleware(access: environment.access)
        RequestBodyMiddleware()
        RequestScopeMiddleware(publicURL: settings.publicURL, trustProxy: settings.trustProxy)
    }
    // Liveness, outside /api/v1 and without a token: the process answers.
    router.get("/healthz") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"status":"ok"}"#)))
    }
    try DestinationsHandlers(destinations: environment.destinations, jobs: environment.jobs, oauth: environment.oauth, connectors: Catalog.registry)
        .registerHandlers(
            on: router,
            serverURL: URL(string: "/api/v1")!,
            configuration: Configuration(dateTranscoder: RFC3339DateTranscoder(), jsonEncodingOptions: [.sortedKeys, .withoutEscapingSlashes])
        )
    return Application(
        router: router,
        configuration: .init(address: .hostname(settings.host, port: settings.port), serverName: "destinations"),
        services: [EnvironmentService(environment: environment), environment.jobWorker]
            + (environment.jobListener.map { [JobListenerService(listener: $0)] } ?? []),
        logger: environment.logger
    )
}
