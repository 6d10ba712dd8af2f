import Foundation
import HTTPTypes
import NIOCore
import TestSupport
import Testing

/// Input built to break things: each gets its 4xx (or is stored as the plain text it is), and the server
/// goes on serving.
@Suite("Hostile input")
struct HostileInputTests {
    @Test(arguments: TestBackend.all)
    func invalidUTF8IsABadRequestThatWritesNothing(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let before = try await DatabaseSnapshot.take(session)
            var body = ByteBuffer(string: #"{"service_connection": {"type": "active_campaign", "name": ""#)
            body.writeBytes([0xFF, 0xFE, 0xC3])
            body.writeString(#"", "credentials": {"api_token": "t", "instance_url": "https://x.example.com"}}}"#)
            var headers = session.auth
            headers[.contentType] = "application/json"
            let response = try await session.client.execute(uri: "/api/v1/destinations", method: .post, headers: headers, body: body)
            #expect(response.status == .badRequest)
            #expect(try response.json()["message"].string?.contains("JSON") == true)
            #expect(try await DatabaseSnapshot.take(session) == before)
        }
    }

    /// SQL and path metacharacters in every string the API stores are kept as the text they are.
    @Test(arguments: TestBackend.all)
    func metacharactersAreStoredAsText(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let nasty = #"x'); DROP TABLE destinations;-- \" ../../etc/passwd %00 ; \\ `id` $(id) 🙂"#
            let name = try String(decoding: JSONEncoder().encode(nasty), as: UTF8.self)
            let created = try await session.request(
                .post,
                "/api/v1/destinations",
                json:
                    #"{"service_connection": {"type": "active_campaign", "name": \#(name), "credentials": {"api_token": \#(name), "instance_url": "https://x.example.com"}}}"#
            )
            #expect(created.status == .created)
            let id = try #require(try created.json()["data"]["id"].int)
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]["name"].string == nasty)
            #expect(try await session.request(.get, "/api/v1/destinations").json()["data"][0]["name"].string == nasty)
            #expect(try await StoredCredentials.read(session, id: id)["api_token"]?.stringValue == nasty)
        }
    }

    @Test(arguments: TestBackend.all)
    func hostilePathSegmentsAreNotFoundOrBadRequests(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign()
            let cases: [(String, HTTPResponse.Status)] = [
                ("/api/v1/destinations/-1", .notFound),
                ("/api/v1/destinations/0", .notFound),
                ("/api/v1/destinations/9223372036854775807", .notFound),
                ("/api/v1/destinations/9223372036854775808", .badRequest),
                ("/api/v1/destinations/1%20OR%201=1", .badRequest),
                ("/api/v1/destinations/\(id)/objects/..%2F..%2Fetc%2Fpasswd", .notFound),
                ("/api/v1/destinations/\(id)/objects/contact'%20OR%20'1'='1", .notFound),
                ("/api/v1/destinations/\(id)/objects/%00", .notFound),
                ("/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=-1", .notFound),
                ("/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=99999999999999999999", .badRequest),
                ("/api/v1/audit_events?destination_id=1;DROP", .badRequest),
            ]
            for (path, status) in cases {
                let response = try await session.request(.get, path)
                #expect(response.status == status, "\(path)")
                #expect(try response.json()["message"].string?.isEmpty == false, "\(path)")
            }
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").status == .ok)
        }
    }
}
