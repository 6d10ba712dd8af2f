import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// Token buckets per token, per workspace and for provider work, with their headers.
@Suite("Rate limits")
struct RateLimitTests {
    static let limit = HTTPField.Name("RateLimit-Limit")!
    static let remaining = HTTPField.Name("RateLimit-Remaining")!
    static let reset = HTTPField.Name("RateLimit-Reset")!

    static func limited(_ limits: RateLimitSettings) -> @Sendable (inout ServerSettings, FakeProvider) -> Void {
        { settings, _ in settings.rateLimits = limits }
    }

    @Test(arguments: TestBackend.all)
    func overTheTokensBucketIs429UntilItRefills(_ backend: TestBackend) async throws {
        let clock = MutableClock()
        let limits = RateLimitSettings(enabled: true, token: RateLimit(perSecond: 1, burst: 3))
        try await TestServer(backend, clock: clock).run(configure: Self.limited(limits)) { session in
            var remaining: [String?] = []
            for _ in 0..<3 {
                let response = try await session.request(.get, "/api/v1/destinations")
                #expect(response.status == .ok)
                #expect(response.headers[Self.limit] == "3")
                remaining.append(response.headers[Self.remaining])
            }
            #expect(remaining == ["2", "1", "0"])
            let refused = try await session.request(.get, "/api/v1/destinations")
            #expect(refused.status == .tooManyRequests)
            #expect(refused.headers[.retryAfter] == "1")
            #expect(refused.headers[Self.remaining] == "0")
            #expect(refused.headers[Self.reset] == "3")
            #expect(try refused.json()["status"].string == "error")
            #expect(try refused.json()["message"].string?.contains("token") == true)
            clock.advance(by: 1)
            #expect(try await session.request(.get, "/api/v1/destinations").status == .ok)
            // Unauthenticated requests and the operational routes are not counted.
            #expect(try await session.request(.get, "/healthz", headers: [:]).headers[Self.limit] == nil)
        }
    }

    @Test(arguments: TestBackend.all)
    func providerWorkHasItsOwnLowerBudget(_ backend: TestBackend) async throws {
        let limits = RateLimitSettings(enabled: true, provider: RateLimit(perSecond: 0.001, burst: 2))
        try await TestServer(backend, clock: MutableClock()).run(configure: Self.limited(limits)) { session in
            let id = try await session.createActiveCampaign()
            #expect(try await session.request(.post, "/api/v1/destinations/\(id)/refresh_objects").status == .ok)
            #expect(try await session.request(.post, "/api/v1/destinations/\(id)/test").status == .ok)
            let refused = try await session.request(.post, "/api/v1/destinations/\(id)/refresh_objects")
            #expect(refused.status == .tooManyRequests)
            #expect(try refused.json()["message"].string?.contains("provider") == true)
            #expect(Int(refused.headers[.retryAfter] ?? "") ?? 0 > 1)
            // Everything else goes on.
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").status == .ok)
        }
    }

    @Test(arguments: TestBackend.all)
    func aWorkspacesTokensShareItsBucket(_ backend: TestBackend) async throws {
        let limits = RateLimitSettings(enabled: true, workspace: RateLimit(perSecond: 0.001, burst: 3))
        try await TestServer(backend, clock: MutableClock()).run(configure: Self.limited(limits)) { session in
            let principal = try await session.environment.access.authenticate(token: session.token).workspacePrincipal()
            let second = try await session.environment.access.issueToken(workspace: principal.workspaceID)
            let stranger = try await session.otherWorkspaceToken()
            for token in [session.token, second, session.token] {
                #expect(try await session.request(.get, "/api/v1/destinations", headers: [.authorization: "Bearer \(token)"]).status == .ok)
            }
            let refused = try await session.request(.get, "/api/v1/destinations", headers: [.authorization: "Bearer \(second)"])
            #expect(refused.status == .tooManyRequests)
            #expect(try refused.json()["message"].string?.contains("workspace") == true)
            #expect(try await session.request(.get, "/api/v1/destinations", headers: [.authorization: "Bearer \(stranger)"]).status == .ok)
        }
    }

    @Test(arguments: TestBackend.all)
    func switchedOffThereAreNoLimitsAndNoHeaders(_ backend: TestBackend) async throws {
        let limits = RateLimitSettings(enabled: false, token: RateLimit(perSecond: 0.001, burst: 1))
        try await TestServer(backend).run(configure: Self.limited(limits)) { session in
            for _ in 0..<5 {
                let response = try await session.request(.get, "/api/v1/destinations")
                #expect(response.status == .ok)
                #expect(response.headers[Self.limit] == nil)
            }
        }
    }

    @Test func bucketsRefillAtTheirRateUpToTheBurst() {
        let buckets = InMemoryRateLimitBuckets()
        let limit = RateLimit(perSecond: 2, burst: 2)
        let start = Date(timeIntervalSince1970: 1_000)
        #expect(buckets.take("b", limit, now: start).allowed)
        #expect(buckets.take("b", limit, now: start).allowed)
        let empty = buckets.take("b", limit, now: start)
        #expect(!empty.allowed)
        #expect(empty.secondsUntilNext == 1)
        #expect(buckets.take("b", limit, now: start + 0.5).allowed)
        // A long pause refills no more than the burst.
        #expect(buckets.take("b", limit, now: start + 3600).remaining == 1)
        // A clock that steps back (another instance's) neither refills nor drains.
        #expect(buckets.take("b", limit, now: start).allowed)
        #expect(buckets.take("b", limit, now: start).allowed == false)
    }
}
