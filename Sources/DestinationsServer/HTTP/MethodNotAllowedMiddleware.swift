import DestinationsContract
import Foundation
import HTTPTypes
import Hummingbird
import Yams

/// Answers a method a route does not have with 405 and the `Allow` header (RFC 9110 §15.5.6), instead of
/// the router's 404: the path exists. The routes are the contract's own, read from openapi.yaml, plus the
/// operational ones.
struct MethodNotAllowedMiddleware<Context: RequestContext>: RouterMiddleware {
    let routes: RouteMethods

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let allowed = routes.methods(forPath: request.uri.path), !allowed.contains(request.method) else {
            return try await next(request, context)
        }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        return ErrorResponse.make(
            status: .methodNotAllowed,
            message: "\(request.method.rawValue) is not allowed on \(request.uri.path); allowed: \(list)",
            headers: [.allow: list]
        )
    }
}

/// Each route's methods, by path template (`/api/v1/destinations/{id}`); `{...}` stands for one segment.
struct RouteMethods: Sendable {
    private let routes: [(segments: [String], methods: [HTTPRequest.Method])]

    static let served = RouteMethods(
        contract: String(decoding: OpenAPIDocument.yaml, as: UTF8.self),
        prefix: "/api/v1",
        extra: ["/healthz": [.get], "/readyz": [.get], "/metrics": [.get]]
    )

    init(contract yaml: String, prefix: String, extra: [String: [HTTPRequest.Method]]) {
        let paths = ((try? Yams.load(yaml: yaml)) as? [String: Any])?["paths"] as? [String: Any] ?? [:]
        var routes = extra
        for case (let path, let item as [String: Any]) in paths {
            let methods = ["get", "put", "post", "delete", "options", "head", "patch", "trace"]
                .filter { item[$0] != nil }.compactMap { HTTPRequest.Method($0.uppercased()) }
            routes[prefix + path] = methods
        }
        // Fixed segments before placeholders, so /destinations/authorize_url is not taken for /destinations/{id}.
        self.routes = routes.map { (Self.segments($0.key), $0.value) }
            .sorted { $0.segments.filter(Self.isPlaceholder).count < $1.segments.filter(Self.isPlaceholder).count }
    }

    /// The methods of the route the path is on, or nil when it is on none.
    func methods(forPath path: String) -> [HTTPRequest.Method]? {
        let given = Self.segments(path)
        return routes.first { route in
            route.segments.count == given.count
                && zip(route.segments, given).allSatisfy { template, segment in Self.isPlaceholder(template) || template == segment }
        }?.methods
    }

    private static func segments(_ path: String) -> [String] {
        path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    private static func isPlaceholder(_ segment: String) -> Bool {
        segment.hasPrefix("{") && segment.hasSuffix("}")
    }
}
