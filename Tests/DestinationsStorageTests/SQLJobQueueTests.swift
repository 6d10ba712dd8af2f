import DestinationsCore
import DestinationsStorage
import Foundation
import TestSupport
import Testing

@Suite struct SQLJobQueueTests {
    static let refresh = NewJob(kind: .refreshObjects, maxAttempts: 3)
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// A destination to hang jobs on.
    static func destination(_ database: any Database) async throws -> (WorkspaceID, DestinationID) {
        let workspace = try await SQLDestinationStoreTests.workspace(database)
        let id = try await SQLDestinationStore(database: database).insert(SQLDestinationStoreTests.new(workspace, "d")).destination.id
        return (workspace, id)
    }

    @Test(arguments: TestBackend.all)
    func requestsWhileOneIsActiveShareIt(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            let first = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
            let second = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
            #expect(first != nil)
            #expect(first == second)
            // Still shared while it runs; a new one once it finished.
            let lease = try #require(try await queue.claim(worker: "w", now: Self.t0, leaseUntil: Self.t0 + 60))
            #expect(try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0) == first)
            #expect(try await queue.complete(lease, with: .objects([]), now: Self.t0))
            let third = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
            #expect(third != first)
        }
    }

    @Test(arguments: TestBackend.all)
    func concurrentRequestsShareOneJob(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            let keys = try await withThrowingTaskGroup(of: JobID?.self) { group in
                for _ in 0..<20 {
                    group.addTask { try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0) }
                }
                return try await group.reduce(into: Set<JobID?>()) { $0.insert($1) }
            }
            #expect(keys.count == 1)
        }
    }

    /// A job finishing while its destination is deleted: both lock the job and the destination, and on
    /// PostgreSQL the delete once took them in the other order (the destination, then its jobs by cascade),
    /// so the two deadlocked and one of them failed. Each must succeed, whichever goes first.
    @Test(arguments: TestBackend.all)
    func aJobFinishingAsItsDestinationIsDeletedDeadlocksNeither(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let store = SQLDestinationStore(database: database)
            var running: [(WorkspaceID, JobLease)] = []
            for _ in 0..<40 {
                let (workspace, destination) = try await Self.destination(database)
                _ = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
                running.append((workspace, try #require(try await queue.claim(worker: "w", now: Self.t0, leaseUntil: Self.t0 + 60))))
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for (workspace, lease) in running {
                    group.addTask { _ = try await queue.complete(lease, with: .objects([.standard("User", "user")]), now: Self.t0) }
                    group.addTask {
                        let id = lease.job.destinationID
                        let record = AuditRecord(
                            workspaceID: workspace,
                            actorTokenID: nil,
                            action: .destinationDeleted,
                            destinationID: id,
                            at: Self.t0
                        )
                        let deleted = try await store.delete(workspace: workspace, id: id, revision: nil, audit: record)
                        #expect(deleted)
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    /// On PostgreSQL the active job a request collides with can finish before the request looks it up;
    /// the request must then queue a new one, not fail.
    @Test(arguments: TestBackend.all)
    func requestsRacingJobsThatFinishAtOnceAllGetAKey(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for _ in 0..<100 {
                            if let lease = try await queue.claim(worker: "w\(worker)", now: Self.t0, leaseUntil: Self.t0 + 60) {
                                _ = try await queue.fail(lease, message: "refused", now: Self.t0)
                            }
                        }
                    }
                }
                for _ in 0..<8 {
                    group.addTask {
                        for _ in 0..<50 {
                            let key = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
                            #expect(key != nil)
                        }
                    }
                }
                try await group.waitForAll()
            }
        }
    }

    @Test(arguments: TestBackend.all)
    func anotherWorkspacesDestinationCannotBeQueuedOrSeen(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            let stranger = try await SQLDestinationStoreTests.workspace(database, "stranger")
            #expect(try await queue.enqueue(Self.refresh, workspace: stranger, destination: destination, now: Self.t0) == nil)
            let id = try #require(try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0))
            #expect(try await queue.job(id, workspace: stranger, destination: destination) == nil)
            #expect(try await queue.job(id, workspace: workspace, destination: DestinationID(destination.rawValue + 1)) == nil)
            #expect(try await queue.job(id, workspace: workspace, destination: destination)?.status == .queued)
        }
    }

    @Test(arguments: TestBackend.all)
    func eachJobIsClaimedByOneWorkerOnly(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            var queued: Set<JobID> = []
            for _ in 0..<10 {
                let (workspace, destination) = try await Self.destination(database)
                queued.insert(try #require(try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)))
            }
            let claims = try await withThrowingTaskGroup(of: [JobID].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var mine: [JobID] = []
                        while let lease = try await queue.claim(worker: "w\(worker)", now: Self.t0, leaseUntil: Self.t0 + 60) {
                            mine.append(lease.job.id)
                        }
                        return mine
                    }
                }
                return try await group.reduce(into: []) { $0 += $1 }
            }
            #expect(claims.count == 10)
            #expect(Set(claims) == queued)
        }
    }

    @Test(arguments: TestBackend.all)
    func aJobIsNotClaimedBeforeItIsDue(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            _ = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
            let lease = try #require(try await queue.claim(worker: "w", now: Self.t0, leaseUntil: Self.t0 + 60))
            #expect(try await queue.retry(lease, runAt: Self.t0 + 30, message: "HTTP 503", now: Self.t0))
            #expect(try await queue.claim(worker: "w", now: Self.t0 + 29, leaseUntil: Self.t0 + 90) == nil)
            let again = try #require(try await queue.claim(worker: "w", now: Self.t0 + 30, leaseUntil: Self.t0 + 90))
            #expect(again.job.attempts == 2)
            #expect(again.job.message == "HTTP 503")
        }
    }

    @Test(arguments: TestBackend.all)
    func anExpiredLeaseReturnsTheJobAndFencesOffTheOldWorker(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let store = SQLDestinationStore(database: database)
            let (workspace, destination) = try await Self.destination(database)
            _ = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
            let dead = try #require(try await queue.claim(worker: "dead", now: Self.t0, leaseUntil: Self.t0 + 60))
            #expect(try await queue.requeueExpired(now: Self.t0 + 59) == 0)
            #expect(try await queue.requeueExpired(now: Self.t0 + 61) == 1)
            let alive = try #require(try await queue.claim(worker: "alive", now: Self.t0 + 61, leaseUntil: Self.t0 + 121))
            #expect(alive.job.id == dead.job.id)
            // The worker presumed dead wakes up: its writes no longer count.
            #expect(try await queue.complete(dead, with: .objects([.standard("Stale", "stale")]), now: Self.t0 + 62) == false)
            #expect(try await queue.renew(dead, until: Self.t0 + 200) == false)
            #expect(try await queue.complete(alive, with: .objects([.standard("Fresh", "fresh")]), now: Self.t0 + 62))
            let objects = try await store.detail(workspace: workspace, id: destination)?.objects.map(\.fullName)
            #expect(objects == ["fresh"])
            #expect(try await queue.job(alive.job.id, workspace: workspace, destination: destination)?.status == .completed)
        }
    }

    @Test(arguments: TestBackend.all)
    func aJobOutOfAttemptsFailsWhenItsWorkerDies(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            let id = try #require(
                try await queue.enqueue(NewJob(kind: .refreshObjects, maxAttempts: 1), workspace: workspace, destination: destination, now: Self.t0)
            )
            _ = try await queue.claim(worker: "dead", now: Self.t0, leaseUntil: Self.t0 + 1)
            #expect(try await queue.requeueExpired(now: Self.t0 + 2) == 1)
            let job = try await queue.job(id, workspace: workspace, destination: destination)
            #expect(job?.status == .failed)
            #expect(job?.message?.contains("no attempts left") == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func aFailedRefreshLeavesTheObjectsAlone(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let store = SQLDestinationStore(database: database)
            let workspace = try await SQLDestinationStoreTests.workspace(database)
            let destination = try await store.insert(SQLDestinationStoreTests.new(workspace, "d", objects: [.standard("User", "user")])).destination
                .id
            _ = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
            let lease = try #require(try await queue.claim(worker: "w", now: Self.t0, leaseUntil: Self.t0 + 60))
            #expect(try await queue.fail(lease, message: "HTTP 401", now: Self.t0))
            #expect(try await store.detail(workspace: workspace, id: destination)?.objects.map(\.fullName) == ["user"])
            #expect(try await queue.job(lease.job.id, workspace: workspace, destination: destination)?.message == "HTTP 401")
        }
    }

    @Test(arguments: TestBackend.all)
    func aReleasedJobRunsAgainWithoutLosingAnAttempt(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            _ = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0)
            let lease = try #require(try await queue.claim(worker: "w", now: Self.t0, leaseUntil: Self.t0 + 60))
            #expect(try await queue.release(lease, now: Self.t0))
            let again = try #require(try await queue.claim(worker: "w2", now: Self.t0, leaseUntil: Self.t0 + 60))
            #expect(again.job.attempts == 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func deletingTheDestinationTakesItsJobs(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let (workspace, destination) = try await Self.destination(database)
            let id = try #require(try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0))
            let record = AuditRecord(workspaceID: workspace, actorTokenID: nil, action: .destinationDeleted, destinationID: destination, at: Self.t0)
            #expect(try await SQLDestinationStore(database: database).delete(workspace: workspace, id: destination, revision: nil, audit: record))
            #expect(try await queue.job(id, workspace: workspace, destination: destination) == nil)
            #expect(try await queue.claim(worker: "w", now: Self.t0, leaseUntil: Self.t0 + 60) == nil)
        }
    }

    @Test(arguments: TestBackend.all)
    func creatingADestinationQueuesItsFirstJobInTheSameTransaction(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLDestinationStore(database: database)
            let workspace = try await SQLDestinationStoreTests.workspace(database)
            var new = SQLDestinationStoreTests.new(workspace, "d")
            new.initialJobs = [Self.refresh]
            let id = try await store.insert(new).destination.id
            let lease = try #require(try await SQLJobQueue(database: database).claim(worker: "w", now: Date(), leaseUntil: Date() + 60))
            #expect(lease.job.destinationID == id)
            #expect(lease.job.kind == .refreshObjects)
        }
    }

    /// A provider that holds its share of workers keeps its jobs queued; the claim takes the next other.
    @Test(arguments: TestBackend.all)
    func aClaimSkipsTheTypesItIsToldTo(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let store = SQLDestinationStore(database: database)
            let workspace = try await SQLDestinationStoreTests.workspace(database)
            var braze = SQLDestinationStoreTests.new(workspace, "braze")
            braze.initialJobs = [Self.refresh]
            var hubspot = SQLDestinationStoreTests.new(workspace, "hubspot", at: 2_000)
            hubspot.type = "hubspot"
            let hubspotID = try await store.insert(hubspot).destination.id
            _ = try await store.insert(braze)
            // Queued after the braze one, through the other insert path.
            _ = try await queue.enqueue(Self.refresh, workspace: workspace, destination: hubspotID, now: Self.t0 + 1)
            func claim(_ byType: [String: Int]) async throws -> [String] {
                try await queue.claim(worker: "w", now: Self.t0 + 60, leaseUntil: Self.t0 + 120, room: ClaimRoom(total: 10, byType: byType))
                    .map(\.job.destinationType)
            }
            #expect(try await claim(["braze": 0]) == ["hubspot"])
            #expect(try await claim(["braze": 0]) == [])
            #expect(try await claim(["hubspot": 0]) == ["braze"])
        }
    }

    /// A burst of work is claimed a batch at a time, oldest first, each job once.
    @Test(arguments: TestBackend.all)
    func aBatchClaimTakesTheOldestDueJobsOnce(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let store = SQLDestinationStore(database: database)
            let workspace = try await SQLDestinationStoreTests.workspace(database)
            var queued: [JobID] = []
            for index in 0..<7 {
                let destination = try await store.insert(SQLDestinationStoreTests.new(workspace, "d\(index)")).destination.id
                queued.append(
                    try #require(try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0 + Double(index)))
                )
            }
            let claim = { (limit: Int) in
                try await queue.claim(worker: "w", now: Self.t0 + 60, leaseUntil: Self.t0 + 120, room: ClaimRoom(total: limit)).map(\.job.id)
            }
            #expect(try await claim(3) == Array(queued[0..<3]))
            #expect(try await claim(3) == Array(queued[3..<6]))
            #expect(try await claim(3) == [queued[6]])
            #expect(try await claim(3) == [])
        }
    }

    /// A batch takes no more of a type than the type has room for, and fills up with other types.
    @Test(arguments: TestBackend.all)
    func aBatchTakesEachTypeUpToItsRoom(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let queue = SQLJobQueue(database: database)
            let store = SQLDestinationStore(database: database)
            let workspace = try await SQLDestinationStoreTests.workspace(database)
            for (index, type) in ["braze", "braze", "braze", "hubspot", "braze", "hubspot"].enumerated() {
                var new = SQLDestinationStoreTests.new(workspace, "d\(index)", at: Double(index))
                new.type = type
                let destination = try await store.insert(new).destination.id
                _ = try await queue.enqueue(Self.refresh, workspace: workspace, destination: destination, now: Self.t0 + Double(index))
            }
            let claimed = try await queue.claim(
                worker: "w",
                now: Self.t0 + 60,
                leaseUntil: Self.t0 + 120,
                room: ClaimRoom(total: 4, byType: ["braze": 2])
            )
            #expect(claimed.map(\.job.destinationType) == ["braze", "braze", "hubspot", "hubspot"])
        }
    }
}
