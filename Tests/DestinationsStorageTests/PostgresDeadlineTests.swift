import DestinationsStorage
import Foundation
import Logging
import SQLKit
import TestSupport
import Testing

/// What a caller is told about a write past the PostgreSQL deadline is what the database holds.
@Suite("PostgreSQL deadline", .occupiesATestSlot, .enabled(if: TestBackend.postgresURL != nil, "set TEST_POSTGRES_URL to run the PostgreSQL suites"))
struct PostgresDeadlineTests {
    static let logger = Logger(label: "deadline-tests")

    /// A database with an empty `marks` table, through a client with a deadline of `deadline` and a patient one.
    static func withMarks(
        deadline: Duration,
        commitPatience: Duration = .seconds(30),
        _ body: (_ hasty: PostgresDatabase, _ patient: PostgresDatabase) async throws -> Void
    ) async throws {
        guard case .postgres(let location) = try await TestBackend.postgres.freshDatabase(in: FileManager.default.temporaryDirectory) else { return }
        let patient = PostgresDatabase(location: location, poolSize: 2, deadline: .seconds(60), logger: logger)
        let hasty = PostgresDatabase(location: location, poolSize: 2, deadline: deadline, commitPatience: commitPatience, logger: logger)
        try await patient.write { try await $0.raw("CREATE TABLE marks (id int PRIMARY KEY)").run() }
        try await body(hasty, patient)
        try await hasty.close()
        try await patient.close()
    }

    /// Inserts mark 1 through `patient`: true if it was new, false if a committed mark 1 was there. It waits
    /// for any transaction still holding mark 1 to end first.
    static func markOneWasFree(_ patient: PostgresDatabase) async throws -> Bool {
        try await patient.write { try await $0.raw("INSERT INTO marks VALUES (1) ON CONFLICT DO NOTHING RETURNING id").all().count == 1 }
    }

    @Test func aWriteStillOpenAtItsDeadlineIsAnsweredUnavailableAndRolledBack() async throws {
        // Long enough to connect under the other suites' load, mostly; if not, the answer is the same.
        try await Self.withMarks(deadline: .seconds(2)) { hasty, patient in
            await #expect(throws: DatabaseUnavailable.self) {
                try await hasty.write { database in
                    try await database.raw("INSERT INTO marks VALUES (1)").run()
                    // Held open until the deadline gives the caller up, which cancels this work.
                    let (never, _) = AsyncStream.makeStream(of: Void.self)
                    for await _ in never {}
                }
            }
            let free = try await Self.markOneWasFree(patient)
            #expect(free)
        }
    }

    /// Commits that take `seconds`: a deferred constraint trigger that sleeps.
    static func slowCommits(_ seconds: Int, through patient: PostgresDatabase) async throws {
        try await patient.write { database in
            try await database.raw(
                SQLQueryString(
                    "CREATE FUNCTION slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(\(unsafeRaw: String(seconds))); RETURN NULL; END $$"
                )
            ).run()
            try await database.raw(
                "CREATE CONSTRAINT TRIGGER slow AFTER INSERT ON marks DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION slow_commit()"
            ).run()
        }
    }

    @Test func aWriteCommittingAtItsDeadlineIsWaitedForAndAnsweredAsCommitted() async throws {
        try await Self.withMarks(deadline: .seconds(1)) { hasty, patient in
            try await Self.slowCommits(2, through: patient)
            let answered: Bool
            do {
                try await hasty.write { try await $0.raw("INSERT INTO marks VALUES (1)").run() }
                answered = true
            } catch is DatabaseUnavailable {
                answered = false
            }
            // Under load the insert itself may outlast the deadline; then it must not be there.
            let free = try await Self.markOneWasFree(patient)
            #expect(free != answered)
        }
    }

    @Test func aCommitThatOutlastsItsPatienceIsAnsweredAsPerhapsApplied() async throws {
        try await Self.withMarks(deadline: .milliseconds(500), commitPatience: .milliseconds(500)) { hasty, patient in
            try await Self.slowCommits(4, through: patient)
            let started = ContinuousClock.now
            do {
                try await hasty.write { try await $0.raw("INSERT INTO marks VALUES (1)").run() }
                Issue.record("a commit of 4 s was answered as done")
            } catch let error as DatabaseUnavailable {
                // Either the insert outlasted the deadline (rolled back) or the commit outlasted its patience.
                #expect(error.reason.contains("may have been applied") || error.reason.contains("no answer within"), "\(error.reason)")
            }
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test func aCancelledCallerIsNotHeldByADedicatedConnectionThatNeverReturns() async throws {
        try await Self.withMarks(deadline: .seconds(60)) { database, _ in
            let hold = DeafHold()
            let (entered, enter) = AsyncStream.makeStream(of: Void.self)
            let (ended, end) = AsyncStream.makeStream(of: (any Error)?.self)
            let caller = Task {
                do {
                    try await database.withDedicatedConnection { _ in
                        enter.yield()
                        await hold.wait()
                    }
                    end.yield(nil)
                } catch {
                    end.yield(error)
                }
            }
            for await _ in entered { break }
            caller.cancel()
            // Bounded, so that a caller still held fails the test instead of hanging the suite.
            let patience = Task {
                try? await Task.sleep(for: .seconds(30))
                end.finish()
            }
            var outcome: (any Error)??
            for await result in ended {
                outcome = result
                break
            }
            patience.cancel()
            #expect(outcome.flatMap { $0 } is CancellationError, "the cancelled caller ended with \(String(describing: outcome))")
            hold.release()
        }
    }
}
