import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

/// No secret credential reaches a response, a log line, or the database file in plaintext.
@Suite("Secrets")
struct SecretsTests {
    static let canaries = [
        "CANARY-api-token-6c1f9e", "CANARY-rotated-token-0b77d2", "CANARY-braze-key-93ad51",
        "CANARY-import-key-e5f208", "CANARY-private-key-4fd1aa", "CANARY-oauth-code-77e0c3",
    ]

    @Test(arguments: TestBackend.all)
    func canariesNeverLeave(_ backend: TestBackend) async throws {
        let server = try TestServer(backend)
        let bodies = try await server.run { session in
            let ac = try await session.createActiveCampaign(token: Self.canaries[0])
            try await session.update(ac, credentials: ["api_token": "\(Self.canaries[1])"])
            try await session.create(
                type: "braze",
                credentials: [
                    "api_key": "\(Self.canaries[2])", "data_import_key": "\(Self.canaries[3])",
                    "instance_url": "\(session.fake.baseURL.absoluteString)",
                ]
            )
            try await session.create(
                type: "google_sheets",
                credentials: [
                    "service_account_email": "a@b.iam.gserviceaccount.com", "private_key": "\(Self.canaries[4])", "spreadsheet_id": "sheet",
                ]
            )
            // Error paths: a rejected OAuth code, an unknown field next to a secret, a wrong type.
            try await session.create(type: "hubspot", credentials: ["oauth_code": "\(Self.canaries[5])"])
            try await session.create(type: "braze", credentials: ["api_key": "\(Self.canaries[2])", "bogus": "\(Self.canaries[2])"])
            try await session.request(
                .post,
                "/api/v1/destinations",
                json: #"{"service_connection": {"type": "active_campaign", "credentials": {"api_token": ["\#(Self.canaries[0])"]}}}"#
            )
            try await session.update(ac, credentials: ["api_token": "\(Self.canaries[1])", "instance_url": "bad"])
            try await session.request(
                .post,
                "/api/v1/destinations",
                json: #"{"service_connection": {"type": "braze", "credentials": {"api_key": "\#(Self.canaries[2])""#
            )
            try await session.request(.get, "/api/v1/destinations")
            try await session.request(.get, "/api/v1/destinations/\(ac)")
            return session.responseBodies
        }
        #expect(bodies.count == 11)
        let logs = server.logs.all
        #expect(!logs.isEmpty)
        let databaseBytes = try await server.databaseBytes()
        for canary in Self.canaries {
            #expect(!bodies.contains { $0.contains(canary) }, "\(canary) in a response")
            #expect(!logs.contains { $0.contains(canary) }, "\(canary) in the logs")
            #expect(databaseBytes.range(of: Data(canary.utf8)) == nil, "\(canary) in the database file")
        }
    }

    @Test(arguments: TestBackend.all)
    func storedSecretsAreSealedWithTheConfiguredKey(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign(token: "sealed-secret")
            let row = try #require(try await DatabaseSnapshot.take(session).first { $0.hasPrefix("destinations: \(id) |") })
            let key = try EncryptionKey(base64: try session.environment.settings.encryptionBase64())
            #expect(row.contains(key.id))
            #expect(try await StoredCredentials.read(session, id: id) == ["api_token": .string("sealed-secret")])
        }
    }

    @Test(arguments: TestBackend.all)
    func aProviderEchoingTheKeyLeaksNothingThroughRefreshes(_ backend: TestBackend) async throws {
        let canary = "CANARY-echoed-by-provider-2b9c1d"
        let server = try TestServer(backend)
        let bodies = try await server.run { session in
            session.fake.on("GET", "/catalogs", replies: [.json(#"{"message": "Invalid API key \#(canary)"}"#, status: 401)])
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze(key: canary)
            let job = try await session.firstJob(of: id)
            _ = try await session.settled(job, in: outcomes)
            try await session.request(.get, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=\(job)")
            let again = try await session.refresh(id)
            _ = try await session.settled(again, in: outcomes)
            try await session.request(.get, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=\(again)")
            // The provider did receive the key: it is the credential.
            #expect(session.fake.calls("GET", "/catalogs").first?.header("authorization") == "Bearer \(canary)")
            return session.responseBodies
        }
        #expect(bodies.contains { $0.contains("[redacted]") })
        #expect(!bodies.contains { $0.contains(canary) })
        #expect(!server.logs.all.contains { $0.contains(canary) })
        #expect(try await server.databaseBytes().range(of: Data(canary.utf8)) == nil)
    }
}
