import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// A destination's objects, one at a time with their fields, and fields refreshed from the provider.
@Suite("Objects and fields")
struct ObjectsEndpointTests {
    /// A Braze destination whose first objects refresh has completed, with two catalogs.
    static func brazeWithCatalogs(_ session: Session) async throws -> Int64 {
        session.fake.brazeCatalogs(["menu", "stores"])
        let outcomes = session.jobOutcomes()
        let id = try await session.createBraze()
        guard try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed else {
            throw TestFailure("the first refresh did not complete")
        }
        return id
    }

    @Test(arguments: TestBackend.all)
    func objectsArePagedInTheServicesOrder(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await Self.brazeWithCatalogs(session)
            let expected = ["user", "event", "purchase", "subscription_group_membership", "cohort", "catalog:menu", "catalog:stores"]
            let first = try await session.request(.get, "/api/v1/destinations/\(id)/objects?per_page=3").json()
            #expect(first["status"].string == "success")
            #expect(first["data"].array?.compactMap { $0["full_name"].string } == Array(expected.prefix(3)))
            #expect(first["pagination"]["total_records"].int == 7)
            #expect(first["pagination"]["last_page"].int == 3)
            #expect(first["next"].string?.hasSuffix("/api/v1/destinations/\(id)/objects?page=2&per_page=3") == true)
            let last = try await session.request(.get, "/api/v1/destinations/\(id)/objects?page=3&per_page=3").json()
            #expect(last["data"].array?.compactMap { $0["full_name"].string } == ["catalog:stores"])
            #expect(last["next"].isNull)
            let reversed = try await session.request(.get, "/api/v1/destinations/\(id)/objects?order=desc").json()
            #expect(reversed["data"].array?.compactMap { $0["full_name"].string } == expected.reversed())
            #expect(reversed["data"][0]["allow_case_sensitive_field_names"].bool == true)

            #expect(try await session.request(.get, "/api/v1/destinations/999999/objects").status == .notFound)
            let stranger: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)/objects", headers: stranger).status == .notFound)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)/objects?per_page=0").status == .badRequest)
        }
    }

    @Test(arguments: TestBackend.all)
    func fieldsAreEmptyUntilRefreshedThenTheProvidersOwn(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", "/custom_attributes") { _ in
                .json(#"{"message": "success", "attributes": [{"name": "plan", "data_type": "String", "status": "Active"}]}"#)
            }
            let id = try await Self.brazeWithCatalogs(session)
            let before = try await session.request(.get, "/api/v1/destinations/\(id)/objects/user").json()
            #expect(before["data"]["full_name"].string == "user")
            #expect(before["data"]["fields"].array == [])

            let outcomes = session.jobOutcomes()
            let queued = try await session.request(.post, "/api/v1/destinations/\(id)/objects/user/refresh_fields")
            #expect(queued.status == .ok)
            let key = try #require(try queued.json()["refresh_key"].int)
            #expect(try await session.settled(key, in: outcomes) == .completed)
            let status = try await session.request(.get, "/api/v1/destinations/\(id)/objects/user/refresh_fields_status?refresh_key=\(key)").json()
            #expect(status["status"].string == "completed")

            let fields = try #require(try await session.request(.get, "/api/v1/destinations/\(id)/objects/user").json()["data"]["fields"].array)
            let externalID = try #require(fields.first { $0["full_name"].string == "external_id" })
            let expected: JSONValue = .object([
                "full_name": "external_id", "label": "External ID", "type": "string", "required": .bool(false), "identifier": .bool(true),
                "createable": .bool(true), "updateable": .bool(true),
            ])
            #expect(externalID == expected)
            #expect(fields.last?["full_name"].string == "plan")

            // A catalog's name has a colon: percent-encoded in the path, its fields are the catalog's own.
            let catalogKey = try #require(
                try await session.request(.post, "/api/v1/destinations/\(id)/objects/catalog%3Amenu/refresh_fields").json()["refresh_key"].int
            )
            #expect(try await session.settled(catalogKey, in: outcomes) == .completed)
            let catalog = try await session.request(.get, "/api/v1/destinations/\(id)/objects/catalog%3Amenu").json()["data"]
            #expect(catalog["fields"].array?.compactMap { $0["full_name"].string } == ["id"])
            #expect(catalog["fields"][0]["identifier"].bool == true)
        }
    }

    /// S3 is a file destination: its one object's full name is the file path a sync writes, under the path
    /// prefix, and the object routes take it percent-encoded, slashes and all.
    @Test(arguments: TestBackend.all)
    func aFileDestinationsObjectIsItsPath(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("PUT", "/acme-exports/exports/destinations-connection-test") { _ in .json("") }
            let outcomes = session.jobOutcomes()
            let created = try await session.create(
                type: "s3",
                credentials: [
                    "bucket": "acme-exports", "region": "eu-west-1", "access_key_id": "AKIAIOSFODNN7EXAMPLE", "secret_access_key": "s3-secret",
                    "path_prefix": "exports",
                ]
            )
            #expect(created.status == .created, "\(String(buffer: created.body))")
            let id = try #require(try created.json()["data"]["id"].int)
            #expect(try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed)
            let path = "exports/census_%Y-%m-%d_%H%M%S.csv"
            let objects = try await session.request(.get, "/api/v1/destinations/\(id)/objects").json()["data"]
            #expect(objects.array?.map { $0["full_name"].string } == [path])
            #expect(objects[0]["label"].string == "File path")
            #expect(objects[0]["allow_custom_fields"].bool == true)
            let object = try await session.request(.get, "/api/v1/destinations/\(id)/objects/\(Session.percentEncoded(path))")
            #expect(object.status == .ok, "\(String(buffer: object.body))")
            #expect(try object.json()["data"]["full_name"].string == path)
        }
    }

    @Test(arguments: TestBackend.all)
    func unknownObjectsAndForeignKeysAre404(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await Self.brazeWithCatalogs(session)
            let missing = try await session.request(.get, "/api/v1/destinations/\(id)/objects/nonesuch")
            #expect(missing.status == .notFound)
            #expect(try missing.json()["message"].string?.contains("nonesuch") == true)
            #expect(try await session.request(.post, "/api/v1/destinations/\(id)/objects/nonesuch/refresh_fields").status == .notFound)

            let key = try #require(
                try await session.request(.post, "/api/v1/destinations/\(id)/objects/event/refresh_fields").json()["refresh_key"].int
            )
            #expect(
                try await session.request(.get, "/api/v1/destinations/\(id)/objects/event/refresh_fields_status?refresh_key=\(key)").status == .ok
            )
            #expect(
                try await session.request(.get, "/api/v1/destinations/\(id)/objects/user/refresh_fields_status?refresh_key=\(key)").status
                    == .notFound
            )
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=\(key)").status == .notFound)
            let noKey = try await session.request(.get, "/api/v1/destinations/\(id)/objects/event/refresh_fields_status")
            #expect(noKey.status == .badRequest)
            #expect(try noKey.json()["message"].string?.contains("refresh_key") == true)

            let stranger: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)/objects/event", headers: stranger).status == .notFound)
            #expect(
                try await session.request(.post, "/api/v1/destinations/\(id)/objects/event/refresh_fields", headers: stranger).status == .notFound
            )
            #expect(
                try await session.request(
                    .get,
                    "/api/v1/destinations/\(id)/objects/event/refresh_fields_status?refresh_key=\(key)",
                    headers: stranger
                ).status == .notFound
            )
        }
    }

    @Test(arguments: TestBackend.all)
    func aFailedFieldsRefreshSaysWhyAndKeepsTheOldFields(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on(
                "GET",
                "/custom_attributes",
                replies: [
                    .json(#"{"message": "success", "attributes": [{"name": "plan", "data_type": "String", "status": "Active"}]}"#),
                    .json(#"{"message": "This API key lacks custom_attributes.get"}"#, status: 403),
                ]
            )
            let id = try await Self.brazeWithCatalogs(session)
            let outcomes = session.jobOutcomes()
            let first = try #require(
                try await session.request(.post, "/api/v1/destinations/\(id)/objects/user/refresh_fields").json()["refresh_key"].int
            )
            #expect(try await session.settled(first, in: outcomes) == .completed)
            let second = try #require(
                try await session.request(.post, "/api/v1/destinations/\(id)/objects/user/refresh_fields").json()["refresh_key"].int
            )
            #expect(second != first)
            guard case .failed = try await session.settled(second, in: outcomes) else {
                Issue.record("did not fail")
                return
            }
            let status = try await session.request(.get, "/api/v1/destinations/\(id)/objects/user/refresh_fields_status?refresh_key=\(second)").json()
            #expect(status["status"].string == "failed")
            #expect(status["message"].string?.contains("lacks custom_attributes.get") == true)
            let fields = try await session.request(.get, "/api/v1/destinations/\(id)/objects/user").json()["data"]["fields"].array
            #expect(fields?.last?["full_name"].string == "plan")
        }
    }

    @Test(arguments: TestBackend.all)
    func anObjectThatDisappearsTakesItsFieldsWithIt(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await Self.brazeWithCatalogs(session)
            let outcomes = session.jobOutcomes()
            let fieldsKey = try #require(
                try await session.request(.post, "/api/v1/destinations/\(id)/objects/catalog%3Astores/refresh_fields").json()["refresh_key"].int
            )
            #expect(try await session.settled(fieldsKey, in: outcomes) == .completed)
            session.fake.brazeCatalogs(["menu"])
            #expect(try await session.settled(try await session.refresh(id), in: outcomes) == .completed)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)/objects/catalog%3Astores").status == .notFound)
            let orphans = try await session.environment.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM object_fields WHERE destination_id = \(bind: id) AND object_full_name = 'catalog:stores'")
                    .first(decodingColumn: "n", as: Int64.self)
            }
            #expect(orphans == 0)
        }
    }
}
