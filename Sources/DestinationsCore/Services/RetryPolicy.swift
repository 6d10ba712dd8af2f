import Foundation

/// How failed provider calls are retried: exponential backoff with jitter, the provider's Retry-After
/// honoured, a bounded number of attempts.
public struct RetryPolicy: Sendable {
    public var maxAttempts: Int
    public var baseDelay: Double
    public var maxDelay: Double
    /// A factor drawn for each delay, so workers retrying together spread out.
    public var jitter: @Sendable () -> Double

    public init(
        maxAttempts: Int = 5,
        baseDelay: Double = 2,
        maxDelay: Double = 300,
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0.5..<1.5) }
    ) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.jitter = jitter
    }

    /// Seconds to wait before the attempt after `attempt` (counted from 1). A provider's Retry-After
    /// wins over the backoff, within the same ceiling.
    public func delay(afterAttempt attempt: Int, retryAfter: Double?) -> Double {
        if let retryAfter { return min(max(retryAfter, 0), maxDelay) }
        let exponential = baseDelay * pow(2, Double(max(0, attempt - 1)))
        return min(exponential, maxDelay) * jitter()
    }
}
