import DestinationsCore
import Foundation
import SQLKit

public struct SQLJobQueue: JobQueue {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    static let columns = [
        "id", "kind", "workspace_id", "destination_id", "destination_type", "payload", "status", "attempts", "max_attempts", "run_at",
        "message", "result", "created_at", "started_at", "finished_at",
    ]

    /// Most requests find no job of their kind active: for them one statement inserts the job, checking on
    /// the way that the destination is the workspace's (a burst of refreshes holds SQLite's single writer a
    /// quarter as long as with a transaction). The others, and a destination that is not there, take the
    /// transaction that tells them apart.
    public func enqueue(_ job: NewJob, workspace: WorkspaceID, destination: DestinationID, now: Date) async throws -> JobID? {
        let dialect = database.dialect
        let inserted = try await database.writeStatement { db in
            try await Self.insertReturningID(
                job,
                workspace: workspace,
                destination: destination,
                now: now,
                onConflict: "DO NOTHING",
                dialect: dialect,
                in: db
            )
        }
        if let inserted { return inserted }
        return try await database.write { db in
            guard
                try await db.select().column("id").from("destinations")
                    .where("id", .equal, destination.rawValue).where("workspace_id", .equal, workspace.rawValue)
                    .first() != nil
            else { return nil }
            return try await Self.activeOrInserted(job, workspace: workspace, destination: destination, now: now, dialect: dialect, in: db)
        }
    }

    /// The active job of the same kind for the destination, or a new one. The unique partial index settles
    /// races: the loser of a concurrent insert finds the winner's job. On PostgreSQL each statement reads a
    /// snapshot of its own, so the winner's job can finish between the two: then an upsert, which locks the
    /// active row it collides with or inserts, answers in one statement. It is not the first try because it
    /// writes the active row even when it only finds it.
    private static func activeOrInserted(
        _ job: NewJob,
        workspace: WorkspaceID,
        destination: DestinationID,
        now: Date,
        dialect: SchemaDialect,
        in db: any SQLDatabase
    ) async throws -> JobID {
        let active = try await db.select().column("id").from("jobs")
            .where("destination_id", .equal, destination.rawValue)
            .where("kind", .equal, job.kind.rawValue)
            .where("payload", .equal, job.payload)
            .where("status", .in, [JobStatus.queued.rawValue, JobStatus.running.rawValue])
            .first(decodingColumn: "id", as: Int64.self)
        if let active { return JobID(active) }
        let upsert = "DO UPDATE SET payload = excluded.payload"
        guard
            let settled = try await insertReturningID(
                job,
                workspace: workspace,
                destination: destination,
                now: now,
                onConflict: upsert,
                dialect: dialect,
                in: db
            )
        else { throw StorageError.missingGeneratedID }
        return settled
    }

    /// Inserts the job for the workspace's destination, wakes the workers, and returns its id; nil when the
    /// destination is not the workspace's or, with `DO NOTHING`, when a job of the kind is active. (Inserted
    /// or found, the upsert cannot tell which: a spare wake-up costs the workers one empty claim.)
    private static func insertReturningID(
        _ job: NewJob,
        workspace: WorkspaceID,
        destination: DestinationID,
        now: Date,
        onConflict action: String,
        dialect: SchemaDialect,
        in db: any SQLDatabase
    ) async throws -> JobID? {
        let now = now.millisecondsSince1970
        // SQLite reads ON CONFLICT after a SELECT as a join's unless the SELECT has a WHERE, which it has.
        let id = try await db.raw(
            """
            INSERT INTO jobs (kind, workspace_id, destination_id, destination_type, payload, status, attempts, max_attempts, run_at, created_at)
            SELECT \(bind: job.kind.rawValue), workspace_id, id, type, \(bind: job.payload), 'queued', 0, \(bind: job.maxAttempts), \(bind: now), \(bind: now)
            FROM destinations WHERE id = \(bind: destination.rawValue) AND workspace_id = \(bind: workspace.rawValue)
            ON CONFLICT (destination_id, kind, payload) WHERE status IN ('queued', 'running') \(unsafeRaw: action)
            RETURNING id
            """
        ).first(decodingColumn: "id", as: Int64.self)
        guard let id else { return nil }
        try await notifyWorkers(dialect: dialect, in: db)
        return JobID(id)
    }

    /// The jobs a destination starts with, in its creating transaction: one statement, as nothing can be
    /// queued for it yet.
    static func insertFirstJobs(
        _ jobs: [NewJob],
        workspace: WorkspaceID,
        destination: DestinationID,
        type: String,
        now: Date,
        dialect: SchemaDialect,
        in db: any SQLDatabase
    ) async throws {
        guard !jobs.isEmpty else { return }
        let now = now.millisecondsSince1970
        var insert = db.insert(into: "jobs")
            .columns(
                "kind",
                "workspace_id",
                "destination_id",
                "destination_type",
                "payload",
                "status",
                "attempts",
                "max_attempts",
                "run_at",
                "created_at"
            )
        for job in jobs {
            insert = insert.values(
                SQLBind(job.kind.rawValue),
                SQLBind(workspace.rawValue),
                SQLBind(destination.rawValue),
                SQLBind(type),
                SQLBind(job.payload),
                SQLBind(JobStatus.queued.rawValue),
                SQLBind(0),
                SQLBind(job.maxAttempts),
                SQLBind(now),
                SQLBind(now)
            )
        }
        try await insert.run()
        try await notifyWorkers(dialect: dialect, in: db)
    }

