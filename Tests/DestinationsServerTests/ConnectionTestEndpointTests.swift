import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// Connection tests through the API: run on create and on new credentials, on demand with a key, and
/// reported on the destination.
@Suite("Connection tests through the API")
struct ConnectionTestEndpointTests {
    static let eventsList = "/events/list"

    @Test(arguments: TestBackend.all)
    func aNewDestinationIsTestedAndReportsIt(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", Self.eventsList) { _ in .json(#"{"message": "success", "events": ["Signed Up"]}"#) }
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            let test = try await session.firstJob(of: id, kind: .connectionTest)
            #expect(try await session.settled(test, in: outcomes) == .completed)

            let destination = try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]
            #expect(destination["last_test_succeeded"].bool == true)
            let steps = try #require(destination["last_test_results"]["steps"].array)
            #expect(steps.count == 1)
            #expect(steps[0]["status"].string == "passed")
            #expect(steps[0]["step"].string?.isEmpty == false)
            #expect(steps[0]["error"].isNull)
            let testedAt = try #require(destination["last_tested_at"].string)
            #expect(ISO8601DateFormatter().date(from: testedAt) != nil)
            #expect(session.fake.calls("GET", Self.eventsList).first?.header("authorization") == "Bearer braze-key")
            // The list shows it too; a destination never tested has none of the three.
            let untested = try await session.insertDestination(
                type: "braze",
                details: ["instance_url": "https://rest.iad-03.braze.com"],
                secrets: ["api_key": "k"]
            )
            let listed = try #require(try await session.request(.get, "/api/v1/destinations?order=asc").json()["data"].array)
            #expect(listed.first { $0["id"].int == id }?["last_test_succeeded"].bool == true)
            let never = try #require(listed.first { $0["id"].int == untested }?.object)
            #expect(never.keys.filter { $0.hasPrefix("last_test") }.isEmpty)
        }
    }

    @Test(arguments: TestBackend.all)
    func anOnDemandTestAnswersWithAKeyAndTheStepsInTheProvidersWords(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let canary = "braze-canary-9f1c"
            session.fake.on("GET", Self.eventsList) { _ in
                .json(#"{"message": "Unknown or missing REST API Key \#(canary)"}"#, status: 401)
            }
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze(key: canary)
            _ = try await session.settled(try await session.firstJob(of: id, kind: .connectionTest), in: outcomes)

            let queued = try await session.request(.post, "/api/v1/destinations/\(id)/test")
            #expect(queued.status == .ok)
            let key = try #require(try queued.json()["test_key"].int)
            #expect(try await session.settled(key, in: outcomes) == .completed)

            let status = try await session.request(.get, "/api/v1/destinations/\(id)/test_status?test_key=\(key)").json()
            #expect(status["status"].string == "completed")
            #expect(status["test_succeeded"].bool == false)
            let step = status["steps"][0]
            #expect(step["status"].string == "failed")
            let message = try #require(step["error"]["message"].string)
            #expect(message.contains("Unknown or missing REST API Key"))
            #expect(message.contains("HTTP 401"))
            #expect(!message.contains(canary))

            let destination = try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]
            #expect(destination["last_test_succeeded"].bool == false)
            #expect(destination["last_test_results"]["steps"][0]["error"]["message"].string == message)
            #expect(session.responseBodies.allSatisfy { !$0.contains(canary) })
            #expect(session.logs.all.allSatisfy { !$0.contains(canary) })
        }
    }

    @Test(arguments: TestBackend.all)
    func testKeysAreScopedToTheirDestinationAndKind(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let first = try await session.createBraze()
            let second = try await session.createBraze()
            let test = try await session.firstJob(of: first, kind: .connectionTest)
            let refresh = try await session.firstJob(of: first)
            #expect(try await session.request(.get, "/api/v1/destinations/\(first)/test_status?test_key=\(test)").status == .ok)
            #expect(try await session.request(.get, "/api/v1/destinations/\(second)/test_status?test_key=\(test)").status == .notFound)
            #expect(try await session.request(.get, "/api/v1/destinations/\(first)/test_status?test_key=\(refresh)").status == .notFound)
            #expect(try await session.request(.get, "/api/v1/destinations/\(first)/refresh_objects_status?refresh_key=\(test)").status == .notFound)
            let missing = try await session.request(.get, "/api/v1/destinations/\(first)/test_status")
            #expect(missing.status == .badRequest)
            #expect(try missing.json()["message"].string?.contains("test_key") == true)
            let stranger: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            #expect(
                try await session.request(.get, "/api/v1/destinations/\(first)/test_status?test_key=\(test)", headers: stranger).status == .notFound
            )
            #expect(try await session.request(.post, "/api/v1/destinations/\(first)/test", headers: stranger).status == .notFound)
            #expect(try await session.request(.post, "/api/v1/destinations/999999/test").status == .notFound)
        }
    }

    @Test(arguments: TestBackend.all)
    func newCredentialsAreTestedAndARenameIsNot(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", Self.eventsList) { call in
                call.header("authorization") == "Bearer good-key"
                    ? .json(#"{"message": "success", "events": []}"#)
                    : .json(#"{"message": "Unknown or missing REST API Key"}"#, status: 401)
            }
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze(key: "bad-key")
            _ = try await session.settled(try await session.firstJob(of: id, kind: .connectionTest), in: outcomes)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]["last_test_succeeded"].bool == false)

            _ = try await session.update(id, name: "Renamed")
            #expect(try await Self.testJobs(session, id).count == 1)

            _ = try await session.update(id, credentials: ["api_key": "good-key"])
            let tests = try await Self.testJobs(session, id)
            #expect(tests.count == 2)
            _ = try await session.settled(try #require(tests.last), in: outcomes)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]["last_test_succeeded"].bool == true)
        }
    }

    static func testJobs(_ session: Session, _ id: Int64) async throws -> [Int64] {
        try await session.environment.database.read { db in
            try await db.raw("SELECT id FROM jobs WHERE destination_id = \(bind: id) AND kind = 'connection_test' ORDER BY id").all(
                decodingColumn: "id",
                as: Int64.self
            )
        }
    }
}
