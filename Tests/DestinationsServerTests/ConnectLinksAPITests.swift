import DestinationsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// Census's destination connect links: made, listed, fetched, revoked, expired, scoped to their workspace.
@Suite("Connect links API")
struct ConnectLinksAPITests {
    static func create(_ session: Session, _ body: String, headers: HTTPFields? = nil) async throws -> TestResponse {
        try await session.request(.post, "/api/v1/destination_connect_links", json: body, headers: headers)
    }

    @Test(arguments: TestBackend.all)
    func aLinkIsMadeListedFetchedAndItsKeyIsNeverStored(_ backend: TestBackend) async throws {
        let clock = MutableClock()
        try await TestServer(backend, publicURL: "https://connect.example", clock: clock).run { session in
            let created = try await Self.create(session, #"{"type": "braze", "redirect_uri": "https://app.example/done"}"#)
            #expect(created.status == .created)
            let json = try created.json()
            #expect(json["status"].string == "created")
            let link = json["data"]
            let id = try #require(link["id"].int)
            #expect(link["type"].string == "braze")
            #expect(link["expired"] == .bool(false))
            #expect(link["revoked"] == .bool(false))
            #expect(link["redirect_uri"].string == "https://app.example/done")
            #expect(link["destination_id"] == .null)
            let expiration = try #require(link["expiration"].string.flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(abs(expiration.timeIntervalSince(clock.now()) - 86_400) < 2)
            let uri = try #require(link["uri"].string)
            #expect(uri.hasPrefix("https://connect.example/connect/"))
            let key = String(uri.dropFirst("https://connect.example/connect/".count))
            #expect(key.count >= 40)

            // Shown again, the same uri; in the list too.
            let fetched = try await session.request(.get, "/api/v1/destination_connect_links/\(id)")
            #expect(try fetched.json()["data"] == link)
            let list = try await session.request(.get, "/api/v1/destination_connect_links").json()
            #expect(list["data"].array == [link])
            #expect(list["pagination"]["total_records"].int == 1)

            // Stored: the key's hash and the nonce it derives from, never the key; nor is it logged.
            let row = try #require(
                try await session.environment.database.read { db in
                    try await db.raw("SELECT type, redirect_uri, key_nonce, key_hash FROM connect_links").first()
                }
            )
            #expect(try row.decode(column: "key_hash", as: Data.self) == ConnectLinkKeys.hash(key))
            let nonce = try row.decode(column: "key_nonce", as: Data.self)
            #expect(nonce.count == 32)
            #expect(nonce.base64URLEncodedString() != key)
            for column in ["type", "redirect_uri"] { #expect(try row.decode(column: column, as: String.self) != key) }
            #expect(!session.logs.all.joined(separator: "\n").contains(key))

            let trail = try await session.request(.get, "/api/v1/audit_events").json()
            #expect(trail["data"].array?.contains { $0["action"].string == "connect_link.created" && $0["connect_link_id"].int == id } == true)

            // A day later it is listed as expired.
            clock.advance(by: 86_401)
            #expect(try await session.request(.get, "/api/v1/destination_connect_links/\(id)").json()["data"]["expired"] == .bool(true))
        }
    }

    @Test(arguments: TestBackend.all)
    func badLinksAreRefusedNamingTheField(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"type": "carrier_pigeon"}"#, .unprocessableContent, "carrier_pigeon"),
                (#"{"type": "braze", "redirect_uri": "ftp://app.example"}"#, .unprocessableContent, "redirect_uri"),
                (#"{"redirect_uri": "https://app.example"}"#, .badRequest, "type"),
                (#"{"type": 5}"#, .badRequest, "type"),
            ]
            for (body, status, named) in cases {
                let refused = try await Self.create(session, body)
                #expect(refused.status == status, "\(body)")
                #expect(try refused.json()["message"].string?.contains(named) == true, "\(body): \(String(buffer: refused.body))")
            }
            #expect(try await session.request(.get, "/api/v1/destination_connect_links").json()["data"].array?.isEmpty == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func revokingIsIdempotentAndAnotherWorkspacesLinkAnswersLikeAMissingOne(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try #require(try await Self.create(session, #"{"type": "braze"}"#).json()["data"]["id"].int)
            let stranger = Session.bearer(try await session.otherWorkspaceToken())
            let missing = Int64(Int32.max)
            for (method, suffix) in [(HTTPRequest.Method.get, ""), (.post, "/revoke")] {
                let foreign = try await session.request(method, "/api/v1/destination_connect_links/\(id)\(suffix)", headers: stranger)
                let absent = try await session.request(method, "/api/v1/destination_connect_links/\(missing)\(suffix)", headers: stranger)
                #expect(foreign.status == .notFound)
                #expect(String(buffer: foreign.body) == String(buffer: absent.body))
            }
            #expect(try await session.request(.get, "/api/v1/destination_connect_links", headers: stranger).json()["data"].array?.isEmpty == true)

            for _ in 0..<2 {
                let revoked = try await session.request(.post, "/api/v1/destination_connect_links/\(id)/revoke")
                #expect(revoked.status == .ok)
                #expect(try revoked.json()["data"]["revoked"] == .bool(true))
            }
            let trail = try await session.request(.get, "/api/v1/audit_events?per_page=100").json()
            #expect(trail["data"].array?.filter { $0["action"].string == "connect_link.revoked" }.count == 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func aReauthorizationLinkNamesItsDestinationAndItsType(_ backend: TestBackend) async throws {
        let tenMinutes: @Sendable (inout ServerSettings, FakeProvider) -> Void = { settings, _ in settings.connectLinkLifetime = 600 }
        let clock = MutableClock()
        try await TestServer(backend, clock: clock).run(configure: tenMinutes) { session in
            let destination = try await session.createActiveCampaign()
            let created = try await session.request(
                .post,
                "/api/v1/destinations/\(destination)/connect_links",
                json: #"{"redirect_uri": "https://app.example/again"}"#
            )
            #expect(created.status == .created)
            let link = try created.json()["data"]
            #expect(link["type"].string == "active_campaign")
            #expect(link["destination_id"].int == destination)
            let expiration = try #require(link["expiration"].string.flatMap { ISO8601DateFormatter().date(from: $0) })
            #expect(abs(expiration.timeIntervalSince(clock.now()) - 600) < 2)
            // Without a redirect; a destination of no one is not found.
            let bare = try await session.request(.post, "/api/v1/destinations/\(destination)/connect_links", json: "{}")
            #expect(bare.status == .created)
            #expect(try bare.json()["data"]["redirect_uri"] == .null)
            #expect(try await session.request(.post, "/api/v1/destinations/\(Int32.max)/connect_links", json: "{}").status == .notFound)
            // Every type can be connected through a link.
            let connectors = try await session.request(.get, "/api/v1/connectors?per_page=100").json()["data"].array ?? []
            #expect(!connectors.isEmpty)
            #expect(connectors.allSatisfy { $0["creatable_via_connect_link"] == .bool(true) })
        }
    }
}
