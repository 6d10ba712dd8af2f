import DestinationsCore
import Foundation
import HTTPTypes
import Hummingbird

/// Token buckets per token, per workspace and, lower, per workspace for requests that make the server
/// call providers. Over any of them: 429 with `Retry-After`; every authenticated response carries
/// `RateLimit-Limit`, `-Remaining` and `-Reset` for the tightest bucket. Requests without a valid token
/// are refused before they get here, and are not counted.
struct RateLimitMiddleware: RouterMiddleware {
    typealias Context = AppRequestContext

    static let limitHeader = HTTPField.Name("RateLimit-Limit")!
    static let remainingHeader = HTTPField.Name("RateLimit-Remaining")!
    static let resetHeader = HTTPField.Name("RateLimit-Reset")!

    let buckets: any RateLimitBuckets
    let settings: RateLimitSettings
    let metrics: ServerMetrics
    let clock: any WallClock

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard settings.enabled, let caller = context.caller else { return try await next(request, context) }
        var checks: [(name: String, bucket: String, limit: RateLimit)] = [("token", "token:\(caller.tokenID.rawValue)", settings.token)]
        switch caller {
        case .workspace(let principal):
            checks.append(("workspace", "workspace:\(principal.workspaceID.rawValue)", settings.workspace))
            if Self.callsProviders(request) {
                checks.append(("provider", "provider:\(principal.workspaceID.rawValue)", settings.provider))
            }
        case .organization(let principal):
            // An organisation's requests share the budget a workspace's do.
            checks.append(("organization", "organization:\(principal.organizationID.rawValue)", settings.workspace))
        }
        let now = clock.now()
        var tightest: BucketState?
        for check in checks {
            let state = try await buckets.take(check.bucket, check.limit, now: now)
            guard state.allowed else {
                metrics.rateLimited(bucket: check.name)
                var headers = Self.headers(state)
                headers[.retryAfter] = String(state.secondsUntilNext)
                return ErrorResponse.make(
                    status: .tooManyRequests,
                    message: "Rate limit of the \(check.name) exceeded (\(Self.describe(check.limit))); retry after \(state.secondsUntilNext) s",
                    headers: headers
                )
            }
            if tightest.map({ state.remaining < $0.remaining }) ?? true { tightest = state }
        }
        var response = try await next(request, context)
        if let tightest {
            for field in Self.headers(tightest) { response.headers[field.name] = field.value }
        }
        return response
    }

    private static func headers(_ state: BucketState) -> HTTPFields {
        [
            limitHeader: String(Int(state.limit.burst)),
            remainingHeader: String(state.remaining),
            resetHeader: String(state.secondsUntilFull),
        ]
    }

    private static func describe(_ limit: RateLimit) -> String {
        "\(limit.perSecond.formatted()) requests/s, bursts of \(Int(limit.burst))"
    }

    /// The POSTs whose work is calls to the destination's provider.
    static func callsProviders(_ request: Request) -> Bool {
        guard request.method == .post else { return false }
        let path = request.uri.path
        return path.hasSuffix("/refresh_objects") || path.hasSuffix("/refresh_fields") || path.hasSuffix("/test")
    }
}
