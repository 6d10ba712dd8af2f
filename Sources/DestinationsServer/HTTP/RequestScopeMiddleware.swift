import Foundation
import HTTPTypes
import Hummingbird

/// The last middleware before the OpenAPI handlers: hands them the caller and the base URL for links
/// through a task local, since the generated interface passes neither.
struct RequestScopeMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    let publicURL: String?
    let trustProxy: Bool

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let scope = RequestScope(caller: context.caller, baseURL: publicURL ?? baseURL(of: request))
        var response = try await RequestScope.$current.withValue(scope) {
            try await next(request, context)
        }
        for field in scope.responseHeaders.all { response.headers[field.name] = field.value }
        return response
    }

    /// From the request's Host (or, behind a trusted proxy, X-Forwarded-Host and -Proto). A value that
    /// is not a plausible authority falls back to localhost rather than being echoed into links.
    private func baseURL(of request: Request) -> String {
        let forwardedProto = trustProxy ? request.headers[values: HTTPField.Name("X-Forwarded-Proto")!].first.flatMap(Self.firstValue) : nil
        let forwardedHost = trustProxy ? request.headers[values: HTTPField.Name("X-Forwarded-Host")!].first.flatMap(Self.firstValue) : nil
        let scheme = forwardedProto.flatMap { ["http", "https"].contains($0.lowercased()) ? $0.lowercased() : nil } ?? "http"
        let host = (forwardedHost ?? request.head.authority).flatMap { Self.isAuthority($0) ? $0 : nil } ?? "localhost"
        return "\(scheme)://\(host)"
    }

    private static func firstValue(_ header: String) -> String? {
        let first = header.split(separator: ",").first.map { $0.trimmingCharacters(in: .whitespaces) }
        return first?.isEmpty == false ? first : nil
    }

    private static func isAuthority(_ value: String) -> Bool {
        (1...255).contains(value.utf8.count)
            && value.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || ".-:[]_".unicodeScalars.contains($0)) }
    }
}
