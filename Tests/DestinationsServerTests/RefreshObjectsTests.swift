import CryptoExtras
import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

@Suite("refresh_objects against the providers")
struct RefreshObjectsTests {
    @Test(arguments: TestBackend.all)
    func creatingADestinationRefreshesItsObjectsByItself(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs(["restaurants"])
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            let job = try await session.firstJob(of: id)
            #expect(try await session.settled(job, in: outcomes) == .completed)
            #expect(
                try await session.objectNames(id) == ["user", "event", "purchase", "subscription_group_membership", "cohort", "catalog:restaurants"]
            )
            let status = try await session.request(.get, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=\(job)")
            #expect(String(buffer: status.body) == #"{"status":"completed"}"#)
        }
    }

    @Test(arguments: TestBackend.all)
    func aRefreshAnswersAKeyAtOnceAndCompletes(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.activeCampaignSchemas(["transactions"])
            let outcomes = session.jobOutcomes()
            let create = try await session.create(
                type: "active_campaign",
                credentials: ["api_token": "t", "instance_url": "\(session.fake.baseURL.absoluteString)"]
            )
            let id = try #require(try create.json()["data"]["id"].int)
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            session.fake.activeCampaignSchemas(["transactions", "rentals"])
            let key = try await session.refresh(id)
            #expect(try await session.settled(key, in: outcomes) == .completed)
            #expect(try await session.objectNames(id) == ["contact", "account", "transactions", "rentals"])
        }
    }

    @Test(arguments: TestBackend.all)
    func oauthConnectorsRefreshWithTheirStoredToken(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.hubspotSchemas([("cars", "Car")])
            session.fake.salesforceSObjects([("Account", "Account", true, true), ("Log", "Log", false, false)])
            session.fake.zendeskCustomObjects([("car", "Car")])
            let outcomes = session.jobOutcomes()
            let hubspot = try await session.insertDestination(type: "hubspot", details: [:], secrets: ["access_token": "hs"])
            let salesforce = try await session.insertDestination(
                type: "salesforce",
                details: ["instance_url": .string(session.fake.baseURL.absoluteString)],
                secrets: ["access_token": "sf"]
            )
            let zendesk = try await session.insertDestination(type: "zendesk", details: ["domain": "acme"], secrets: ["access_token": "zd"])
            for id in [hubspot, salesforce, zendesk] {
                #expect(try await session.settled(try await session.refresh(id), in: outcomes) == .completed)
            }
            #expect(try await session.objectNames(hubspot).last == "p1234_cars")
            #expect(try await session.objectNames(salesforce) == ["Account"])
            #expect(try await session.objectNames(zendesk) == ["user", "organization", "ticket", "car"])
            #expect(session.fake.calls("GET", "/crm/v3/schemas").first?.header("authorization") == "Bearer hs")
        }
    }

    @Test(arguments: TestBackend.all)
    func googleSheetsRefreshesItsTabs(_ backend: TestBackend) async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        try await TestServer(backend).run { session in
            session.fake.googleSheets(spreadsheet: "sheet-9", tabs: ["Leads", "Churned"])
            let outcomes = session.jobOutcomes()
            let pem = key.pemRepresentation.replacingOccurrences(of: "\n", with: "\\n")
            let create = try await session.create(
                type: "google_sheets",
                credentials: ["service_account_email": "s@p.iam.gserviceaccount.com", "private_key": "\(pem)", "spreadsheet_id": "sheet-9"]
            )
            let id = try #require(try create.json()["data"]["id"].int)
            #expect(try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed)
            #expect(try await session.objectNames(id) == ["Leads", "Churned"])
            #expect(try create.json()["data"]["connection_details"].object?.keys.sorted() == ["service_account_email", "spreadsheet_id"])
        }
    }

    @Test(arguments: TestBackend.all)
    func concurrentRefreshesShareOneJobAndOneProviderCall(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs([])
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            let before = session.fake.calls("GET", "/catalogs").count
            session.fake.on(
                "GET",
                "/catalogs",
                replies: [FakeProvider.Reply(body: #"{"catalogs": [], "message": "success"}"#, delay: .milliseconds(300))]
            )
            let keys = try await withThrowingTaskGroup(of: Int64.self) { group in
                for _ in 0..<5 { group.addTask { try await session.refresh(id) } }
                return try await group.reduce(into: Set<Int64>()) { $0.insert($1) }
            }
            #expect(keys.count == 1)
            #expect(try await session.settled(keys.first!, in: outcomes) == .completed)
            #expect(session.fake.calls("GET", "/catalogs").count == before + 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func aProviderErrorIsRetriedThenCompletes(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on(
                "GET",
                "/catalogs",
                replies: [
                    .json(#"{"message": "internal"}"#, status: 500),
                    .json(#"{"message": "slow down"}"#, status: 429, headers: ["Retry-After": "0"]),
                    .json(#"{"catalogs": [{"name": "menu"}], "message": "success"}"#),
                ]
            )
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            #expect(try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed)
            #expect(session.fake.calls("GET", "/catalogs").count == 3)
            #expect(try await session.objectNames(id).last == "catalog:menu")
        }
    }

    @Test(arguments: TestBackend.all)
    func badCredentialsFailAtOnceWithTheProvidersWords(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", "/catalogs", replies: [.json(#"{"message": "Unknown or missing REST API Key"}"#, status: 401)])
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            let job = try await session.firstJob(of: id)
            guard case .failed(let message) = try await session.settled(job, in: outcomes) else {
                Issue.record("did not fail")
                return
            }
            #expect(message.contains("Unknown or missing REST API Key"))
            #expect(session.fake.calls("GET", "/catalogs").count == 1)
            let status = try await session.request(.get, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=\(job)").json()
            #expect(status["status"].string == "failed")
            #expect(status["message"].string == message)
        }
    }

    @Test(arguments: TestBackend.all)
    func aProviderThatNeverAnswersFailsAfterTheLastAttempt(_ backend: TestBackend) async throws {
        let server = try TestServer(
            backend,
            jobs: JobSettings(pollInterval: 0.05, leaseDuration: 60, retry: RetryPolicy(maxAttempts: 2, baseDelay: 0.01))
        )
        // A timeout long enough for a loaded machine to deliver each request (1 s was not, once in a few runs of
        // every suite at once), well short of the reply.
        try await server.run(
            configure: { settings, _ in settings.outboundTimeout = 2.5 },
            body: { session in
                session.fake.on("GET", "/catalogs", replies: [FakeProvider.Reply(body: "{}", delay: .seconds(6))])
                let outcomes = session.jobOutcomes()
                let id = try await session.createBraze()
                guard case .failed(let message) = try await session.settled(try await session.firstJob(of: id), in: outcomes) else {
                    Issue.record("did not fail")
                    return
                }
                #expect(message.contains("did not answer"))
                #expect(message.contains("gave up after 2 attempts"))
                #expect(session.fake.calls("GET", "/catalogs").count == 2)
            }
        )
    }

    @Test(arguments: TestBackend.all)
    func aFailedRefreshKeepsThePreviousObjects(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs(["menu"])
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            let before = try await session.objectNames(id)
            #expect(before.last == "catalog:menu")
            session.fake.on("GET", "/catalogs", replies: [.json(#"{"message": "revoked"}"#, status: 403)])
            guard case .failed = try await session.settled(try await session.refresh(id), in: outcomes) else {
                Issue.record("did not fail")
                return
            }
            #expect(try await session.objectNames(id) == before)
        }
    }

    @Test(arguments: TestBackend.all)
    func aJobWhoseWorkerDiedIsFinishedByAnother(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs(["menu"])
            let outcomes = session.jobOutcomes()
            let id = try await session.insertDestination(
                type: "braze",
                details: ["instance_url": .string(session.fake.baseURL.absoluteString)],
                secrets: ["api_key": "k"]
            )
            let principal = try await session.environment.access.authenticate(token: session.token).workspacePrincipal()
            // What a worker killed mid-job leaves behind: the job running, its lease run out.
            let expired = Date().addingTimeInterval(-1).timeIntervalSince1970 * 1000
            let key = try #require(
                try await session.environment.database.write { db in
                    try await db.raw(
                        """
                        INSERT INTO jobs (kind, workspace_id, destination_id, status, attempts, max_attempts, run_at, locked_by, locked_until, created_at, started_at)
                        VALUES ('refresh_objects', \(bind: principal.workspaceID.rawValue), \(bind: id), 'running', 1, 3, 0, 'dead', \(bind: Int64(expired)), 0, 0)
                        RETURNING id
                        """
                    ).first(decodingColumn: "id", as: Int64.self)
                }
            )
            let processing = try await session.request(.get, "/api/v1/destinations/\(id)/refresh_objects_status?refresh_key=\(key)").json()
            #expect(processing["status"].string == "processing")
            // The reaper's pass, as a worker runs it every half lease.
            #expect(try await session.environment.jobQueue.requeueExpired(now: Date()) == 1)
            session.environment.wakeup.jobQueued()
            #expect(try await session.settled(key, in: outcomes) == .completed)
            #expect(try await session.objectNames(id).last == "catalog:menu")
            // The dead worker's late result is refused.
            let job = try #require(
                try await session.environment.jobQueue.job(JobID(key), workspace: principal.workspaceID, destination: DestinationID(id))
            )
            #expect(try await session.environment.jobQueue.complete(JobLease(job: job, worker: "dead"), with: .objects([]), now: Date()) == false)
            #expect(try await session.objectNames(id).last == "catalog:menu")
        }
    }

    @Test(arguments: TestBackend.all)
    func statusOfUnknownForeignOrMissingKeys(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs([])
            let outcomes = session.jobOutcomes()
            let first = try await session.createBraze()
            let second = try await session.createBraze()
            let key = try await session.firstJob(of: first)
            _ = try await session.settled(key, in: outcomes)
            let unknown = try await session.request(.get, "/api/v1/destinations/\(first)/refresh_objects_status?refresh_key=999999")
            #expect(unknown.status == .notFound)
            #expect(try unknown.json()["status"].int == 404)
            let otherDestination = try await session.request(.get, "/api/v1/destinations/\(second)/refresh_objects_status?refresh_key=\(key)")
            #expect(otherDestination.status == .notFound)
            let missing = try await session.request(.get, "/api/v1/destinations/\(first)/refresh_objects_status")
            #expect(missing.status == .badRequest)
            #expect(try missing.json()["message"].string?.contains("refresh_key") == true)
            let garbage = try await session.request(.get, "/api/v1/destinations/\(first)/refresh_objects_status?refresh_key=abc")
            #expect(garbage.status == .badRequest)
            let stranger: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            let foreign = try await session.request(
                .get,
                "/api/v1/destinations/\(first)/refresh_objects_status?refresh_key=\(key)",
                headers: stranger
            )
            #expect(foreign.status == .notFound)
            // Exactly what a key never issued answers.
            #expect(try foreign.json() == otherDestination.json())
            let foreignRefresh = try await session.request(.post, "/api/v1/destinations/\(first)/refresh_objects", headers: stranger)
            #expect(foreignRefresh.status == .notFound)
            #expect(try await session.request(.post, "/api/v1/destinations/424242/refresh_objects").status == .notFound)
        }
    }

    @Test(arguments: TestBackend.all)
    func refreshAcceptsTheTerraformProvidersEmptyObject(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.brazeCatalogs([])
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            let response = try await session.request(.post, "/api/v1/destinations/\(id)/refresh_objects", json: "{}")
            #expect(response.status == .ok)
            #expect(try response.json()["refresh_key"].int != nil)
        }
    }
}

