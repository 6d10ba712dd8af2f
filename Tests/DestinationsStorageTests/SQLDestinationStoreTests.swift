import DestinationsCore
import DestinationsStorage
import Foundation
import Logging
import SQLKit
import TestSupport
import Testing

@Suite struct SQLDestinationStoreTests {
    /// A new workspace; names are unique in an organisation, so each gets a fresh one unless named.
    static func workspace(_ database: any Database, _ name: String = "w \(UUID().uuidString)") async throws -> WorkspaceID {
        try await SQLWorkspaceStore(database: database).createWorkspace(
            organization: OrganizationID(1),
            name: name,
            notificationEmails: [],
            actor: nil,
            now: Date()
        ).id
    }

    static func new(_ workspace: WorkspaceID, _ name: String, at time: TimeInterval = 1_000, objects: [DestinationObject] = []) -> NewDestination {
        NewDestination(
            workspaceID: workspace,
            type: "braze",
            name: name,
            connectionDetails: ["instance_url": .string("https://rest.iad-03.braze.com")],
            secrets: SealedSecret(keyID: "k1", ciphertext: Data([1, 2, 3])),
            objects: objects,
            now: Date(timeIntervalSince1970: time)
        )
    }

    @Test(arguments: TestBackend.all)
    func insertsAndReadsBackWithObjectsInOrder(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await Self.workspace(database)
            let objects = [DestinationObject.standard("User", "user", caseSensitive: true), .standard("Event", "event", customFields: false)]
            let inserted = try await store.insert(Self.new(workspace, "Braze", objects: objects))
            let read = try #require(try await store.detail(workspace: workspace, id: inserted.destination.id))
            #expect(read == inserted)
            #expect(read.objects == objects)
        }
    }

    @Test(arguments: TestBackend.all)
    func pagesInCreationOrderWithTiesBrokenById(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await Self.workspace(database)
            let other = try await Self.workspace(database, "other")
            var ids: [DestinationID] = []
            // Two share a timestamp; one is created later with an earlier time.
            for (name, time) in [("a", 10.0), ("b", 20.0), ("c", 20.0), ("d", 5.0)] {
                ids.append(try await store.insert(Self.new(workspace, name, at: time)).destination.id)
            }
            _ = try await store.insert(Self.new(other, "foreign"))
            let ascending = try await store.page(workspace: workspace, request: PageRequest(page: 1, perPage: 10, order: .ascending))
            #expect(ascending.items.map(\.name) == ["d", "a", "b", "c"])
            #expect(ascending.totalRecords == 4)
            let descending = try await store.page(workspace: workspace, request: PageRequest(page: 1, perPage: 3, order: nil))
            #expect(descending.items.map(\.name) == ["c", "b", "a"])
            let second = try await store.page(workspace: workspace, request: PageRequest(page: 2, perPage: 3, order: nil))
            #expect(second.items.map(\.name) == ["d"])
            let past = try await store.page(workspace: workspace, request: PageRequest(page: 3, perPage: 3, order: nil))
            #expect(past.items.isEmpty)
            #expect(past.totalRecords == 4)
        }
    }

    @Test(arguments: TestBackend.all)
    func everyPageIsItsSliceOfTheWholeOrderWhicheverEndItIsReadFrom(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await Self.workspace(database)
            var ids: [DestinationID] = []
            for (index, time) in [3.0, 1, 2, 2, 5, 4, 2].enumerated() {
                ids.append(try await store.insert(Self.new(workspace, "d\(index)", at: time)).destination.id)
            }
            // Deleted destinations leave the count too.
            let record = AuditRecord(workspaceID: workspace, actorTokenID: nil, action: .destinationDeleted, destinationID: ids[4], at: Date())
            #expect(try await store.delete(workspace: workspace, id: ids[4], revision: nil, audit: record))
            let whole = ["d1", "d2", "d3", "d6", "d0", "d5"]
            for order in SortOrder.allCases {
                let expected = order == .ascending ? whole : whole.reversed()
                for perPage in Int64(1)...7 {
                    for page in Int64(1)...Int64(whole.count + 1) {
                        let read = try await store.page(workspace: workspace, request: PageRequest(page: page, perPage: perPage, order: order))
                        let start = Int((page - 1) * perPage)
                        let slice = start < expected.count ? Array(expected[start..<min(start + Int(perPage), expected.count)]) : []
                        #expect(read.items.map(\.name) == slice, "page \(page) of \(perPage), \(order)")
                        #expect(read.totalRecords == Int64(whole.count))
                    }
                }
            }
        }
    }

    @Test(arguments: TestBackend.all)
    func aThrowingUpdateWritesNothing(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await Self.workspace(database)
            let inserted = try await store.insert(Self.new(workspace, "before"))
            struct Refused: Error {}
            await #expect(throws: Refused.self) {
                try await store.update(workspace: workspace, id: inserted.destination.id, audit: Self.audited(workspace)) { stored in
                    _ = stored
                    throw Refused()
                }
            }
            // Nor when recording it fails: the change and its record stand or fall together.
            await #expect(throws: Refused.self) {
                try await store.update(workspace: workspace, id: inserted.destination.id, audit: { _, _ in throw Refused() }) { stored in
                    var next = stored
                    next.destination.name = "after"
                    return next
                }
            }
            #expect(try await store.detail(workspace: workspace, id: inserted.destination.id)?.destination.name == "before")
            #expect(try await Self.auditActions(database) == [])
        }
    }

    @Test(arguments: TestBackend.all)
    func concurrentUpdatesDoNotLoseEachOther(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await Self.workspace(database)
            let id = try await store.insert(Self.new(workspace, "counter")).destination.id
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        _ = try await store.update(workspace: workspace, id: id, audit: Self.audited(workspace)) { stored in
                            var next = stored
                            let count = Int(next.destination.connectionDetails["count"]?.stringValue ?? "0")!
                            next.destination.connectionDetails["count"] = .string(String(count + 1))
                            return next
                        }
                    }
                }
                try await group.waitForAll()
            }
            let final = try await store.detail(workspace: workspace, id: id)
            #expect(final?.destination.connectionDetails["count"] == .string("20"))
            #expect(try await Self.auditActions(database) == Array(repeating: AuditAction.destinationUpdated.rawValue, count: 20))
        }
    }

    @Test(arguments: TestBackend.all)
    func deleteIsScopedToTheWorkspaceAndTakesTheObjects(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await Self.workspace(database)
            let other = try await Self.workspace(database, "other")
            let id = try await store.insert(Self.new(workspace, "x", objects: [.standard("User", "user")])).destination.id
            let record = AuditRecord(workspaceID: workspace, actorTokenID: nil, action: .destinationDeleted, destinationID: id, at: Date())
            #expect(try await store.delete(workspace: other, id: id, revision: nil, audit: record) == false)
            // Only the revision named, when one is.
            #expect(try await store.delete(workspace: workspace, id: id, revision: 2, audit: record) == false)
            #expect(try await store.delete(workspace: workspace, id: id, revision: 1, audit: record))
            #expect(try await store.delete(workspace: workspace, id: id, revision: nil, audit: record) == false)
            // Recorded once: with the delete that happened.
            #expect(try await Self.auditActions(database) == [AuditAction.destinationDeleted.rawValue])
            let orphans = try await database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM destination_objects").first(decodingColumn: "n", as: Int.self)
            }
            #expect(orphans == 0)
        }
    }

    @Test(arguments: TestBackend.all)
    func readsDoNotWaitForAnOpenWriteTransaction(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await Self.workspace(database)
            _ = try await store.insert(Self.new(workspace, "visible"))
            let (writeOpen, writeOpened) = AsyncStream.makeStream(of: Void.self)
            let (readDone, readFinished) = AsyncStream.makeStream(of: Void.self)
            async let writer: Void = database.write { db in
                try await db.raw("INSERT INTO workspaces (name, created_at) VALUES ('pending', 0)").run()
                writeOpened.yield()
                // Hold the transaction until the read has completed: with one shared connection this deadlocks.
                for await _ in readDone { break }
            }
            for await _ in writeOpen { break }
            let page = try await store.page(workspace: workspace, request: PageRequest(page: nil, perPage: nil, order: nil))
            readFinished.yield()
            try await writer
            #expect(page.items.map(\.name) == ["visible"])
        }
    }

    static func audited(_ workspace: WorkspaceID) -> @Sendable (StoredDestination, StoredDestination) throws -> [AuditRecord] {
        { _, after in
            [AuditRecord(workspaceID: workspace, actorTokenID: nil, action: .destinationUpdated, destinationID: after.destination.id, at: Date())]
        }
    }

    static func auditActions(_ database: any Database) async throws -> [String] {
        try await database.read { db in
            try await db.raw("SELECT action FROM audit_events WHERE destination_id IS NOT NULL ORDER BY id").all(
                decodingColumn: "action",
                as: String.self
            )
        }
    }
}
