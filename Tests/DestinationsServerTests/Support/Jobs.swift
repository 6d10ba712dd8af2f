import DestinationsCore
import DestinationsStorage
import Foundation

@testable import DestinationsServer

extension Session {
    /// Outcomes of job runs from now on; subscribe before causing the job.
    func jobOutcomes() -> AsyncStream<JobOutcomes.Event> {
        environment.jobOutcomes.subscribe()
    }

    /// Waits for the job's final outcome (completed or failed), passing over retries.
    func settled(_ key: Int64, in outcomes: AsyncStream<JobOutcomes.Event>) async throws -> JobRunner.Outcome {
        try await withThrowingTaskGroup(of: JobRunner.Outcome?.self) { group in
            group.addTask {
                for await event in outcomes where event.job.id.rawValue == key {
                    switch event.outcome {
                    case .completed, .failed: return event.outcome
                    case .retrying, .abandoned: continue
                    }
                }
                return nil
            }
            // A watchdog, so a job that never settles fails the test instead of hanging it.
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return nil
            }
            defer { group.cancelAll() }
            guard let outcome = try await group.next() ?? nil else { throw TestFailure("job \(key) did not settle") }
            return outcome
        }
    }

    /// POST refresh_objects, returning the key.
    func refresh(_ id: Int64) async throws -> Int64 {
        let response = try await request(.post, "/api/v1/destinations/\(id)/refresh_objects")
        guard response.status == .ok, let key = try response.json()["refresh_key"].int else {
            throw TestFailure("refresh_objects answered \(response.status): \(String(buffer: response.body))")
        }
        return key
    }

    /// The id of the job of that kind queued for a destination at creation.
    func firstJob(of id: Int64, kind: JobKind = .refreshObjects) async throws -> Int64 {
        let key = try await environment.database.read { db in
            try await db.raw("SELECT id FROM jobs WHERE destination_id = \(bind: id) AND kind = \(bind: kind.rawValue) ORDER BY id LIMIT 1")
                .first(decodingColumn: "id", as: Int64.self)
        }
        guard let key else { throw TestFailure("no job for destination \(id)") }
        return key
    }

    /// Inserts a destination straight into the store, as an OAuth exchange would leave it (for connectors
    /// whose creation through the API needs an OAuth client).
    func insertDestination(type: String, details: [String: JSONValue], secrets: [String: JSONValue]) async throws -> Int64 {
        let box = AESGCMSecretBox(current: try EncryptionKey(base64: try environment.settings.encryptionBase64()))
        let principal = try await environment.access.authenticate(token: token).workspacePrincipal()
        let detail = try await SQLDestinationStore(database: environment.database).insert(
            NewDestination(
                workspaceID: principal.workspaceID,
                type: type,
                name: type,
                connectionDetails: details,
                secrets: try box.sealObject(secrets),
                objects: [],
                now: Date()
            )
        )
        return detail.destination.id.rawValue
    }

    func objectNames(_ id: Int64) async throws -> [String] {
        try await request(.get, "/api/v1/destinations/\(id)").json()["data"]["objects"].array?.compactMap { $0["full_name"].string } ?? []
    }
}
