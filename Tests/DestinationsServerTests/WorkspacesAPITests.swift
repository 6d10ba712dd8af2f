import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// Census's organisation API over workspaces, with organisation tokens.
@Suite("Workspaces API")
struct WorkspacesAPITests {
    @Test(arguments: TestBackend.all)
    func aWorkspaceIsCreatedReadListedAndRenamed(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let pat = try await session.organizationToken()
            let created = try await session.createWorkspace("Marketing", emails: ["ops@example.com"], returningKey: true, token: pat)
            #expect(created.status == .created)
            let json = try created.json()
            #expect(json["status"].string == "success")
            let workspace = json["data"]
            let id = try #require(workspace["id"].int)
            #expect(workspace["name"].string == "Marketing")
            #expect(workspace["organization_id"].int == 1)
            #expect(workspace["notification_emails"] == .array(["ops@example.com"]))
            #expect(try #require(workspace["created_at"].string).hasSuffix("Z"))
            let key = try #require(workspace["api_key"].string)
            #expect(key.hasPrefix(APIToken.prefix))

            // Census's exact shape: the key alone, no envelope.
            let shown = try await session.request(.get, "/api/v1/workspaces/\(id)/api_key", headers: Session.bearer(pat))
            #expect(shown.status == .ok)
            #expect(try shown.json() == .object(["api_key": .string(key)]))

            // The key is the workspace's token.
            let current = try await session.request(.get, "/api/v1/workspace", headers: Session.bearer(key))
            #expect(current.status == .ok)
            #expect(try current.json()["data"]["id"].int == id)
            #expect(try current.json()["data"]["name"].string == "Marketing")
            #expect(try current.json()["data"].object?.keys.contains("api_key") == false)

            let fetched = try await session.request(.get, "/api/v1/workspaces/\(id)", headers: Session.bearer(pat))
            #expect(try fetched.json()["data"].object?.keys.contains("api_key") == false)
            let fetchedWithKey = try await session.request(
                .get,
                "/api/v1/workspaces/\(id)?return_workspace_api_key=true",
                headers: Session.bearer(pat)
            )
            #expect(try fetchedWithKey.json()["data"]["api_key"].string == key)

            // The session's own workspace is in the same organisation; newest first.
            let list = try await session.request(.get, "/api/v1/workspaces?per_page=1", headers: Session.bearer(pat)).json()
            #expect(list["data"].array?.map { $0["id"].int } == [id])
            #expect(list["pagination"]["total_records"].int == 2)
            #expect(list["next"].string?.hasSuffix("/api/v1/workspaces?page=2&per_page=1") == true)

            let renamed = try await session.request(
                .patch,
                "/api/v1/workspaces/\(id)",
                json: #"{"name": "Growth", "notification_emails": []}"#,
                headers: Session.bearer(pat)
            )
            #expect(renamed.status == .ok)
            #expect(try renamed.json()["status"].string == "updated")
            #expect(try renamed.json()["data"]["name"].string == "Growth")
            #expect(try renamed.json()["data"]["notification_emails"] == .array([]))
            // Only the emails: the name stays.
            let emailsOnly = try await session.request(
                .patch,
                "/api/v1/workspaces/\(id)",
                json: #"{"notification_emails": ["a@example.com"]}"#,
                headers: Session.bearer(pat)
            )
            #expect(try emailsOnly.json()["data"]["name"].string == "Growth")
        }
    }

    @Test(arguments: TestBackend.all)
    func badWorkspacesAreRefusedNamingTheField(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let pat = try await session.organizationToken()
            _ = try await session.createWorkspace("Taken", token: pat)
            let cases: [(String, HTTPResponse.Status, String)] = [
                (#"{"name": "Taken"}"#, .conflict, "name"),
                (#"{"name": "   "}"#, .unprocessableContent, "name"),
                (#"{"name": "\#(String(repeating: "n", count: 256))"}"#, .unprocessableContent, "name"),
                (#"{"name": "E", "notification_emails": ["ops@example.com", "not an email"]}"#, .unprocessableContent, "notification_emails[1]"),
                (#"{"name": 5}"#, .badRequest, "name"),
                (#"{}"#, .badRequest, "name"),
            ]
            for (body, status, field) in cases {
                let response = try await session.request(.post, "/api/v1/workspaces", json: body, headers: Session.bearer(pat))
                #expect(response.status == status, "\(body)")
                #expect(try response.json()["message"].string?.contains(field) == true, "\(body): \(String(buffer: response.body))")
            }
            let other = try #require(try await session.createWorkspace("Other", token: pat).json()["data"]["id"].int)
            let clash = try await session.request(.patch, "/api/v1/workspaces/\(other)", json: #"{"name": "Taken"}"#, headers: Session.bearer(pat))
            #expect(clash.status == .conflict)
            let names = try await session.request(.get, "/api/v1/workspaces?per_page=100", headers: Session.bearer(pat)).json()
            #expect(names["data"].array?.compactMap { $0["name"].string }.sorted() == ["Other", "Taken", "default"])
        }
    }

    @Test(arguments: TestBackend.all)
    func theAPIKeyIsStableUntilRevokedAndOneUnderConcurrentFirstRequests(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let pat = try await session.organizationToken()
            let id = try #require(try await session.createWorkspace("Keys", token: pat).json()["data"]["id"].int)
            let keys = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<8 { group.addTask { try await session.workspaceKey(id, token: pat) } }
                return try await group.reduce(into: Set<String>()) { $0.insert($1) }
            }
            #expect(keys.count == 1)
            let key = try #require(keys.first)
            #expect(try await session.workspaceKey(id, token: pat) == key)

            #expect(try await session.environment.access.revoke(token: key))
            #expect(try await session.request(.get, "/api/v1/workspace", headers: Session.bearer(key)).status == .unauthorized)
            let next = try await session.workspaceKey(id, token: pat)
            #expect(next != key)
            #expect(try await session.request(.get, "/api/v1/workspace", headers: Session.bearer(next)).status == .ok)
            // Only the live key is kept sealed; the revoked one's copy is gone.
            let sealed = try await session.environment.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM api_tokens WHERE sealed_value IS NOT NULL").first(decodingColumn: "n", as: Int.self)
            }
            #expect(sealed == 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func deletingAWorkspaceTakesItsDestinationsJobsAndTokens(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let pat = try await session.organizationToken()
            let id = try #require(try await session.createWorkspace("Doomed", token: pat).json()["data"]["id"].int)
            let key = try await session.workspaceKey(id, token: pat)
            let other = try await session.environment.access.issueToken(workspace: WorkspaceID(id))
            // The fake holds every provider call, so the destinations' first jobs stay queued or running.
            let held = Gate()
            for method in ["GET", "POST"] {
                session.fake.on(method, "/*") { _ in
                    await held.wait()
                    return .json("{}")
                }
            }
            var destinations: [Int64] = []
            for name in ["one", "two"] {
                destinations.append(
                    try await session.createDestination(
                        type: "active_campaign",
                        name: name,
                        credentials: session.activeCampaignCredentials(),
                        headers: Session.bearer(key)
                    )
                )
            }
            let mine = try await session.createActiveCampaign()
            #expect(try await Self.count("jobs", workspace: id, session) > 0)

            let deleted = try await session.request(.delete, "/api/v1/workspaces/\(id)", headers: Session.bearer(pat))
            #expect(deleted.status == .ok)
            #expect(try deleted.json() == .object(["status": "deleted"]))
            await held.open()

            for table in ["destinations", "jobs", "oauth_authorizations"] {
                #expect(try await Self.count(table, workspace: id, session) == 0, "\(table)")
            }
            for token in [key, other] {
                #expect(try await session.request(.get, "/api/v1/workspace", headers: Session.bearer(token)).status == .unauthorized)
            }
            for path in ["", "/api_key"] {
                let gone = try await session.request(.get, "/api/v1/workspaces/\(id)\(path)", headers: Session.bearer(pat))
                #expect(gone.status == .notFound)
                #expect(try gone.json()["status"].int == 404)
            }
            #expect(try await session.request(.delete, "/api/v1/workspaces/\(id)", headers: Session.bearer(pat)).status == .notFound)
            let listed = try await session.request(.get, "/api/v1/workspaces", headers: Session.bearer(pat)).json()
            #expect(listed["data"].array?.contains { $0["id"].int == id } == false)
            // The rest of the organisation is untouched, and the name is free again.
            #expect(try await session.request(.get, "/api/v1/destinations/\(mine)").status == .ok)
            #expect(try await session.createWorkspace("Doomed", token: pat).status == .created)

            // The organisation's trail keeps the deleted workspace's events, and says what went with it.
            let trail = try await session.request(.get, "/api/v1/audit_events?per_page=100", headers: Session.bearer(pat)).json()
            let events = try #require(trail["data"].array)
            let deletion = try #require(events.first { $0["action"].string == "workspace.deleted" && $0["workspace_id"].int == id })
            #expect(deletion["outcome"].string?.contains("deleted 2 destinations") == true)
            #expect(deletion["outcome"].string?.contains("revoked 2 tokens") == true)
            #expect(events.contains { $0["action"].string == "destination.created" && destinations.contains($0["destination_id"].int ?? -1) })
        }
    }

    @Test(arguments: TestBackend.all)
    func organisationEventsAreAudited(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let pat = try await session.organizationToken()
            let patID = try await session.environment.access.authenticate(token: pat).tokenID.rawValue
            let id = try #require(try await session.createWorkspace("Audited", token: pat).json()["data"]["id"].int)
            let key = try await session.workspaceKey(id, token: pat)
            _ = try await session.workspaceKey(id, token: pat)
            let keyID = try await session.environment.access.authenticate(token: key).tokenID.rawValue

            let trail = try await session.request(.get, "/api/v1/audit_events?per_page=100&order=asc", headers: Session.bearer(pat)).json()
            let events = try #require(trail["data"].array)
            let issued = try #require(events.first { $0["action"].string == "organization_token.created" })
            #expect(issued["subject_token_id"].int == patID)
            #expect(issued["workspace_id"] == .null)
            let mine = events.filter { $0["workspace_id"].int == id }.map { "\($0["action"].string ?? "") \($0["token_id"].int ?? 0)" }
            #expect(
                mine == [
                    "workspace.created \(patID)", "token.created \(patID)", "workspace.api_key.read \(patID)", "workspace.api_key.read \(patID)",
                ]
            )
            #expect(events.filter { $0["action"].string == "workspace.api_key.read" }.allSatisfy { $0["subject_token_id"].int == keyID })

            // The workspace sees in its own trail that its key was read, and nothing of the organisation's own.
            let own = try await session.request(.get, "/api/v1/audit_events?per_page=100", headers: Session.bearer(key)).json()
            let actions = own["data"].array?.compactMap { $0["action"].string }
            #expect(actions?.filter { $0 == "workspace.api_key.read" }.count == 2)
            #expect(actions?.contains("organization_token.created") == false)
        }
    }

    static func count(_ table: String, workspace: Int64, _ session: Session) async throws -> Int {
        try await session.environment.database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM \(unsafeRaw: table) WHERE workspace_id = \(bind: workspace)").first(
                decodingColumn: "n",
                as: Int.self
            )
        } ?? -1
    }
}
