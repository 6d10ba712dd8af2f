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

/// A DestinationStore in memory, faithful to the protocol's contract (workspace scoping, atomic update).
actor InMemoryDestinationStore: DestinationStore {
    private var rows: [DestinationID: (StoredDestination, [DestinationObject])] = [:]
    private var queuedWithInsert: [DestinationID: [NewJob]] = [:]
    private var nextID: Int64 = 1
    private(set) var audit: [AuditRecord] = []

    func initialJobs(_ id: DestinationID) -> [NewJob]? { queuedWithInsert[id] }

    func stored(workspace: WorkspaceID, id: DestinationID) async throws -> StoredDestination? {
        guard let (stored, _) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        return stored
    }

    var count: Int { rows.count }

    func stored(_ id: DestinationID) -> StoredDestination? { rows[id]?.0 }

    func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<Destination> {
        let all = rows.values.map(\.0.destination).filter { $0.workspaceID == workspace }.sorted { $0.id < $1.id }
        let ordered = request.order == .ascending ? all : all.reversed()
        guard let offset = request.offset(whenTotalIs: Int64(all.count)) else {
            return Page(items: [], request: request, totalRecords: Int64(all.count))
        }
        return Page(items: Array(ordered.dropFirst(Int(offset)).prefix(Int(request.perPage))), request: request, totalRecords: Int64(all.count))
    }

    func detail(workspace: WorkspaceID, id: DestinationID) async throws -> DestinationDetail? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        return DestinationDetail(destination: stored.destination, objects: objects)
    }

    func insert(_ new: NewDestination) async throws -> DestinationDetail {
        let id = DestinationID(nextID)
        nextID += 1
        let destination = Destination(
            id: id,
            workspaceID: new.workspaceID,
            type: new.type,
            name: new.name,
            connectionDetails: new.connectionDetails,
            createdAt: new.now,
            updatedAt: new.now
        )
        rows[id] = (StoredDestination(destination: destination, secrets: new.secrets), new.objects)
        queuedWithInsert[id] = new.initialJobs
        audit += new.audit.map {
            var record = $0
            record.destinationID = id
            return record
        }
        return DestinationDetail(destination: destination, objects: new.objects)
    }

    func update(
        workspace: WorkspaceID,
        id: DestinationID,
        audit: @escaping @Sendable (StoredDestination, StoredDestination) throws -> [AuditRecord],
        change: @escaping @Sendable (StoredDestination) throws -> StoredDestination
    ) async throws -> DestinationDetail? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        var next = try change(stored)
        if next != stored {
            next.destination.revision += 1
            self.audit += try audit(stored, next)
        }
        rows[id] = (next, objects)
        return DestinationDetail(destination: next.destination, objects: objects)
    }

    func objects(workspace: WorkspaceID, id: DestinationID, request: PageRequest) async throws -> Page<DestinationObject>? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        let ordered = request.order == .ascending ? objects : objects.reversed()
        let items = request.offset(whenTotalIs: Int64(objects.count)).map { Array(ordered.dropFirst(Int($0)).prefix(Int(request.perPage))) }
        return Page(items: items ?? [], request: request, totalRecords: Int64(objects.count))
    }

    /// Fields are a job's result, which this store never receives: every object has none.
    func object(workspace: WorkspaceID, id: DestinationID, fullName: String) async throws -> (DestinationObject, [ObjectField])? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace,
            let object = objects.first(where: { $0.fullName == fullName })
        else { return nil }
        return (object, [])
    }

    func delete(workspace: WorkspaceID, id: DestinationID, revision: Int64?, audit record: AuditRecord) async throws -> Bool {
        guard let (stored, _) = rows[id], stored.destination.workspaceID == workspace, revision.map({ $0 == stored.destination.revision }) ?? true
        else {
            return false
        }
        rows[id] = nil
        audit.append(record)
        return true
    }
}

/// A connector with a declaration and the default behaviour (its static catalogue).
struct StaticConnector: Connector {
    let declaration: ConnectorDeclaration

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        [ConnectionTestStep(step: "Nothing to call", status: .passed)]
    }
}

/// Records what the service queues after the fact (the jobs queued with an insert are the store's).
actor RecordingJobs: JobEnqueuing {
    private(set) var queued: [(kind: JobKind, destination: DestinationID)] = []

    func enqueue(_ job: NewJob, workspace: WorkspaceID, destination: DestinationID, now: Date) async throws -> JobID? {
        queued.append((job.kind, destination))
        return JobID(Int64(queued.count))
    }
}

final class CountingNotifier: JobNotifier, @unchecked Sendable {
    private let lock = NSLock()
    private var notified = 0

    var count: Int { lock.withLock { notified } }

    func jobQueued() { lock.withLock { notified += 1 } }
}

struct RefuseHost: HostPolicy {
    let host: String

    func refusal(for url: URL) async -> String? {
        url.host == host ? "refused" : nil
    }
}

/// A provider that accepts no code.
struct RefusingOAuth: OAuthCodeExchange {
    static let refusal = APIError.unprocessable("the provider refused the code")

    func exchange(
        code: String,
        state: String?,
        connector: ConnectorDeclaration,
        workspace: WorkspaceID,
        fields: [String: JSONValue]
    ) async throws -> OAuthGrant {
        throw Self.refusal
    }
}
