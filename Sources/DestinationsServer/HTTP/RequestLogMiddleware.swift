import Hummingbird
import Logging

/// Method and path of each request at debug level; never headers (Authorization), bodies (credentials),
/// queries (OAuth codes) or a connect link's key, which is a bearer secret in the page's path.
struct RequestLogMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        context.logger.debug(
            "Request",
            metadata: ["hb.request.method": "\(request.method.rawValue)", "hb.request.path": "\(Self.redacted(request.uri.path))"]
        )
        return try await next(request, context)
    }

    /// `/connect/<key>/...` with the key replaced.
    static func redacted(_ path: String) -> String {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count > 2, segments[1] == "connect" else { return path }
        return (["", "connect", "[key]"] + segments.dropFirst(3)).joined(separator: "/")
    }
}
