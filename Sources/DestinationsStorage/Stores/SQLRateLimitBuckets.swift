import DestinationsCore
import Foundation
import SQLKit

/// Token buckets in the database, so that every instance on one PostgreSQL counts against the same limit:
/// each take is one atomic upsert.
public struct SQLRateLimitBuckets: RateLimitBuckets {
    private let database: any Database

    public init(database: any Database) {
        self.database = database
    }

    public func take(_ bucket: String, _ limit: RateLimit, now: Date) async throws -> BucketState {
        let dialect = database.dialect
        let now = now.millisecondsSince1970
        return try await database.write { db in
            // The tokens available now: the stored ones plus the refill since, capped at the burst.
            let refill = SQLQueryString(
                "\(unsafeRaw: dialect.least)(\(bind: limit.burst), rate_limit_buckets.tokens + \(unsafeRaw: dialect.greatest)(0, \(bind: now) - rate_limit_buckets.updated_at) * \(bind: limit.perSecond) / 1000.0)"
            )
            let row = try await db.raw(
                """
                INSERT INTO rate_limit_buckets (bucket, tokens, last_taken, updated_at) VALUES (\(bind: bucket), \(bind: limit.burst - 1), 1, \(bind: now))
                ON CONFLICT (bucket) DO UPDATE SET
                    tokens = CASE WHEN \(refill) >= 1 THEN \(refill) - 1 ELSE \(refill) END,
                    last_taken = CASE WHEN \(refill) >= 1 THEN 1 ELSE 0 END,
                    updated_at = \(unsafeRaw: dialect.greatest)(rate_limit_buckets.updated_at, \(bind: now))
                RETURNING tokens, last_taken
                """
            ).first()
            guard let row else { throw StorageError.missingGeneratedID }
            return BucketState(
                allowed: try row.decode(column: "last_taken", as: Int.self) == 1,
                tokens: try row.decode(column: "tokens", as: Double.self),
                limit: limit
            )
        }
    }
}
