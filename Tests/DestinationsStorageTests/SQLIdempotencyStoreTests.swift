import DestinationsCore
import DestinationsStorage
import Foundation
import TestSupport
import Testing

@Suite struct SQLIdempotencyStoreTests {
    static let t0 = Date(timeIntervalSince1970: 1_800_000_000)

    /// Requests retried at once with a key whose first run was abandoned long ago: one takes it over, the
    /// others wait for its answer. Two takers would run the request twice.
    @Test(arguments: TestBackend.all)
    func oneOfManyRetriesTakesOverAnExpiredKey(_ backend: TestBackend) async throws {
        try await withTemporaryDatabase(backend) { database in
            let store = SQLIdempotencyStore(database: database)
            let workspace = try await SQLDestinationStoreTests.workspace(database)
            let token = try await SQLWorkspaceStore(database: database).createToken(owner: .workspace(workspace), hash: Data("h".utf8), now: Self.t0)
            for round in 0..<10 {
                let key = "key-\(round)"
                #expect(
                    try await store.begin(token: token, key: key, requestHash: "r", now: Self.t0, expiresAt: Self.t0 + 60, staleAfter: 300)
                        == .proceed
                )
                let later = Self.t0 + 3_600
                let decisions = try await withThrowingTaskGroup(of: IdempotencyDecision.self) { group in
                    for _ in 0..<8 {
                        group.addTask {
                            try await store.begin(token: token, key: key, requestHash: "r", now: later, expiresAt: later + 60, staleAfter: 300)
                        }
                    }
                    return try await group.reduce(into: [IdempotencyDecision]()) { $0.append($1) }
                }
                #expect(decisions.filter { $0 == .proceed }.count == 1, "round \(round): \(decisions)")
                #expect(decisions.filter { $0 == .inFlight }.count == 7, "round \(round): \(decisions)")
            }
        }
    }
}
