import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// Idempotency-Key on POSTs: replay, mismatch, in flight, expiry, per token.
@Suite("Idempotent retries")
struct IdempotencyTests {
    static let key = HTTPField.Name("Idempotency-Key")!
    static let replayed = HTTPField.Name("Idempotent-Replayed")!

    static func headers(_ session: Session, key: String, token: String? = nil) -> HTTPFields {
        [.authorization: "Bearer \(token ?? session.token)", Self.key: key]
    }

    @Test(arguments: TestBackend.all)
    func aRetryReplaysTheFirstResponseAndCreatesNothingMore(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let body = session.activeCampaignBody(name: "Once")
            let first = try await session.request(.post, "/api/v1/destinations", json: body, headers: Self.headers(session, key: "create-1"))
            #expect(first.status == .created)
            #expect(first.headers[Self.replayed] == nil)
            let retry = try await session.request(.post, "/api/v1/destinations", json: body, headers: Self.headers(session, key: "create-1"))
            #expect(retry.status == .created)
            #expect(retry.headers[Self.replayed] == "true")
            #expect(String(buffer: retry.body) == String(buffer: first.body))
            #expect(retry.headers[.eTag] == first.headers[.eTag])
            #expect(retry.headers[.contentType] == first.headers[.contentType])
            #expect(try await session.request(.get, "/api/v1/destinations").json()["pagination"]["total_records"].int == 1)

            // Errors are answers too: a refused create replays its 422.
            let bad = #"{"service_connection": {"type": "nonesuch", "credentials": {}}}"#
            let refused = try await session.request(.post, "/api/v1/destinations", json: bad, headers: Self.headers(session, key: "create-bad"))
            #expect(refused.status == .unprocessableContent)
            let again = try await session.request(.post, "/api/v1/destinations", json: bad, headers: Self.headers(session, key: "create-bad"))
            #expect(again.status == .unprocessableContent)
            #expect(again.headers[Self.replayed] == "true")

            // Every POST takes one: a refresh retried is the same job.
            let id = try #require(try first.json()["data"]["id"].int)
            let refresh = try await session.request(
                .post,
                "/api/v1/destinations/\(id)/refresh_objects",
                headers: Self.headers(session, key: "refresh-1")
            )
            let refreshAgain = try await session.request(
                .post,
                "/api/v1/destinations/\(id)/refresh_objects",
                headers: Self.headers(session, key: "refresh-1")
            )
            #expect(try refreshAgain.json()["refresh_key"] == refresh.json()["refresh_key"])
            #expect(refreshAgain.headers[Self.replayed] == "true")
        }
    }

    @Test(arguments: TestBackend.all)
    func theSameKeyOnADifferentRequestIs422(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let created = try await session.request(
                .post,
                "/api/v1/destinations",
                json: session.activeCampaignBody(name: "A"),
                headers: Self.headers(session, key: "k")
            )
            #expect(created.status == .created)
            let otherBody = try await session.request(
                .post,
                "/api/v1/destinations",
                json: session.activeCampaignBody(name: "B"),
                headers: Self.headers(session, key: "k")
            )
            #expect(otherBody.status == .unprocessableContent)
            #expect(try otherBody.json()["message"].string?.contains("Idempotency-Key") == true)
            let id = try #require(try created.json()["data"]["id"].int)
            let otherPath = try await session.request(.post, "/api/v1/destinations/\(id)/test", headers: Self.headers(session, key: "k"))
            #expect(otherPath.status == .unprocessableContent)
            #expect(try await session.request(.get, "/api/v1/destinations").json()["pagination"]["total_records"].int == 1)
            // Keys belong to a token: another token's "k" is its own.
            let stranger = try await session.otherWorkspaceToken()
            let theirs = try await session.request(
                .post,
                "/api/v1/destinations",
                json: session.activeCampaignBody(name: "B"),
                headers: Self.headers(session, key: "k", token: stranger)
            )
            #expect(theirs.status == .created)
            #expect(theirs.headers[Self.replayed] == nil)
        }
    }

    @Test(arguments: TestBackend.all)
    func aRetryWhileTheFirstRunsIs409(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let body = session.activeCampaignBody(name: "Slow")
            let principal = try await session.environment.access.authenticate(token: session.token).workspacePrincipal()
            // The first request with this key has begun and not finished (as while its handler runs).
            let hash = IdempotencyMiddleware.fingerprint(method: "POST", uri: "/api/v1/destinations", body: Data(body.utf8), token: principal.tokenID)
            let now = Date()
            #expect(
                try await session.environment.idempotency.begin(
                    token: principal.tokenID,
                    key: "busy",
                    requestHash: hash,
                    now: now,
                    expiresAt: now + 60,
                    staleAfter: 300
                ) == .proceed
            )
            let retry = try await session.request(.post, "/api/v1/destinations", json: body, headers: Self.headers(session, key: "busy"))
            #expect(retry.status == .conflict)
            #expect(try retry.json()["status"].string == "error")
            #expect(try await session.request(.get, "/api/v1/destinations").json()["pagination"]["total_records"].int == 0)
            // Once the first has its answer, the retry gets it.
            try await session.environment.idempotency.finish(
                token: principal.tokenID,
                key: "busy",
                response: StoredResponse(status: 201, headers: ["Content-Type": "application/json"], body: Data(#"{"status":"created"}"#.utf8))
            )
            let replay = try await session.request(.post, "/api/v1/destinations", json: body, headers: Self.headers(session, key: "busy"))
            #expect(replay.status == .created)
            #expect(String(buffer: replay.body) == #"{"status":"created"}"#)
        }
    }

    @Test(arguments: TestBackend.all)
    func keysExpireAndAStaleRunningKeyIsTakenOver(_ backend: TestBackend) async throws {
        let clock = MutableClock()
        try await TestServer(backend, clock: clock).run { session in
            #expect(
                try await session.request(
                    .post,
                    "/api/v1/destinations",
                    json: session.activeCampaignBody(name: "Day 1"),
                    headers: Self.headers(session, key: "daily")
                ).status == .created
            )
            clock.advance(by: 24 * 3600 + 1)
            let nextDay = try await session.request(
                .post,
                "/api/v1/destinations",
                json: session.activeCampaignBody(name: "Day 2"),
                headers: Self.headers(session, key: "daily")
            )
            #expect(nextDay.status == .created)
            #expect(nextDay.headers[Self.replayed] == nil)
            #expect(try await session.environment.idempotency.purgeExpired(now: clock.now() + 24 * 3600 + 1) == 1)

            // A key left running by a process that died is free again after a while.
            let principal = try await session.environment.access.authenticate(token: session.token).workspacePrincipal()
            let body = session.activeCampaignBody(name: "Orphan")
            let hash = IdempotencyMiddleware.fingerprint(method: "POST", uri: "/api/v1/destinations", body: Data(body.utf8), token: principal.tokenID)
            _ = try await session.environment.idempotency.begin(
                token: principal.tokenID,
                key: "orphan",
                requestHash: hash,
                now: clock.now(),
                expiresAt: clock.now() + 3600,
                staleAfter: 300
            )
            #expect(
                try await session.request(.post, "/api/v1/destinations", json: body, headers: Self.headers(session, key: "orphan")).status
                    == .conflict
            )
            clock.advance(by: 301)
            #expect(
                try await session.request(.post, "/api/v1/destinations", json: body, headers: Self.headers(session, key: "orphan")).status == .created
            )
        }
    }

    @Test(arguments: TestBackend.all)
    func badKeysAreRefusedAndOtherMethodsIgnoreTheHeader(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let long = String(repeating: "k", count: 256)
            let refused = try await session.request(
                .post,
                "/api/v1/destinations",
                json: session.activeCampaignBody(),
                headers: Self.headers(session, key: long)
            )
            #expect(refused.status == .badRequest)
            #expect(try refused.json()["message"].string?.contains("Idempotency-Key") == true)
            #expect(try await session.request(.get, "/api/v1/destinations").json()["pagination"]["total_records"].int == 0)
            let id = try await session.createActiveCampaign()
            for name in ["One", "Two"] {
                let patch = try await session.update(id, name: "\(name)", headers: Self.headers(session, key: "patch"))
                #expect(patch.status == .ok)
                #expect(patch.headers[Self.replayed] == nil)
            }
        }
    }
}
