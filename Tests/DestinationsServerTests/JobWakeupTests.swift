import Testing

@testable import DestinationsServer

/// The dispatcher's wake-ups: a burst of queued or finished jobs costs it one wake-up, and nothing is lost.
@Suite("Job wake-ups")
struct JobWakeupTests {
    @Test func finishesWhileAWakeUpWaitsAreTalliedIntoIt() async {
        let wakeup = JobWakeup()
        for _ in 0..<300 { wakeup.jobFinished(type: "braze") }
        wakeup.jobFinished(type: "hubspot")
        wakeup.send(.tick)
        var events = wakeup.events.makeAsyncIterator()
        #expect(await Self.isJobsFinished(events.next()))
        // One wake-up for the 301 finishes: the next event is the tick sent after them.
        #expect(await Self.isTick(events.next()))
        #expect(wakeup.takeFinished() == ["braze": 300, "hubspot": 1])
        #expect(wakeup.takeFinished().isEmpty)
        // Heard: the next finish wakes the dispatcher again.
        wakeup.jobFinished(type: "braze")
        #expect(await Self.isJobsFinished(events.next()))
        #expect(wakeup.takeFinished() == ["braze": 1])
    }

    @Test func queuedJobsWhileAWakeUpWaitsAddNone() async {
        let wakeup = JobWakeup()
        for _ in 0..<50 { wakeup.jobQueued() }
        wakeup.send(.tick)
        var events = wakeup.events.makeAsyncIterator()
        guard case .jobQueued = await events.next() else {
            Issue.record("expected a wake-up for queued jobs")
            return
        }
        #expect(await Self.isTick(events.next()))
        wakeup.heard()
        wakeup.jobQueued()
        guard case .jobQueued = await events.next() else {
            Issue.record("expected a second wake-up once heard")
            return
        }
    }

    private static func isJobsFinished(_ event: JobWakeup.Event?) -> Bool {
        if case .jobsFinished = event { return true }
        return false
    }

    private static func isTick(_ event: JobWakeup.Event?) -> Bool {
        if case .tick = event { return true }
        return false
    }
}
