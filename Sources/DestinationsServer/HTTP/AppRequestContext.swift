import DestinationsCore
import Foundation
import HTTPTypes
import Hummingbird

public struct AppRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by the authentication middleware for every request under /api/v1 that needs a token.
    public var caller: Caller?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }

    public var maxUploadSize: Int { RequestLimits.maximumBodySize }
}

/// What the OpenAPI handlers need of the request, which the generated interface does not pass them.
struct RequestScope: Sendable {
    @TaskLocal static var current: RequestScope?

    var caller: Caller?
    /// Scheme and authority that absolute links start with, e.g. `https://destinations.example.com`.
    var baseURL: String
    /// Headers a handler adds to its response outside the generated types, which would percent-encode
    /// them (an ETag's quotes).
    let responseHeaders = ResponseHeaders()

    /// The caller of a workspace API route; the authentication middleware guarantees one on every route
    /// that asks, and an organisation token is refused (403).
    static func principal() throws -> Principal {
        try caller().workspacePrincipal()
    }

    /// The caller of an organisation API route; a workspace token is refused (403).
    static func organization() throws -> OrganizationPrincipal {
        try caller().organizationPrincipal()
    }

    static func caller() throws -> Caller {
        guard let caller = current?.caller else { throw APIError.unauthorized }
        return caller
    }
}

/// Response headers set while a handler runs, applied by RequestScopeMiddleware.
final class ResponseHeaders: @unchecked Sendable {
    private let lock = NSLock()
    private var fields = HTTPFields()

    func set(_ name: HTTPField.Name, _ value: String) { lock.withLock { fields[name] = value } }

    var all: HTTPFields { lock.withLock { fields } }
}
