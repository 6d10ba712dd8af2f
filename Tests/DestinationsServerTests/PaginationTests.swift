import DestinationsCore
import Foundation
import TestSupport
import Testing

@Suite("Pagination of GET /destinations")
struct PaginationTests {
    @Test(arguments: TestBackend.all)
    func theSeedsExample(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            for index in 1...7 { _ = try await session.createActiveCampaign(name: "D\(index)") }
            let json = try await session.request(.get, "/api/v1/destinations?per_page=4").json()
            #expect(json["status"].string == "success")
            #expect(json["data"].array?.count == 4)
            let pagination = json["pagination"]
            #expect(pagination["total_records"].int == 7)
            #expect(pagination["per_page"].int == 4)
            #expect(pagination["page"].int == 1)
            #expect(pagination["prev_page"].isNull)
            #expect(pagination.object?.keys.contains("prev_page") == true)
            #expect(pagination["next_page"].int == 2)
            #expect(pagination["last_page"].int == 2)
            #expect(json["next"].string?.hasSuffix("/api/v1/destinations?page=2&per_page=4") == true)
            // The list leaves objects out; GET /destinations/{id} has them.
            #expect(json["data"][0]["objects"].isNull)
            #expect(json["data"][0].object?.keys.contains("connection_details") == true)

            let second = try await session.request(.get, "/api/v1/destinations?page=2&per_page=4").json()
            #expect(second["data"].array?.count == 3)
            #expect(second["pagination"]["prev_page"].int == 1)
            #expect(second["pagination"]["next_page"].isNull)
            #expect(second["next"].isNull)
            #expect(second.object?.keys.contains("next") == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func newestFirstByDefaultAndAscendingOnRequest(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            var ids: [Int64] = []
            for index in 1...3 { ids.append(try await session.createActiveCampaign(name: "D\(index)")) }
            let descending = try await session.request(.get, "/api/v1/destinations").json()["data"].array?.compactMap { $0["id"].int }
            #expect(descending == ids.reversed())
            let explicit = try await session.request(.get, "/api/v1/destinations?order=desc").json()["data"].array?.compactMap { $0["id"].int }
            #expect(explicit == ids.reversed())
            let ascending = try await session.request(.get, "/api/v1/destinations?order=asc").json()["data"].array?.compactMap { $0["id"].int }
            #expect(ascending == ids)
        }
    }

    @Test(arguments: TestBackend.all)
    func theNextLinkRepeatsAnOrderThatWasGiven(_ backend: TestBackend) async throws {
        try await TestServer(backend, publicURL: "https://destinations.example.com").run { session in
            for index in 1...3 { _ = try await session.createActiveCampaign(name: "D\(index)") }
            let json = try await session.request(.get, "/api/v1/destinations?per_page=2&order=asc").json()
            #expect(json["next"].string == "https://destinations.example.com/api/v1/destinations?page=2&per_page=2&order=asc")
        }
    }

    @Test(arguments: TestBackend.all, ["0", "-1"])
    func perPageBelowOneIsABadRequest(_ backend: TestBackend, _ perPage: String) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.request(.get, "/api/v1/destinations?per_page=\(perPage)")
            #expect(response.status == .badRequest)
            #expect(try response.json()["message"].string?.contains("per_page") == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func perPageAboveTheMaximumIsCut(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let json = try await session.request(.get, "/api/v1/destinations?per_page=101").json()
            #expect(json["pagination"]["per_page"].int == 100)
        }
    }

    @Test(arguments: TestBackend.all, ["page=abc", "per_page=ten", "page=1.5", "order=sideways", "page=99999999999999999999"])
    func nonNumericOrUnknownValuesAreBadRequests(_ backend: TestBackend, _ query: String) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.request(.get, "/api/v1/destinations?\(query)")
            #expect(response.status == .badRequest)
            let name = String(query.prefix { $0 != "=" })
            #expect(try response.json()["message"].string?.contains(name) == true)
        }
    }

    @Test(arguments: TestBackend.all, ["0", "-3"])
    func pageBelowOneIsTheFirstPage(_ backend: TestBackend, _ page: String) async throws {
        try await TestServer(backend).run { session in
            _ = try await session.createActiveCampaign()
            let json = try await session.request(.get, "/api/v1/destinations?page=\(page)").json()
            #expect(json["pagination"]["page"].int == 1)
            #expect(json["data"].array?.count == 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func aPagePastTheEndIsEmpty(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            _ = try await session.createActiveCampaign()
            for page in ["5", "9223372036854775807"] {
                let json = try await session.request(.get, "/api/v1/destinations?page=\(page)").json()
                #expect(json["data"].array == [])
                #expect(json["next"].isNull)
                #expect(json["pagination"]["next_page"].isNull)
                #expect(json["pagination"]["last_page"].int == 1)
                #expect(json["pagination"]["total_records"].int == 1)
            }
        }
    }

    @Test(arguments: TestBackend.all)
    func anEmptyWorkspaceHasOneEmptyPage(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let json = try await session.request(.get, "/api/v1/destinations").json()
            #expect(json["data"].array == [])
            #expect(json["pagination"]["total_records"].int == 0)
            #expect(json["pagination"]["last_page"].int == 1)
            #expect(json["pagination"]["page"].int == 1)
            #expect(json["pagination"]["per_page"].int == 25)
            #expect(json["next"].isNull)
        }
    }
}
