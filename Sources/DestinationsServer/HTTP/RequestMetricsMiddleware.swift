import DestinationsCore
import Hummingbird

/// Counts and times every request by route template (`/api/v1/destinations/{id}`, not the id itself),
/// method and status. Sits outside the error middleware, so a thrown error is counted with the status it
/// was answered with.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServerMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let started = ContinuousClock.now
        let response = try await next(request, context)
        metrics.request(
            route: context.endpointPath ?? "unmatched",
            method: request.method.rawValue,
            status: Int(response.status.code),
            seconds: (ContinuousClock.now - started).seconds
        )
        return response
    }
}
