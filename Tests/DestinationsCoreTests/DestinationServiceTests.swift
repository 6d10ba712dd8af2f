import DestinationsCore
import Foundation
import Testing

/// The use cases without HTTP or SQL: an in-memory store stands in for the database.
@Suite struct DestinationServiceTests {
    let principal = Principal(workspaceID: WorkspaceID(1), tokenID: TokenID(1))
    let store = InMemoryDestinationStore()
    let notifications = CountingNotifier()
    let jobs = RecordingJobs()
    let key = EncryptionKey.generate().key
    var secretBox: AESGCMSecretBox { AESGCMSecretBox(current: key) }

    var service: DestinationService {
        DestinationService(
            store: store,
            connectors: ConnectorRegistry([
                StaticConnector(declaration: CredentialValidationTests.connector),
                StaticConnector(declaration: CredentialValidationTests.oauthConnector),
            ]),
            secretBox: secretBox,
            oauth: RefusingOAuth(),
            jobs: jobs,
            maxAttempts: 3,
            notifier: notifications,
            hostPolicy: RefuseHost(host: "10.0.0.1"),
            audit: AuditRecorder(secretBox: secretBox, fingerprinter: SecretFingerprinter(encryptionKey: key)),
            calls: ProviderCalls(http: UnreachableProviders(), baseURLOverrides: [:]),
            clock: SystemClock()
        )
    }

