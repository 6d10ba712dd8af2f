@testable import DestinationsServer
import Testing

@Suite("Running jobs by type")
struct RunningJobsTests {
    @Test func aTypeIsSaturatedAtItsLimitAndFreedBelowIt() {
        var running = RunningJobs(providerLimit: 2)
        running.started("braze")
        #expect(running.saturatedTypes.isEmpty)
        running.started("braze")
        running.started("hubspot")
        #expect(running.saturatedTypes == ["braze"])
        #expect(running.total == 3)
        running.finished("braze")
        #expect(running.saturatedTypes.isEmpty)
        running.started("braze")
        running.finished("hubspot")
        #expect(running.saturatedTypes == ["braze"])
        #expect(running.total == 2)
    }
}