@Suite("The outbound guard at create and update time")
struct OutboundGuardAtCreateTests {
    @Test(arguments: TestBackend.all, ["http://127.0.0.1:8080", "http://10.0.0.1", "http://169.254.169.254/latest/meta-data", "http://[::1]:9000"])
    func privateInstanceURLsAreRefused(_ backend: TestBackend, _ url: String) async throws {
        try await TestServer(backend).run(
            configure: { settings, _ in settings.allowPrivateNetworks = false },
            body: { session in
                let before = try await DatabaseSnapshot.take(session)
                let response = try await session.create(type: "braze", credentials: ["api_key": "k", "instance_url": "\(url)"])
                #expect(response.status == .unprocessableContent)
                let message = try response.json()["message"].string ?? ""
                #expect(message.contains("credentials.instance_url"))
                #expect(message.contains("Refusing to call"))
                #expect(try await DatabaseSnapshot.take(session) == before)
            }
        )
    }

    @Test(arguments: TestBackend.all)
    func anUpdateToAPrivateURLIsRefusedAndChangesNothing(_ backend: TestBackend) async throws {
        try await TestServer(backend).run(
            configure: { settings, _ in settings.allowPrivateNetworks = false },
            body: { session in
                let id = try await session.createBraze(instanceURL: "https://rest.braze.test")
                let before = try await DatabaseSnapshot.take(session)
                let response = try await session.update(id, credentials: ["instance_url": "http://10.1.2.3"])
                #expect(response.status == .unprocessableContent)
                #expect(try await DatabaseSnapshot.take(session) == before)
            }
        )
    }
}
