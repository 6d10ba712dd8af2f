import Foundation
import HTTPTypes
import TestSupport
import Testing

/// Every class of bad input gets its 4xx with a message naming the problem, and writes nothing.
@Suite("Bad input")
struct BadInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let method: HTTPRequest.Method
        /// `{id}` stands for an existing destination's id.
        let path: String
        let body: String
        var contentType = "application/json"
        let status: HTTPResponse.Status
        /// A word the message must contain (the field it names).
        let mentions: String

        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "malformed JSON",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "#,
            status: .badRequest,
            mentions: "JSON"
        ),
        Case(name: "empty JSON body", method: .post, path: "/api/v1/destinations", body: "", status: .badRequest, mentions: "body"),
        Case(name: "JSON array body", method: .post, path: "/api/v1/destinations", body: "[]", status: .badRequest, mentions: "request body"),
        Case(
            name: "missing service_connection",
            method: .post,
            path: "/api/v1/destinations",
            body: "{}",
            status: .badRequest,
            mentions: "service_connection"
        ),
        Case(
            name: "missing type",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"credentials": {}}}"#,
            status: .badRequest,
            mentions: "service_connection.type"
        ),
        Case(
            name: "missing credentials",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "braze"}}"#,
            status: .badRequest,
            mentions: "credentials"
        ),
        Case(
            name: "credentials not an object",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "braze", "credentials": "x"}}"#,
            status: .badRequest,
            mentions: "credentials"
        ),
        Case(
            name: "name not a string",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "braze", "name": 5, "credentials": {}}}"#,
            status: .badRequest,
            mentions: "name"
        ),
        Case(
            name: "credential value not a string",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": 5, "instance_url": "https://x.example.com"}}}"#,
            status: .badRequest,
            mentions: "api_token"
        ),
        Case(
            name: "not JSON",
            method: .post,
            path: "/api/v1/destinations",
            body: "type=braze",
            contentType: "application/x-www-form-urlencoded",
            status: .unsupportedMediaType,
            mentions: "application/json"
        ),
        Case(
            name: "text/plain",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: "{}",
            contentType: "text/plain",
            status: .unsupportedMediaType,
            mentions: "application/json"
        ),
        Case(
            name: "unknown type",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "fax_machine", "credentials": {}}}"#,
            status: .unprocessableContent,
            mentions: "active_campaign"
        ),
        Case(
            name: "missing required credential",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "active_campaign", "credentials": {"instance_url": "https://x.example.com"}}}"#,
            status: .unprocessableContent,
            mentions: "api_token"
        ),
        Case(
            name: "blank required credential",
            method: .post,
            path: "/api/v1/destinations",
            body:
                #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": "  ", "instance_url": "https://x.example.com"}}}"#,
            status: .unprocessableContent,
            mentions: "api_token"
        ),
        Case(
            name: "unknown credential",
            method: .post,
            path: "/api/v1/destinations",
            body:
                #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "https://x.example.com", "password": "p"}}}"#,
            status: .unprocessableContent,
            mentions: "password"
        ),
        Case(
            name: "bad URL",
            method: .post,
            path: "/api/v1/destinations",
            body:
                #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "example.activehosted.com"}}}"#,
            status: .unprocessableContent,
            mentions: "instance_url"
        ),
        Case(
            name: "non-http URL",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "ftp://x.example.com"}}}"#,
            status: .unprocessableContent,
            mentions: "instance_url"
        ),
        Case(
            name: "disagreeing top-level type",
            method: .post,
            path: "/api/v1/destinations",
            body:
                #"{"type": "braze", "service_connection": {"type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "https://x.example.com"}}}"#,
            status: .unprocessableContent,
            mentions: "type"
        ),
        Case(
            name: "empty name",
            method: .post,
            path: "/api/v1/destinations",
            body:
                #"{"service_connection": {"type": "active_campaign", "name": "", "credentials": {"api_token": "t", "instance_url": "https://x.example.com"}}}"#,
            status: .unprocessableContent,
            mentions: "name"
        ),
        Case(
            name: "OAuth without a code",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "hubspot", "credentials": {}}}"#,
            status: .unprocessableContent,
            mentions: "oauth_code"
        ),
        Case(
            name: "OAuth not configured",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "hubspot", "credentials": {"oauth_code": "code"}}}"#,
            status: .unprocessableContent,
            mentions: "connectors.hubspot.oauth.client_id"
        ),
        Case(
            name: "type change",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: #"{"service_connection": {"type": "braze"}}"#,
            status: .conflict,
            mentions: "type"
        ),
        Case(
            name: "patch unknown credential",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: #"{"service_connection": {"credentials": {"nope": "x"}}}"#,
            status: .unprocessableContent,
            mentions: "nope"
        ),
        Case(
            name: "patch removes a required credential",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: #"{"service_connection": {"credentials": {"api_token": null}}}"#,
            status: .unprocessableContent,
            mentions: "api_token"
        ),
        Case(
            name: "patch bad URL",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: #"{"service_connection": {"name": "Renamed", "credentials": {"instance_url": "nope"}}}"#,
            status: .unprocessableContent,
            mentions: "instance_url"
        ),
        Case(
            name: "patch wrong JSON type",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: #"{"service_connection": {"name": ["x"]}}"#,
            status: .badRequest,
            mentions: "name"
        ),
        Case(
            name: "non-numeric id",
            method: .patch,
            path: "/api/v1/destinations/abc",
            body: #"{"service_connection": {"name": "x"}}"#,
            status: .badRequest,
            mentions: "id"
        ),
        // Hostile input.
        Case(
            name: "id past Int64",
            method: .patch,
            path: "/api/v1/destinations/99999999999999999999",
            body: #"{"service_connection": {"name": "x"}}"#,
            status: .badRequest,
            mentions: "id"
        ),
        Case(
            name: "repeated key",
            method: .post,
            path: "/api/v1/destinations",
            body:
                #"{"service_connection": {"type": "braze", "type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "https://x.example.com"}}}"#,
            status: .badRequest,
            mentions: "\"type\""
        ),
        Case(
            name: "repeated credential",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: #"{"service_connection": {"credentials": {"api_token": "a", "api_token": "b"}}}"#,
            status: .badRequest,
            mentions: "api_token"
        ),
        Case(
            name: "NUL in a name",
            method: .patch,
            path: "/api/v1/destinations/{id}",
            body: #"{"service_connection": {"name": "a\u0000b"}}"#,
            status: .unprocessableContent,
            mentions: "name"
        ),
        Case(
            name: "nesting 100,000 deep",
            method: .post,
            path: "/api/v1/destinations",
            body: #"{"service_connection": {"type": "braze", "credentials": {"x": "# + String(repeating: "[", count: 100_000)
                + String(repeating: "]", count: 100_000) + "}}}",
            status: .badRequest,
            mentions: "JSON"
        ),
        Case(
            name: "10,000 credential keys",
            method: .post,
            path: "/api/v1/destinations",
            body: manyCredentials,
            status: .unprocessableContent,
            mentions: "Unknown credential"
        ),
    ]

    static var manyCredentials: String {
        let keys = (0..<10_000).map { #""k\#($0)": "v""# }.joined(separator: ", ")
        return #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": "t", "instance_url": "https://x.example.com", "#
            + keys + "}}}"
    }

    @Test(arguments: TestBackend.all, cases)
    func isRejectedAndWritesNothing(_ backend: TestBackend, _ badInput: Case) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign(name: "Existing")
            let before = try await DatabaseSnapshot.take(session)
            let response = try await session.request(
                badInput.method,
                badInput.path.replacingOccurrences(of: "{id}", with: "\(id)"),
                json: badInput.body,
                contentType: badInput.contentType
            )
            #expect(response.status == badInput.status)
            let json = try response.json()
            #expect(json["status"].string == "error")
            #expect(json["message"].string?.contains(badInput.mentions) == true, "\(json["message"])")
            #expect(try await DatabaseSnapshot.take(session) == before)
        }
    }

    @Test(arguments: TestBackend.all)
    func aBodyOverOneMebibyteIs413AndWritesNothing(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let before = try await DatabaseSnapshot.take(session)
            let padding = String(repeating: "a", count: 1 << 20)
            let response = try await session.request(
                .post,
                "/api/v1/destinations",
                json: #"{"service_connection": {"type": "braze", "name": "\#(padding)", "credentials": {}}}"#
            )
            #expect(response.status == .contentTooLarge)
            #expect(try response.json()["status"].string == "error")
            #expect(try await DatabaseSnapshot.take(session) == before)
        }
    }

    @Test(arguments: TestBackend.all)
    func aBodyJustUnderTheLimitIsRead(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let padding = String(repeating: "a", count: (1 << 20) - 200)
            let response = try await session.request(
                .post,
                "/api/v1/destinations",
                json: #"{"service_connection": {"type": "braze", "name": "\#(padding)", "credentials": {}}}"#
            )
            // Read and judged on its merits: the name is too long, not the body.
            #expect(response.status == .unprocessableContent)
            #expect(try response.json()["message"].string?.contains("name") == true)
        }
    }
}
