import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// Optimistic concurrency: ETag, If-Match and If-None-Match on a destination.
@Suite("ETags and conditional requests")
struct ConcurrencyControlTests {
    static let ifMatch = HTTPField.Name("If-Match")!
    static let ifNoneMatch = HTTPField.Name("If-None-Match")!

    static func headers(_ session: Session, _ name: HTTPField.Name, _ value: String) -> HTTPFields {
        var headers = session.auth
        headers[name] = value
        return headers
    }

    /// An ActiveCampaign destination without background jobs, whose tag changes only by these tests.
    static func quietDestination(_ session: Session) async throws -> Int64 {
        try await session.insertDestination(
            type: "active_campaign",
            details: ["instance_url": "https://example.activehosted.com"],
            secrets: ["api_token": "t"]
        )
    }

    static func etag(_ session: Session, _ id: Int64) async throws -> String {
        let response = try await session.request(.get, "/api/v1/destinations/\(id)")
        guard let tag = response.headers[.eTag] else { throw TestFailure("no ETag") }
        return tag
    }

    @Test(arguments: TestBackend.all)
    func getAnswers304ForTheCurrentTagOnly(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let created = try await session.request(.post, "/api/v1/destinations", json: session.activeCampaignBody())
            #expect(created.headers[.eTag]?.hasPrefix("\"") == true)
            let id = try await Self.quietDestination(session)
            let tag = try await Self.etag(session, id)
            #expect(tag.hasPrefix("\"") && tag.hasSuffix("\""))
            #expect(try await Self.etag(session, id) == tag)

            let notModified = try await session.request(.get, "/api/v1/destinations/\(id)", headers: Self.headers(session, Self.ifNoneMatch, tag))
            #expect(notModified.status == .notModified)
            #expect(notModified.body.readableBytes == 0)
            #expect(notModified.headers[.eTag] == tag)
            let weak = try await session.request(
                .get,
                "/api/v1/destinations/\(id)",
                headers: Self.headers(session, Self.ifNoneMatch, #""other", W/\#(tag)"#)
            )
            #expect(weak.status == .notModified)
            let other = try await session.request(.get, "/api/v1/destinations/\(id)", headers: Self.headers(session, Self.ifNoneMatch, #""1-1""#))
            #expect(other.status == .ok)
        }
    }

    @Test(arguments: TestBackend.all)
    func ifMatchRefusesAStaleUpdateAndAllowsAFreshOne(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await Self.quietDestination(session)
            _ = try await session.update(id, name: "Before")
            let first = try await Self.etag(session, id)
            // Another client changes the credentials: invisible in the body, the tag still moves. (The
            // connection test this queues moves it again when it lands: wait for that.)
            let outcomes = session.jobOutcomes()
            let other = try await session.update(id, credentials: ["api_token": "rotated"])
            #expect(other.status == .ok)
            #expect(other.headers[.eTag] != first)
            _ = try await session.settled(try #require(try await ConnectionTestEndpointTests.testJobs(session, id).last), in: outcomes)
            let second = try await Self.etag(session, id)
            #expect(second != first)

            let stale = try await session.update(id, name: "Lost update", headers: Self.headers(session, Self.ifMatch, first))
            #expect(stale.status == .preconditionFailed)
            #expect(try stale.json()["status"].string == "error")
            #expect(try stale.json()["message"].string?.contains("If-Match") == true)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]["name"].string == "Before")

            let fresh = try await session.update(id, name: "After", headers: Self.headers(session, Self.ifMatch, #""nope", \#(second)"#))
            #expect(fresh.status == .ok)
            #expect(try fresh.json()["data"]["name"].string == "After")
            #expect(fresh.headers[.eTag] != second)
            // `*` matches any current version; a weak tag never matches If-Match.
            #expect(
                try await session.update(id, name: "Any", headers: Self.headers(session, Self.ifMatch, "*")).status == .ok
            )
            let weak = "W/" + (try await Self.etag(session, id))
            #expect(
                try await session.update(id, name: "Weak", headers: Self.headers(session, Self.ifMatch, weak)).status == .preconditionFailed
            )
            // Without If-Match, as Census: the last write wins.
            #expect(
                try await session.update(id, name: "Census").status == .ok
            )
        }
    }

    @Test(arguments: TestBackend.all)
    func ifMatchGuardsDelete(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await Self.quietDestination(session)
            let first = try await Self.etag(session, id)
            _ = try await session.update(id, name: "Renamed")
            let stale = try await session.request(.delete, "/api/v1/destinations/\(id)", headers: Self.headers(session, Self.ifMatch, first))
            #expect(stale.status == .preconditionFailed)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").status == .ok)
            let current = try await Self.etag(session, id)
            #expect(
                try await session.request(.delete, "/api/v1/destinations/\(id)", headers: Self.headers(session, Self.ifMatch, current)).status == .ok
            )
            #expect(
                try await session.request(.delete, "/api/v1/destinations/\(id)", headers: Self.headers(session, Self.ifMatch, current)).status
                    == .notFound
            )
        }
    }

    @Test(arguments: TestBackend.all)
    func backgroundResultsMoveTheTagAndUnchangedObjectsDoNot(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs(["menu"])
            // Creation queues a refresh and a test that may finish in either order: one stream each.
            let outcomes = session.jobOutcomes()
            let testOutcomes = session.jobOutcomes()
            let created = try await session.create(
                type: "braze",
                credentials: ["api_key": "k", "instance_url": "\(session.fake.baseURL.absoluteString)"]
            )
            let id = try #require(try created.json()["data"]["id"].int)
            let atCreation = try #require(created.headers[.eTag])
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            _ = try await session.settled(try await session.firstJob(of: id, kind: .connectionTest), in: testOutcomes)
            let settled = try await Self.etag(session, id)
            // The new objects and the test's result both changed what GET shows.
            #expect(settled != atCreation)
            // A refresh that finds the same objects changes nothing.
            #expect(try await session.settled(try await session.refresh(id), in: outcomes) == .completed)
            #expect(try await Self.etag(session, id) == settled)
        }
    }
}
