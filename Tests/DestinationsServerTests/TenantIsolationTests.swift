import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// Every endpoint that names a destination, with every method: a token of workspace A gets exactly the
/// answer a destination that does not exist gets, for workspace B's destination and B's keys, and nothing
/// of B changes.
@Suite("Tenant isolation")
struct TenantIsolationTests {
    /// Method and path under /api/v1/destinations/{id}, with B's keys filled in, and a body for writes.
    static func probes(refreshKey: Int64, testKey: Int64, fieldsKey: Int64) -> [(HTTPRequest.Method, String, String?)] {
        [
            (.get, "", nil),
            (.patch, "", #"{"service_connection": {"name": "taken over"}}"#),
            (.patch, "", #"{"service_connection": {"credentials": {"api_key": "stolen"}}}"#),
            (.delete, "", nil),
            (.post, "/refresh_objects", nil),
            (.get, "/refresh_objects_status?refresh_key=\(refreshKey)", nil),
            (.post, "/test", nil),
            (.get, "/test_status?test_key=\(testKey)", nil),
            (.get, "/objects", nil),
            (.get, "/objects/user", nil),
            (.post, "/objects/user/refresh_fields", nil),
            (.get, "/objects/user/refresh_fields_status?refresh_key=\(fieldsKey)", nil),
        ]
    }

    @Test(arguments: TestBackend.all)
    func anotherWorkspacesDestinationAnswersLikeAMissingOneAndStaysAsItWas(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs(["menu"])
            session.fake.on("GET", "/custom_attributes") { _ in .json(#"{"message": "success", "attributes": []}"#) }
            let theirs: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            // A stream per job awaited: `settled` passes over other jobs' outcomes.
            let (refreshed, tested) = (session.jobOutcomes(), session.jobOutcomes())
            let created = try await session.create(
                type: "braze",
                credentials: ["api_key": "k", "instance_url": "\(session.fake.baseURL.absoluteString)"],
                headers: theirs
            )
            let id = try #require(try created.json()["data"]["id"].int)
            _ = try await session.settled(try await session.firstJob(of: id), in: refreshed)
            _ = try await session.settled(try await session.firstJob(of: id, kind: .connectionTest), in: tested)
            var keys: [String: Int64] = [:]
            for (name, path, key) in [
                ("refresh", "refresh_objects", "refresh_key"), ("test", "test", "test_key"), ("fields", "objects/user/refresh_fields", "refresh_key"),
            ] {
                let outcomes = session.jobOutcomes()
                let queued = try #require(try await session.request(.post, "/api/v1/destinations/\(id)/\(path)", headers: theirs).json()[key].int)
                keys[name] = queued
                _ = try await session.settled(queued, in: outcomes)
            }
            let (refreshKey, testKey, fieldsKey) = (keys["refresh"]!, keys["test"]!, keys["fields"]!)
            let before = try await Self.snapshot(session, id, theirs)

            let missing = Int64(Int32.max)
            for (method, suffix, body) in Self.probes(refreshKey: refreshKey, testKey: testKey, fieldsKey: fieldsKey) {
                let foreign = try await session.request(method, "/api/v1/destinations/\(id)\(suffix)", json: body)
                let absent = try await session.request(method, "/api/v1/destinations/\(missing)\(suffix)", json: body)
                #expect(foreign.status == .notFound, "\(method) …\(suffix)")
                #expect(String(buffer: foreign.body) == String(buffer: absent.body), "\(method) …\(suffix)")
                #expect(foreign.headers[.eTag] == nil)
            }
            let after = try await Self.snapshot(session, id, theirs)
            for (was, now) in zip(before, after) { #expect(was == now) }
        }
    }

    /// What B can see of its destination, and what the server holds for it.
    static func snapshot(_ session: Session, _ id: Int64, _ headers: HTTPFields) async throws -> [String] {
        var parts: [String] = []
        for path in ["", "/objects?per_page=100", "/objects/user"] {
            let response = try await session.request(.get, "/api/v1/destinations/\(id)\(path)", headers: headers)
            parts.append("\(response.status) \(response.headers[.eTag] ?? "") \(String(buffer: response.body))")
        }
        parts.append(String(buffer: try await session.request(.get, "/api/v1/audit_events?per_page=100", headers: headers).body))
        let jobs = try await session.environment.database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM jobs WHERE destination_id = \(bind: id)").first(decodingColumn: "n", as: Int.self)
        }
        parts.append("jobs \(jobs ?? -1)")
        let stored = try await StoredCredentials.read(session, id: id)
        parts.append("secrets \(stored.keys.sorted()) \(stored["api_key"]?.stringValue == "k")")
        return parts
    }
}

/// Organisation tokens: an organisation sees its own workspaces only, and each kind of token is refused
/// (403, with the envelope) on the other kind's API.
@Suite("Tenant isolation of organisations")
struct OrganizationIsolationTests {
    @Test(arguments: TestBackend.all)
    func anotherOrganisationsWorkspaceAnswersLikeAMissingOneAndStaysAsItWas(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let (mine, theirs) = (try await session.organizationToken(), try await session.otherOrganizationToken())
            let id = try #require(try await session.createWorkspace("Theirs", emails: ["a@example.com"], token: theirs).json()["data"]["id"].int)
            let key = try await session.workspaceKey(id, token: theirs)
            let before = try await Self.snapshot(session, id, theirs)

            let missing = Int64(Int32.max)
            let probes: [(HTTPRequest.Method, String, String?)] = [
                (.get, "", nil), (.get, "?return_workspace_api_key=true", nil), (.get, "/api_key", nil),
                (.patch, "", #"{"name": "taken over"}"#), (.delete, "", nil),
            ]
            for (method, suffix, body) in probes {
                let foreign = try await session.request(method, "/api/v1/workspaces/\(id)\(suffix)", json: body, headers: Session.bearer(mine))
                let absent = try await session.request(method, "/api/v1/workspaces/\(missing)\(suffix)", json: body, headers: Session.bearer(mine))
                #expect(foreign.status == .notFound, "\(method) …\(suffix)")
                #expect(String(buffer: foreign.body) == String(buffer: absent.body), "\(method) …\(suffix)")
            }
            let listed = try await session.request(.get, "/api/v1/workspaces?per_page=100", headers: Session.bearer(mine)).json()
            #expect(listed["data"].array?.compactMap { $0["name"].string } == ["default"])
            let trail = try await session.request(.get, "/api/v1/audit_events?per_page=100", headers: Session.bearer(mine)).json()
            #expect(trail["data"].array?.contains { $0["workspace_id"].int == id } == false)
            #expect(try await Self.snapshot(session, id, theirs) == before)
            #expect(try await session.workspaceKey(id, token: theirs) == key)
        }
    }

    @Test(arguments: TestBackend.all)
    func eachKindOfTokenIsRefusedOnTheOtherKindsAPI(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let pat = try await session.organizationToken()
            let workspace = try #require(try await session.createWorkspace("Probed", token: pat).json()["data"]["id"].int)
            let destination = try await session.createActiveCampaign()
            let organizationAPI: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/workspaces", nil), (.post, "/workspaces", #"{"name": "sneaky"}"#), (.get, "/workspaces/\(workspace)", nil),
                (.patch, "/workspaces/\(workspace)", #"{"name": "sneaky"}"#), (.delete, "/workspaces/\(workspace)", nil),
                (.get, "/workspaces/\(workspace)/api_key", nil),
            ]
            for (method, path, body) in organizationAPI {
                let refused = try await session.request(method, "/api/v1\(path)", json: body)
                #expect(refused.status == .forbidden, "\(method) \(path)")
                #expect(try refused.json()["status"].string == "error")
                #expect(try refused.json()["message"].string?.contains("organization token") == true)
            }
            let workspaceAPI: [(HTTPRequest.Method, String, String?)] = [
                (.get, "/destinations", nil), (.post, "/destinations", session.activeCampaignBody()), (.get, "/destinations/\(destination)", nil),
                (.patch, "/destinations/\(destination)", #"{"service_connection": {"name": "x"}}"#), (.delete, "/destinations/\(destination)", nil),
                (.post, "/destinations/\(destination)/refresh_objects", "{}"), (.post, "/destinations/\(destination)/test", nil),
                (.get, "/destinations/\(destination)/objects", nil), (.get, "/connectors", nil), (.get, "/connectors/braze", nil),
                (.get, "/destinations/authorize_url?type=hubspot&redirect_uri=https://app.example/cb", nil), (.get, "/workspace", nil),
            ]
            for (method, path, body) in workspaceAPI {
                let refused = try await session.request(method, "/api/v1\(path)", json: body, headers: Session.bearer(pat))
                #expect(refused.status == .forbidden, "\(method) \(path)")
                #expect(try refused.json()["status"].string == "error")
                #expect(try refused.json()["message"].string?.contains("api_key") == true)
            }
            // Nothing was changed by either.
            #expect(try await session.request(.get, "/api/v1/destinations/\(destination)").status == .ok)
            #expect(try await session.request(.get, "/api/v1/workspaces/\(workspace)", headers: Session.bearer(pat)).status == .ok)
            // The audit trail answers both, each its own.
            #expect(try await session.request(.get, "/api/v1/audit_events", headers: Session.bearer(pat)).status == .ok)
            #expect(try await session.request(.get, "/api/v1/audit_events").status == .ok)
        }
    }

    /// What the owning organisation sees of its workspace.
    static func snapshot(_ session: Session, _ id: Int64, _ token: String) async throws -> [String] {
        var parts: [String] = []
        for path in ["/workspaces/\(id)", "/workspaces?per_page=100", "/audit_events?per_page=100"] {
            let response = try await session.request(.get, "/api/v1\(path)", headers: Session.bearer(token))
            parts.append("\(response.status) \(String(buffer: response.body))")
        }
        return parts
    }
}
