import DestinationsCore
import Foundation
import Hummingbird

/// Resolves the API token of every request under /api/v1 (except the public contract) to its workspace
/// or organisation.
struct AuthenticationMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let protectedPrefix = "/api/v1/"
    static let publicPaths: Set<String> = ["/api/v1/openapi.yaml"]

    let access: AccessService

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path
        guard path.hasPrefix(Self.protectedPrefix), !Self.publicPaths.contains(path) else {
            return try await next(request, context)
        }
        guard let token = request.headers[.authorization].flatMap(PresentedToken.parse) else {
            throw APIError.unauthorized
        }
        var context = context
        context.caller = try await access.authenticate(token: token)
        return try await next(request, context)
    }
}

/// The token in an Authorization header: `Bearer T`, or HTTP Basic with user `bearer` and password T
/// (as dagster-census sends it).
enum PresentedToken {
    static func parse(_ header: String) -> String? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2 else { return nil }
        let scheme = parts[0].lowercased()
        let value = parts[1].trimmingCharacters(in: .whitespaces)
        switch scheme {
        case "bearer":
            return value.isEmpty ? nil : value
        case "basic":
            guard let decoded = Data(base64Encoded: value).flatMap({ String(data: $0, encoding: .utf8) }),
                let colon = decoded.firstIndex(of: ":"),
                decoded[..<colon].lowercased() == "bearer"
            else { return nil }
            let token = String(decoded[decoded.index(after: colon)...])
            return token.isEmpty ? nil : token
        default:
            return nil
        }
    }
}
