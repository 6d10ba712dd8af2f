import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// The audit trail through the API: who changed what, by name, with a fingerprint instead of secrets.
@Suite("Audit events")
struct AuditEventsTests {
    static func events(_ session: Session, _ query: String = "", token: String? = nil) async throws -> JSONValue {
        let headers: HTTPFields? = token.map { [.authorization: "Bearer \($0)"] }
        let response = try await session.request(.get, "/api/v1/audit_events\(query)", headers: headers)
        guard response.status == .ok else { throw TestFailure("audit_events answered \(response.status): \(String(buffer: response.body))") }
        return try response.json()
    }

    @Test(arguments: TestBackend.all)
    func everyChangeIsRecordedWithFieldNamesAndAFingerprintNeverTheSecret(_ backend: TestBackend) async throws {
        let canary = "audit-canary-6d1e0b"
        let server = try TestServer(backend)
        try await server.run { session in
            let tokenID = try await session.environment.access.authenticate(token: session.token).workspacePrincipal().tokenID.rawValue
            let id = try await session.createActiveCampaign(token: canary)
            let other = try await session.createActiveCampaign(name: "Other")
            _ = try await session.update(id, name: "Renamed")
            _ = try await session.update(id, credentials: ["api_token": "new-\(canary)"])
            let deleted = try await session.request(.delete, "/api/v1/destinations/\(id)")
            try #require(deleted.status == .ok || deleted.status == .noContent, "delete answered \(deleted.status): \(String(buffer: deleted.body))")

            // Newest first; the deleted destination's events stay.
            let body = try await Self.events(session, "?destination_id=\(id)")
            let events = try #require(body["data"].array)
            try #require(
                events.map { $0["action"].string } == ["destination.deleted", "destination.updated", "destination.updated", "destination.created"]
            )
            #expect(events.allSatisfy { $0["token_id"].int == tokenID && $0["destination_id"].int == id && $0["created_at"].string != nil })
            #expect(
                events.map { $0["changed_fields"].array?.compactMap(\.string) ?? [] } == [
                    [], ["credentials.api_token"], ["name"], ["name", "credentials.api_token", "credentials.instance_url"],
                ]
            )
            let fingerprints = events.map { $0["secrets_fingerprint"].string }
            #expect(fingerprints[0] == nil && fingerprints[1] != nil)
            #expect(fingerprints[2] == fingerprints[3], "a rename leaves the fingerprint alone")
            #expect(fingerprints[1] != fingerprints[2], "new credentials change it")
            // Explicit nulls, like the rest of the wire format.
            #expect(String(buffer: try await session.request(.get, "/api/v1/audit_events?destination_id=\(id)").body).contains(#""outcome":null"#))

            // Unfiltered, the workspace's other destination and the first token are there too.
            let all = try #require(try await Self.events(session, "?order=asc&per_page=100")["data"].array)
            #expect(all.first?["action"].string == "token.created")
            #expect(all.first?["subject_token_id"].int == tokenID)
            #expect(all.contains { $0["destination_id"].int == other })
            #expect(!session.responseBodies.joined().contains(canary))
        }
        // Sealed in the destination's row while it lived, and nowhere in the trail.
        #expect(try await server.databaseBytes().range(of: Data(canary.utf8)) == nil)
    }

    @Test(arguments: TestBackend.all)
    func pagesKeepTheFilterAndOtherWorkspacesSeeNothing(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign()
            for index in 0..<3 {
                _ = try await session.update(id, name: "n\(index)")
            }
            _ = try await session.createActiveCampaign(name: "Noise")
            let first = try await Self.events(session, "?destination_id=\(id)&per_page=3")
            #expect(first["pagination"]["total_records"].int == 4)
            let next = try #require(first["next"].string)
            #expect(next.hasSuffix("/api/v1/audit_events?page=2&per_page=3&destination_id=\(id)"))
            let second = try await Self.events(session, String(next[next.range(of: "?")!.lowerBound...]))
            #expect(second["data"].array?.map { $0["action"].string } == ["destination.created"])

            let stranger = try await session.otherWorkspaceToken()
            let theirs = try await Self.events(session, "?destination_id=\(id)", token: stranger)
            #expect(theirs["data"].array?.isEmpty == true)
            #expect(theirs["pagination"]["total_records"].int == 0)
            // Their workspace's and their own token's creations are all their workspace holds.
            #expect(
                try await Self.events(session, token: stranger)["data"].array?.map { $0["action"].string } == ["token.created", "workspace.created"]
            )

            let bad = try await session.request(.get, "/api/v1/audit_events?destination_id=abc")
            #expect(bad.status == .badRequest)
            #expect(String(buffer: bad.body).contains("destination_id"))
        }
    }

    @Test(arguments: TestBackend.all)
    func tokensIssuedAndRevokedAreRecorded(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let access = session.environment.access
            let workspace = try await access.authenticate(token: session.token).workspacePrincipal().workspaceID
            let issued = try await access.issueToken(workspace: workspace)
            let issuedID = try await access.authenticate(token: issued).workspacePrincipal().tokenID.rawValue
            #expect(try await access.revoke(token: issued))
            #expect(try await access.revoke(token: issued) == false)
            let events = try #require(try await Self.events(session)["data"].array)
            #expect(events.prefix(2).map { $0["action"].string } == ["token.revoked", "token.created"])
            #expect(events.prefix(2).allSatisfy { $0["subject_token_id"].int == issuedID && $0["token_id"].int == nil })
            #expect(!session.responseBodies.joined().contains(issued))
        }
    }
}
