import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// The official Census Terraform provider's whole life of a workspace and a destination, replayed against
/// the server with only an organisation token, under a rate limit tight enough that it meets 429s.
@Suite("Terraform provider")
struct TerraformProviderTests {
    @Test(arguments: TestBackend.all)
    func theProvidersRequestSequenceWorksRequestForRequest(_ backend: TestBackend) async throws {
        let clock = MutableClock()
        let limits = RateLimitSettings(enabled: true, token: RateLimit(perSecond: 1, burst: 3))
        try await TestServer(backend, clock: clock).run(configure: RateLimitTests.limited(limits)) { session in
            session.fake.brazeCatalogs(["menu"])
            session.fake.on("GET", "/custom_attributes") { _ in .json(#"{"message": "success", "attributes": []}"#) }
            let terraform = TerraformProviderReplay(session: session, personalAccessToken: try await session.organizationToken(), clock: clock)
            let config = ["api_key": "tf-braze-key", "instance_url": session.fake.baseURL.absoluteString]

            let (workspace, _) = try await terraform.createWorkspace(name: "terraform", emails: ["ops@example.com"])
            let id = try await terraform.createDestination(
                workspace: workspace,
                type: "braze",
                name: "Braze",
                config: config,
                autoRefreshObjects: true
            )
            let created = try #require(try await terraform.readDestination(workspace: workspace, id: id))
            #expect(created.type == "braze")
            #expect(created.name == "Braze")
            // The optional field sent as "" is absent, not a value.
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored["api_key"]?.stringValue == "tf-braze-key")
            #expect(stored["data_import_key"] == nil)

            clock.advance(by: 2)
            try await terraform.updateDestination(
                workspace: workspace,
                id: id,
                name: "Braze EU",
                config: config.merging(["data_import_key": ""]) { $1 }
            )
            let updated = try #require(try await terraform.readDestination(workspace: workspace, id: id))
            #expect(updated.name == "Braze EU")
            #expect(updated.type == created.type)
            #expect(updated.createdAt == created.createdAt)
            #expect(updated.updatedAt > created.updatedAt)

            #expect(try await terraform.importDestination("\(workspace):\(id)") == updated)

            try await terraform.deleteDestination(workspace: workspace, id: id)
            try await terraform.deleteDestination(workspace: workspace, id: id)
            #expect(try await terraform.readDestination(workspace: workspace, id: id) == nil)
            try await terraform.deleteWorkspace(workspace)

            let w = "/workspaces/\(workspace)"
            let d = "/destinations/\(id)"
            let expected: [(HTTPRequest.Method, String, String)] = [
                (.post, "/workspaces", "pat"), (.get, w, "pat"),
                // create, then its read
                (.get, "\(w)/api_key", "pat"), (.get, "/connectors", "key"), (.post, "/destinations", "key"), (.post, "\(d)/refresh_objects", "key"),
                (.get, "\(w)/api_key", "pat"), (.get, d, "key"),
                // update, then its read
                (.get, "\(w)/api_key", "pat"), (.patch, d, "key"), (.get, "\(w)/api_key", "pat"), (.get, d, "key"),
                // import
                (.get, "\(w)/api_key", "pat"), (.get, d, "key"),
                // delete, delete again (404 counts as gone), read after (404 drops it from the state)
                (.get, "\(w)/api_key", "pat"), (.delete, d, "key"), (.get, "\(w)/api_key", "pat"), (.delete, d, "key"),
                (.get, "\(w)/api_key", "pat"), (.get, d, "key"),
                (.delete, w, "pat"),
            ]
            #expect(terraform.sent == expected.map { TerraformProviderReplay.Exchange(method: $0.0, path: $0.1, token: $0.2) })
            // It met the limit and every 429 said when to come back.
            #expect(!terraform.throttled.isEmpty)
            #expect(terraform.throttled.allSatisfy { (Int($0) ?? 0) >= 1 })
        }
    }

    @Test(arguments: TestBackend.all)
    func aNumericConfigValueArrivesAsANumberAndIsTakenAsItsDigits(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let pat = try await session.organizationToken()
            let terraform = TerraformProviderReplay(session: session, personalAccessToken: pat, clock: MutableClock())
            let workspace = try await terraform.createWorkspace(name: "numbers", emails: []).id
            let config = [
                "project_id": "12345", "project_token": "tf-token", "service_account_username": "sa.tf", "service_account_secret": "tf-secret",
            ]
            let id = try await terraform.createDestination(
                workspace: workspace,
                type: "mixpanel",
                name: "Mixpanel",
                config: config,
                autoRefreshObjects: false
            )
            func projectID() async throws -> JSONValue {
                let key = try await session.workspaceKey(workspace, token: pat)
                return try await session.request(.get, "/api/v1/destinations/\(id)", headers: Session.bearer(key)).json()["data"][
                    "connection_details"
                ]["project_id"]
            }
            #expect(try await projectID() == .string("12345"))
            try await terraform.updateDestination(
                workspace: workspace,
                id: id,
                name: "Mixpanel",
                config: config.merging(["project_id": "678"]) { $1 }
            )
            #expect(try await projectID() == .string("678"))
        }
    }
}