    @Test func createsWithStaticObjectsAndSealedSecrets() async throws {
        let detail = try await service.create(
            principal,
            DestinationCreation(type: "example", credentials: ["instance_url": "https://x.example.com", "api_key": "k"])
        )
        #expect(detail.destination.name == "Example")
        #expect(detail.destination.connectionDetails == ["instance_url": "https://x.example.com"])
        let stored = try #require(await store.stored(detail.destination.id))
        #expect(stored.secrets.ciphertext.range(of: Data("\"k\"".utf8)) == nil)
        #expect(
            await store.initialJobs(detail.destination.id) == [
                NewJob(kind: .refreshObjects, maxAttempts: 3), NewJob(kind: .connectionTest, maxAttempts: 3),
            ]
        )
        #expect(notifications.count == 1)
    }

    @Test func newCredentialsAreTestedAndARenameIsNot() async throws {
        let detail = try await service.create(
            principal,
            DestinationCreation(type: "example", credentials: ["instance_url": "https://x.example.com", "api_key": "k"])
        )
        let id = detail.destination.id
        _ = try await service.update(principal, id, DestinationChange(name: "Renamed"))
        #expect(await jobs.queued.isEmpty)
        _ = try await service.update(principal, id, DestinationChange(credentials: ["api_key": "k2"]))
        #expect(await jobs.queued.map(\.kind) == [.connectionTest])
        #expect(await jobs.queued.map(\.destination) == [id])
        #expect(notifications.count == 2)
    }

    @Test func objectsAreScopedAndAMissingObjectIsNamed() async throws {
        let detail = try await service.create(
            principal,
            DestinationCreation(type: "example", credentials: ["instance_url": "https://x.example.com", "api_key": "k"])
        )
        let id = detail.destination.id
        let page = try await service.objects(principal, id, try PageRequest(page: 1, perPage: 1, order: nil, defaultOrder: .ascending))
        #expect(page.items.map(\.fullName) == ["user"])
        #expect(page.totalRecords == 2)
        let (object, fields) = try await service.object(principal, id, fullName: "event")
        #expect(object.label == "Event")
        #expect(fields.isEmpty)
        do {
            _ = try await service.object(principal, id, fullName: "nope")
            Issue.record("found a missing object")
        } catch let error as APIError {
            #expect(error.kind == .notFound)
            #expect(error.message.contains("\"nope\""))
        }
        let stranger = Principal(workspaceID: WorkspaceID(2), tokenID: TokenID(2))
        await #expect(throws: APIError.destinationNotFound) { try await service.object(stranger, id, fullName: "event") }
        await #expect(throws: APIError.destinationNotFound) {
            try await service.objects(stranger, id, try PageRequest(page: 1, perPage: 1, order: nil))
        }
    }

    @Test func aRefusedCodeCreatesNothing() async throws {
        do {
            _ = try await service.create(principal, DestinationCreation(type: "oauthy", credentials: ["oauth_code": "c", "domain": "acme"]))
            Issue.record("created an OAuth destination without tokens")
        } catch let error as APIError {
            #expect(error == RefusingOAuth.refusal)
        }
        #expect(await store.count == 0)
    }

    @Test func aTopLevelTypeMustAgree() async throws {
        await #expect(throws: APIError.self) {
            try await service.create(
                principal,
                DestinationCreation(type: "example", topLevelType: "oauthy", credentials: ["instance_url": "https://x.example.com", "api_key": "k"])
            )
        }
        #expect(await store.count == 0)
    }

    @Test(arguments: ["", "   ", String(repeating: "n", count: 256), "tab\tname"])
    func badNamesAreRefused(_ name: String) async throws {
        await #expect(throws: APIError.self) {
            try await service.create(
                principal,
                DestinationCreation(type: "example", name: name, credentials: ["instance_url": "https://x.example.com", "api_key": "k"])
            )
        }
    }

    @Test func hostsThePolicyRefusesAreUnprocessable() async throws {
        do {
            _ = try await service.create(
                principal,
                DestinationCreation(type: "example", credentials: ["instance_url": "https://10.0.0.1/api", "api_key": "k"])
            )
            Issue.record("accepted a refused host")
        } catch let error as APIError {
            #expect(error.kind == .unprocessable)
            #expect(error.message.hasPrefix("credentials.instance_url"))
        }
        let detail = try await service.create(
            principal,
            DestinationCreation(type: "example", credentials: ["instance_url": "https://x.example.com", "api_key": "k"])
        )
        await #expect(throws: APIError.self) {
            try await service.update(principal, detail.destination.id, DestinationChange(credentials: ["instance_url": "http://10.0.0.1"]))
        }
        #expect(await store.stored(detail.destination.id)?.destination.connectionDetails["instance_url"] == "https://x.example.com")
    }

    @Test func anotherWorkspaceSeesNothing() async throws {
        let detail = try await service.create(
            principal,
            DestinationCreation(type: "example", credentials: ["instance_url": "https://x.example.com", "api_key": "k"])
        )
        let stranger = Principal(workspaceID: WorkspaceID(2), tokenID: TokenID(2))
        await #expect(throws: APIError.destinationNotFound) { try await service.get(stranger, detail.destination.id) }
        await #expect(throws: APIError.destinationNotFound) {
            try await service.update(stranger, detail.destination.id, DestinationChange(name: "x"))
        }
        await #expect(throws: APIError.destinationNotFound) { try await service.delete(stranger, detail.destination.id) }
        #expect(try await service.get(principal, detail.destination.id).destination.name == "Example")
    }

    @Test func changesAreAuditedByFieldNameWithAFingerprintOfTheSecrets() async throws {
        let canary = "canary-secret-7f3a"
        let id = try await service.create(
            principal,
            DestinationCreation(type: "example", credentials: ["instance_url": "https://x.example.com", "api_key": .string(canary)])
        ).destination.id
        _ = try await service.update(principal, id, DestinationChange(name: "Renamed"))
        _ = try await service.update(principal, id, DestinationChange(credentials: ["api_key": .string("another-\(canary)")]))
        // The same key again changes nothing, so records nothing.
        _ = try await service.update(principal, id, DestinationChange(credentials: ["api_key": .string("another-\(canary)")]))
        try await service.delete(principal, id)
        let records = await store.audit
        #expect(records.map(\.action) == [.destinationCreated, .destinationUpdated, .destinationUpdated, .destinationDeleted])
        #expect(records.allSatisfy { $0.destinationID == id && $0.actorTokenID == principal.tokenID && $0.workspaceID == principal.workspaceID })
        #expect(
            records.map(\.changedFields) == [["name", "credentials.api_key", "credentials.instance_url"], ["name"], ["credentials.api_key"], []]
        )
        let fingerprints = records.map(\.secretsFingerprint)
        #expect(fingerprints[0] == fingerprints[1], "a rename leaves the secrets' fingerprint alone")
        #expect(fingerprints[1] != fingerprints[2], "a new key changes it")
        #expect(fingerprints[3] == nil)
        #expect(!"\(records)".contains(canary))
    }
}
