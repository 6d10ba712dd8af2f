import DestinationsContract
import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

@Suite("Destinations CRUD, as the seed shows it")
struct DestinationsCRUDTests {
    @Test(arguments: TestBackend.all)
    func createAnswers201WithTheWholeDestination(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.request(.post, "/api/v1/destinations", json: session.activeCampaignBody(name: "Example ActiveCampaign"))
            #expect(response.status == .created)
            #expect(response.headers[.contentType]?.hasPrefix("application/json") == true)
            let json = try response.json()
            #expect(json["status"].string == "created")
            let data = json["data"]
            #expect(data["id"].int != nil)
            #expect(data["name"].string == "Example ActiveCampaign")
            #expect(data["type"].string == "active_campaign")
            #expect(data["connection_details"].object == ["instance_url": .string(session.fake.baseURL.absoluteString)])
            #expect(data["objects"].array?.map { $0["full_name"].string } == ["contact", "account"])
            #expect(data["created_at"].string?.hasSuffix("Z") == true)
            #expect(data["credentials"].isNull)
        }
    }

    @Test(arguments: TestBackend.all)
    func nameDefaultsToTheConnectorLabel(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.create(
                type: "braze",
                credentials: ["api_key": "k", "instance_url": "\(session.fake.baseURL.absoluteString)"]
            )
            #expect(response.status == .created)
            #expect(try response.json()["data"]["name"].string == "Braze")
        }
    }

    @Test(arguments: TestBackend.all)
    func getReturnsTheDestinationWithItsObjects(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.create(
                type: "braze",
                name: "Braze",
                credentials: ["api_key": "k", "instance_url": "\(session.fake.baseURL.absoluteString)"]
            )
            let id = try #require(try response.json()["data"]["id"].int)
            let get = try await session.request(.get, "/api/v1/destinations/\(id)")
            #expect(get.status == .ok)
            let json = try get.json()
            #expect(json["status"].string == "success")
            #expect(json["data"]["id"].int == id)
            #expect(json["data"]["name"].string == "Braze")
            #expect(json["data"]["connection_details"]["instance_url"].string == session.fake.baseURL.absoluteString)
            let user = json["data"]["objects"][0]
            #expect(user["label"].string == "User")
            #expect(user["full_name"].string == "user")
            #expect(user["allow_custom_fields"].bool == true)
            #expect(user["allow_case_sensitive_field_names"].bool == true)
            #expect(user["allow_case_sensitive_fields"].bool == true)
            #expect(json["data"]["objects"][1]["full_name"].string == "event")
        }
    }

    @Test(arguments: TestBackend.all)
    func patchRenamesAndMergesCredentials(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign(name: "Example ActiveCampaign")
            let response = try await session.request(
                .patch,
                "/api/v1/destinations/\(id)",
                json: #"{"service_connection": {"name": "ActiveCampaign (Example)", "credentials": {"api_token": "regenerated_api_token"}}}"#,
                contentType: "application/json;version=2"
            )
            #expect(response.status == .ok)
            let json = try response.json()
            #expect(json["status"].string == "updated")
            #expect(json["data"]["id"].int == id)
            #expect(json["data"]["name"].string == "ActiveCampaign (Example)")
            #expect(json["data"]["type"].string == "active_campaign")
            // The URL was not resent and is kept.
            #expect(json["data"]["connection_details"]["instance_url"].string == session.fake.baseURL.absoluteString)
            #expect(json["data"]["objects"].array?.count == 2)
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored == ["api_token": .string("regenerated_api_token")])
        }
    }

    @Test(arguments: TestBackend.all)
    func patchOfOneSecretKeepsTheOthers(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let create = try await session.create(
                type: "braze",
                credentials: ["api_key": "first", "data_import_key": "import", "instance_url": "\(session.fake.baseURL.absoluteString)"]
            )
            let id = try #require(try create.json()["data"]["id"].int)
            let patch = try await session.update(id, credentials: ["api_key": "second"])
            #expect(patch.status == .ok)
            #expect(try patch.json()["data"]["name"].string == "Braze")
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored == ["api_key": .string("second"), "data_import_key": .string("import")])
        }
    }

    @Test(arguments: TestBackend.all)
    func patchWithNullRemovesAnOptionalCredential(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let create = try await session.create(
                type: "braze",
                credentials: ["api_key": "first", "data_import_key": "import", "instance_url": "\(session.fake.baseURL.absoluteString)"]
            )
            let id = try #require(try create.json()["data"]["id"].int)
            let patch = try await session.update(id, credentials: ["data_import_key": .null])
            #expect(patch.status == .ok)
            #expect(try await StoredCredentials.read(session, id: id) == ["api_key": .string("first")])
        }
    }

    @Test(arguments: TestBackend.all)
    func patchChangesUpdatedAtOnlyWhenSomethingChanged(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign(name: "Same")
            let before = try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]
            let unchanged = try await session.update(id, name: "Same")
            #expect(try unchanged.json()["data"]["updated_at"] == before["updated_at"])
            #expect(try unchanged.json()["data"]["created_at"] == before["created_at"])
        }
    }

    @Test(arguments: TestBackend.all)
    func deleteAnswersDeletedThen404(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign()
            let delete = try await session.request(.delete, "/api/v1/destinations/\(id)")
            #expect(delete.status == .ok)
            #expect(String(buffer: delete.body) == #"{"status":"deleted"}"#)
            let again = try await session.request(.delete, "/api/v1/destinations/\(id)")
            #expect(again.status == .notFound)
            let json = try again.json()
            #expect(json["status"].int == 404)
            #expect(json["message"].string?.isEmpty == false)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").status == .notFound)
            #expect(
                try await session.update(id, name: "x").status == .notFound
            )
        }
    }

    @Test(arguments: TestBackend.all)
    func theContractIsServedUnchanged(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.request(.get, "/api/v1/openapi.yaml", headers: [:])
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "application/yaml")
            let source = URL(fileURLWithPath: #filePath)
                .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("Sources/DestinationsContract/openapi.yaml")
            #expect(Data(response.body.readableBytesView) == (try Data(contentsOf: source)))
            #expect(Data(response.body.readableBytesView) == OpenAPIDocument.yaml)
        }
    }

    @Test(arguments: TestBackend.all)
    func unknownRoutesAnswerTheNotFoundEnvelope(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.request(.get, "/api/v1/nothing-here")
            #expect(response.status == .notFound)
            #expect(try response.json()["status"].int == 404)
        }
    }

    @Test func healthzAnswersWithoutAToken() async throws {
        try await TestServer(.sqlite).run { session in
            let response = try await session.request(.get, "/healthz", headers: [:])
            #expect(response.status == .ok)
            #expect(try response.json()["status"].string == "ok")
        }
    }
}
