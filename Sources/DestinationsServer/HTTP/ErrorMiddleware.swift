import Hummingbird

/// The outermost middleware: whatever a later stage throws leaves as the error envelope.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            return ErrorResponse.response(for: error, logger: context.logger)
        }
    }
}
