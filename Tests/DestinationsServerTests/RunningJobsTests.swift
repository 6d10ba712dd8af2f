import DestinationsCore
import Testing

@testable import DestinationsServer

@Suite("Running jobs by type")
struct RunningJobsTests {
    @Test func roomIsTheBatchBoundedByWhatIsFreeInAllAndForEachType() {
        var running = RunningJobs(providerLimit: 3)
        #expect(running.room(concurrency: 8, batch: 5) == ClaimRoom(total: 5, byType: [:], otherTypes: 3))
        running.started("braze")
        running.started("braze")
        running.started("hubspot")
        #expect(running.room(concurrency: 8, batch: 5) == ClaimRoom(total: 5, byType: ["braze": 1, "hubspot": 2], otherTypes: 3))
        #expect(!running.isFull("braze"))
        running.started("braze")
        #expect(running.isFull("braze"))
        #expect(running.room(concurrency: 8, batch: 5) == ClaimRoom(total: 4, byType: ["braze": 0, "hubspot": 2], otherTypes: 3))
        running.finished("braze")
        running.finished("hubspot")
        #expect(running.total == 2)
        #expect(running.room(concurrency: 2, batch: 5).total == 0)
    }

    @Test func placesFreedTogetherAreFreedAtOnce() {
        var running = RunningJobs(providerLimit: 4)
        for _ in 0..<4 { running.started("braze") }
        #expect(running.isFull("braze"))
        running.finished("braze", count: 3)
        #expect(running.total == 1)
        #expect(running.room(concurrency: 8, batch: 8) == ClaimRoom(total: 7, byType: ["braze": 3], otherTypes: 4))
    }
}
