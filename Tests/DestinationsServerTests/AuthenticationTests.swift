import DestinationsCore
import DestinationsStorage
import Foundation
import HTTPTypes
import TestSupport
import Testing

@Suite("Tokens and workspaces")
struct AuthenticationTests {
    @Test(arguments: TestBackend.all)
    func noHeaderIsUnauthorized(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.request(.get, "/api/v1/destinations", headers: [:])
            #expect(response.status == .unauthorized)
            #expect(try response.json()["status"].string == "error")
        }
    }

    @Test(
        arguments: TestBackend.all,
        ["Bearer secret-token:wrong", "Bearer ", "Token abc", "Basic !!!", "Basic " + Data("admin:x".utf8).base64EncodedString()]
    )
    func aWrongTokenIsUnauthorized(_ backend: TestBackend, _ header: String) async throws {
        try await TestServer(backend).run { session in
            let response = try await session.request(.get, "/api/v1/destinations", headers: [.authorization: header])
            #expect(response.status == .unauthorized)
        }
    }

    @Test(arguments: TestBackend.all)
    func theTokenWorksWithAndWithoutItsPrefix(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            #expect(session.token.hasPrefix("secret-token:"))
            let bare = String(session.token.dropFirst("secret-token:".count))
            for header in ["Bearer \(session.token)", "Bearer \(bare)", "bearer \(bare)"] {
                let response = try await session.request(.get, "/api/v1/destinations", headers: [.authorization: header])
                #expect(response.status == .ok, "\(header.prefix(7))")
            }
        }
    }

    @Test(arguments: TestBackend.all)
    func basicAuthWithUserBearerCarriesTheToken(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let bare = String(session.token.dropFirst("secret-token:".count))
            for password in [session.token, bare] {
                let basic = "Basic " + Data("bearer:\(password)".utf8).base64EncodedString()
                let response = try await session.request(.get, "/api/v1/destinations", headers: [.authorization: basic])
                #expect(response.status == .ok)
            }
        }
    }

    @Test(arguments: TestBackend.all)
    func aTokenRevokedElsewhereStopsWorkingWithinTheCacheLifetime(_ backend: TestBackend) async throws {
        let clock = MutableClock()
        try await TestServer(backend, clock: clock).run { session in
            let other = try await session.otherWorkspaceToken()
            let header: HTTPFields = [.authorization: "Bearer \(other)"]
            #expect(try await session.request(.get, "/api/v1/destinations", headers: header).status == .ok)
            // As the CLI or another instance revokes it: straight in the database, past this process's cache.
            let store = SQLWorkspaceStore(database: session.environment.database)
            #expect(try await store.revokeToken(hash: APIToken.hash(presented: other), now: clock.now()))
            #expect(try await session.request(.get, "/api/v1/destinations", headers: header).status == .ok)
            clock.advance(by: session.environment.settings.authCacheLifetime + 0.001)
            #expect(try await session.request(.get, "/api/v1/destinations", headers: header).status == .unauthorized)
        }
    }

    @Test(arguments: TestBackend.all)
    func aRevokedTokenIsUnauthorized(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let other = try await session.otherWorkspaceToken()
            let header: HTTPFields = [.authorization: "Bearer \(other)"]
            #expect(try await session.request(.get, "/api/v1/destinations", headers: header).status == .ok)
            #expect(try await session.environment.access.revoke(token: other))
            #expect(try await session.request(.get, "/api/v1/destinations", headers: header).status == .unauthorized)
            #expect(try await session.environment.access.revoke(token: other) == false)
        }
    }

    @Test(arguments: TestBackend.all)
    func anotherWorkspacesDestinationAnswersLikeAMissingOne(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign(name: "Mine")
            let other: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            let missing = try await session.request(.get, "/api/v1/destinations/999999")
            let foreign = try await session.request(.get, "/api/v1/destinations/\(id)", headers: other)
            #expect(foreign.status == .notFound)
            #expect(foreign.body == missing.body)
            let patch = try await session.update(id, name: "Stolen", headers: other)
            #expect(patch.status == .notFound)
            let delete = try await session.request(.delete, "/api/v1/destinations/\(id)", headers: other)
            #expect(delete.status == .notFound)
            let list = try await session.request(.get, "/api/v1/destinations", headers: other).json()
            #expect(list["pagination"]["total_records"].int == 0)
            // Nothing of the owner's changed.
            let mine = try await session.request(.get, "/api/v1/destinations/\(id)").json()
            #expect(mine["data"]["name"].string == "Mine")
        }
    }

    @Test(arguments: TestBackend.all)
    func tokensAreStoredOnlyAsHashes(_ backend: TestBackend) async throws {
        let server = try TestServer(backend)
        let token = try await server.run { session in session.token }
        let bare = String(token.dropFirst("secret-token:".count))
        let bytes = try await server.databaseBytes()
        #expect(bytes.range(of: Data(bare.utf8)) == nil)
        let hash = APIToken.hash(presented: token)
        let hex = hash.map { String(format: "%02x", $0) }.joined()
        #expect(bytes.range(of: hash) != nil || bytes.range(of: Data(hex.utf8)) != nil)
    }

    @Test(arguments: TestBackend.all)
    func theBootstrapHappensOnceOnAnEmptyDatabase(_ backend: TestBackend) async throws {
        let server = try TestServer(backend)
        try await server.run { session in
            let second = try await session.environment.access.bootstrap()
            #expect(second == nil)
        }
    }
}