    private static func notifyWorkers(dialect: SchemaDialect, in db: any SQLDatabase) async throws {
        if let notification = dialect.jobQueuedNotification {
            try await db.raw(SQLQueryString(notification)).run()
        }
    }

    /// The due queued jobs are ranked within their type and taken while their type has room. PostgreSQL
    /// allows no locking clause beside a window function, so the candidates are locked (skipping those
    /// another instance holds) before they are ranked.
    public func claim(worker: String, now: Date, leaseUntil: Date, room: ClaimRoom) async throws -> [JobLease] {
        let dialect = database.dialect
        let full = room.byType.filter { $0.value <= 0 }.keys.sorted()
        let limited = room.byType.filter { $0.value > 0 }.sorted { $0.key < $1.key }
        let skipped: SQLQueryString = full.isEmpty ? "" : "AND destination_type NOT IN (\(binds: full))"
        let typeRoom: SQLQueryString =
            limited.isEmpty
            ? "\(bind: room.otherTypes)"
            : "CASE destination_type " + limited.map { "WHEN \(bind: $0.key) THEN \(bind: $0.value) " }.joined() + "ELSE \(bind: room.otherTypes) END"
        let rows = try await database.writeStatement { db in
            try await db.raw(
                """
                WITH candidates AS (
                    SELECT id, destination_type, run_at FROM jobs
                    WHERE status = 'queued' AND run_at <= \(bind: now.millisecondsSince1970) \(skipped)
                    ORDER BY run_at, id LIMIT \(bind: room.total * 4) \(unsafeRaw: dialect.skipLockedClause)
                ), ranked AS (
                    SELECT id, run_at, ROW_NUMBER() OVER (PARTITION BY destination_type ORDER BY run_at, id) AS rank,
                        \(typeRoom) AS room
                    FROM candidates
                )
                UPDATE jobs SET status = 'running', attempts = attempts + 1, locked_by = \(bind: worker),
                    locked_until = \(bind: leaseUntil.millisecondsSince1970),
                    started_at = COALESCE(started_at, \(bind: now.millisecondsSince1970))
                WHERE id IN (SELECT id FROM ranked WHERE rank <= room ORDER BY run_at, id LIMIT \(bind: room.total))
                    AND status = 'queued'
                RETURNING \(unsafeRaw: Self.columns.joined(separator: ", "))
                """
            ).all()
        }
        return try rows.map { JobLease(job: try Self.job($0), worker: worker) }
            .sorted { ($0.job.runAt, $0.job.id.rawValue) < ($1.job.runAt, $1.job.id.rawValue) }
    }

    public func renew(_ lease: JobLease, until: Date) async throws -> Bool {
        try await whileHeld(lease) { update in update.set("locked_until", to: until.millisecondsSince1970) }
    }

    public func complete(_ lease: JobLease, with result: JobResult, now: Date) async throws -> Bool {
        try await database.write { db in
            var recordedResult: String?
            if case .test(let test) = result { recordedResult = try StoredTest(test).json }
            let held = try await Self.finish(lease, status: .completed, message: nil, result: recordedResult, now: now, in: db)
            guard held else { return false }
            let destination = lease.job.destinationID
            switch result {
            case .objects(let objects):
                try await SQLDestinationStore.refreshObjects(of: destination, with: objects, in: db)
            case .fields(let object, let fields):
                try await SQLDestinationStore.replaceFields(of: destination, object: object, with: fields, in: db)
            case .test(let test):
                try await SQLDestinationStore.recordTest(test, of: destination, in: db)
            }
            try await WebhookOutbox.record([WebhookEvent(finished: lease.job, result: result, failure: nil, at: now)], in: db)
            return true
        }
    }

