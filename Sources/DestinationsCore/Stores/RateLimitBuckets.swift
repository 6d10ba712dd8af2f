import Foundation

/// A token bucket: `burst` requests at once, refilled at `perSecond`.
public struct RateLimit: Sendable, Hashable {
    public var perSecond: Double
    public var burst: Double

    public init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
    }
}

/// A bucket after a request tried to take a token from it.
public struct BucketState: Sendable, Hashable {
    public var allowed: Bool
    /// Tokens left after this request (fractional while refilling).
    public var tokens: Double
    public var limit: RateLimit

    public init(allowed: Bool, tokens: Double, limit: RateLimit) {
        self.allowed = allowed
        self.tokens = tokens
        self.limit = limit
    }

    /// Whole requests left now.
    public var remaining: Int { max(0, Int(tokens.rounded(.down))) }

    /// Seconds until the bucket is full again.
    public var secondsUntilFull: Int { Int(((limit.burst - tokens) / limit.perSecond).rounded(.up)) }

    /// Seconds until one request may pass.
    public var secondsUntilNext: Int { max(1, Int(((1 - tokens) / limit.perSecond).rounded(.up))) }
}

/// Token buckets by name (a token's, a workspace's ...): in memory for one process, in the database for
/// instances that share one.
public protocol RateLimitBuckets: Sendable {
    /// Refills the bucket for the time passed, then takes one token if there is a whole one.
    func take(_ bucket: String, _ limit: RateLimit, now: Date) async throws -> BucketState
}

/// The buckets of a single process.
public final class InMemoryRateLimitBuckets: RateLimitBuckets, @unchecked Sendable {
    private let lock = NSLock()
    private var buckets: [String: (tokens: Double, updatedAt: Date)] = [:]

    public init() {}

    public func take(_ bucket: String, _ limit: RateLimit, now: Date) -> BucketState {
        lock.withLock {
            let previous = buckets[bucket] ?? (limit.burst, now)
            let elapsed = max(0, now.timeIntervalSince(previous.updatedAt))
            let available = min(limit.burst, previous.tokens + elapsed * limit.perSecond)
            let allowed = available >= 1
            let tokens = allowed ? available - 1 : available
            buckets[bucket] = (tokens, max(now, previous.updatedAt))
            return BucketState(allowed: allowed, tokens: tokens, limit: limit)
        }
    }
}
