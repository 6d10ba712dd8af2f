import DestinationsCore
import Foundation
import SQLKit

public struct SQLIdempotencyStore: IdempotencyStore {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    static let running = "running"
    static let done = "done"

    public func begin(
        token: TokenID,
        key: String,
        requestHash: String,
        now: Date,
        expiresAt: Date,
        staleAfter: Double
    ) async throws -> IdempotencyDecision {
        try await database.write { db in
            // Inserted, or already there: the unique key settles concurrent first requests, on any instance.
            let inserted = try await db.raw(
                """
                INSERT INTO idempotency_keys (token_id, idempotency_key, request_hash, state, created_at, expires_at)
                VALUES (\(bind: token.rawValue), \(bind: key), \(bind: requestHash), \(bind: Self.running), \(bind: now.millisecondsSince1970), \(bind: expiresAt.millisecondsSince1970))
                ON CONFLICT (token_id, idempotency_key) DO NOTHING
                RETURNING token_id
                """
            ).first()
            if inserted != nil { return .proceed }
            guard
                let row = try await db.select()
                    .columns("request_hash", "state", "status", "headers", "body", "created_at", "expires_at")
                    .from("idempotency_keys")
                    .where("token_id", .equal, token.rawValue)
                    .where("idempotency_key", .equal, key)
                    .first()
            else { return .inFlight }
            let state = try row.decode(column: "state", as: String.self)
            let createdAt = try row.decode(column: "created_at", as: Int64.self)
            let expired = try row.decode(column: "expires_at", as: Int64.self) <= now.millisecondsSince1970
            let stale = state == Self.running && Double(now.millisecondsSince1970 - createdAt) / 1000 > staleAfter
            if expired || stale {
                // Only the row as read is taken over: of concurrent takers, the first to write wins (on PostgreSQL
                // the others see its row, not the one they read, and change nothing), the rest wait for its answer.
                let takenOver = try await db.update("idempotency_keys")
                    .set("request_hash", to: requestHash)
                    .set("state", to: Self.running)
                    .set("status", to: SQLLiteral.null)
                    .set("headers", to: SQLLiteral.null)
                    .set("body", to: SQLLiteral.null)
                    .set("created_at", to: now.millisecondsSince1970)
                    .set("expires_at", to: expiresAt.millisecondsSince1970)
                    .where("token_id", .equal, token.rawValue)
                    .where("idempotency_key", .equal, key)
                    .where("state", .equal, state)
                    .where("created_at", .equal, createdAt)
                    .returning("token_id")
                    .first()
                return takenOver == nil ? .inFlight : .proceed
            }
            guard try row.decode(column: "request_hash", as: String.self) == requestHash else { return .mismatch }
            guard state == Self.done, let status = try row.decode(column: "status", as: Int?.self) else { return .inFlight }
            let headers = try row.decode(column: "headers", as: String?.self).map {
                try JSONDecoder().decode([String: String].self, from: Data($0.utf8))
            }
            return .replay(StoredResponse(status: status, headers: headers ?? [:], body: try row.decode(column: "body", as: Data?.self) ?? Data()))
        }
    }

    public func finish(token: TokenID, key: String, response: StoredResponse) async throws {
        let headers = String(decoding: try JSONEncoder().encode(response.headers), as: UTF8.self)
        try await database.write { db in
            try await db.update("idempotency_keys")
                .set("state", to: Self.done)
                .set("status", to: response.status)
                .set("headers", to: headers)
                .set("body", to: response.body)
                .where("token_id", .equal, token.rawValue)
                .where("idempotency_key", .equal, key)
                .run()
        }
    }

    public func abandon(token: TokenID, key: String) async throws {
        try await database.write { db in
            try await db.delete(from: "idempotency_keys")
                .where("token_id", .equal, token.rawValue)
                .where("idempotency_key", .equal, key)
                .where("state", .equal, Self.running)
                .run()
        }
    }

    public func purgeExpired(now: Date) async throws -> Int {
        try await database.write { db in
            try await db.delete(from: "idempotency_keys")
                .where("expires_at", .lessThanOrEqual, now.millisecondsSince1970)
                .returning("token_id")
                .all()
                .count
        }
    }
}