    public func retry(_ lease: JobLease, runAt: Date, message: String, now: Date) async throws -> Bool {
        try await whileHeld(lease) { update in
            update.set("status", to: JobStatus.queued.rawValue)
                .set("run_at", to: runAt.millisecondsSince1970)
                .set("message", to: message)
                .set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null)
        }
    }

    public func fail(_ lease: JobLease, message: String, now: Date) async throws -> Bool {
        try await database.write { db in
            guard try await Self.finish(lease, status: .failed, message: message, now: now, in: db) else { return false }
            try await WebhookOutbox.record([WebhookEvent(finished: lease.job, result: nil, failure: message, at: now)], in: db)
            return true
        }
    }

    public func release(_ lease: JobLease, now: Date) async throws -> Bool {
        try await whileHeld(lease) { update in
            update.set("status", to: JobStatus.queued.rawValue)
                .set("attempts", to: SQLRaw("attempts - 1"))
                .set("run_at", to: now.millisecondsSince1970)
                .set("locked_by", to: SQLLiteral.null)
                .set("locked_until", to: SQLLiteral.null)
        }
    }

    public func requeueExpired(now: Date) async throws -> Int {
        let message = "The worker running this job stopped, and it has no attempts left"
        return try await database.write { db in
            let failed = try await db.raw(
                """
                UPDATE jobs SET status = 'failed', finished_at = \(bind: now.millisecondsSince1970), locked_by = NULL, locked_until = NULL,
                    message = \(bind: message)
                WHERE status = 'running' AND locked_until < \(bind: now.millisecondsSince1970) AND attempts >= max_attempts
                RETURNING \(unsafeRaw: Self.columns.joined(separator: ", "))
                """
            ).all().map(Self.job)
            try await WebhookOutbox.record(failed.map { WebhookEvent(finished: $0, result: nil, failure: message, at: now) }, in: db)
            let requeued = try await db.raw(
                """
                UPDATE jobs SET status = 'queued', run_at = \(bind: now.millisecondsSince1970), locked_by = NULL, locked_until = NULL
                WHERE status = 'running' AND locked_until < \(bind: now.millisecondsSince1970)
                RETURNING id
                """
            ).all().count
            return failed.count + requeued
        }
    }

    public func activeCounts() async throws -> (queued: Int, running: Int) {
        try await database.read { db in
            let rows = try await db.select()
                .column("status")
                .column(SQLFunction("COUNT", args: SQLLiteral.all), as: "n")
                .from("jobs")
                .where("status", .in, [JobStatus.queued.rawValue, JobStatus.running.rawValue])
                .groupBy("status")
                .all()
            var counts: [String: Int] = [:]
            for row in rows { counts[try row.decode(column: "status", as: String.self)] = try row.decode(column: "n", as: Int.self) }
            return (counts[JobStatus.queued.rawValue] ?? 0, counts[JobStatus.running.rawValue] ?? 0)
        }
    }

    public func job(_ id: JobID, workspace: WorkspaceID, destination: DestinationID) async throws -> Job? {
        try await database.read { db in
            try await db.select().columns(Self.columns).from("jobs")
                .where("id", .equal, id.rawValue)
                .where("workspace_id", .equal, workspace.rawValue)
                .where("destination_id", .equal, destination.rawValue)
                .first()
                .map(Self.job)
        }
    }

    /// Applies `change` to the job only while `lease` still holds it.
    private func whileHeld(_ lease: JobLease, _ change: @escaping @Sendable (SQLUpdateBuilder) -> SQLUpdateBuilder) async throws -> Bool {
        try await database.writeStatement { db in
            try await change(db.update("jobs"))
                .where("id", .equal, lease.job.id.rawValue)
                .where("status", .equal, JobStatus.running.rawValue)
                .where("locked_by", .equal, lease.worker)
                .returning("id")
                .first() != nil
        }
    }

    private static func finish(
        _ lease: JobLease,
        status: JobStatus,
        message: String?,
        result: String? = nil,
        now: Date,
        in db: any SQLDatabase
    ) async throws -> Bool {
        try await db.update("jobs")
            .set("status", to: status.rawValue)
            .set("message", to: message)
            .set("result", to: result)
            .set("finished_at", to: now.millisecondsSince1970)
            .set("locked_by", to: SQLLiteral.null)
            .set("locked_until", to: SQLLiteral.null)
            .where("id", .equal, lease.job.id.rawValue)
            .where("status", .equal, JobStatus.running.rawValue)
            .where("locked_by", .equal, lease.worker)
            .returning("id")
            .first() != nil
    }

    static func job(_ row: any SQLRow) throws -> Job {
        func date(_ column: String) throws -> Date? {
            try row.decode(column: column, as: Int64?.self).map(Date.init(millisecondsSince1970:))
        }
        guard let kind = JobKind(rawValue: try row.decode(column: "kind", as: String.self)),
            let status = JobStatus(rawValue: try row.decode(column: "status", as: String.self))
        else { throw StorageError.unknownJobKindOrStatus }
        return Job(
            id: JobID(try row.decode(column: "id", as: Int64.self)),
            kind: kind,
            workspaceID: WorkspaceID(try row.decode(column: "workspace_id", as: Int64.self)),
            destinationID: DestinationID(try row.decode(column: "destination_id", as: Int64.self)),
            destinationType: try row.decode(column: "destination_type", as: String.self),
            payload: try row.decode(column: "payload", as: String.self),
            status: status,
            attempts: try row.decode(column: "attempts", as: Int.self),
            maxAttempts: try row.decode(column: "max_attempts", as: Int.self),
            runAt: Date(millisecondsSince1970: try row.decode(column: "run_at", as: Int64.self)),
            message: try row.decode(column: "message", as: String?.self),
            testResult: try row.decode(column: "result", as: String?.self).map(StoredTest.init(json:)).map(\.result),
            createdAt: Date(millisecondsSince1970: try row.decode(column: "created_at", as: Int64.self)),
            startedAt: try date("started_at"),
            finishedAt: try date("finished_at")
        )
    }
}
