import DestinationsCore

/// How this process delivers webhooks: its own workers and HTTP connections, apart from the provider
/// jobs', so a slow receiver never holds a worker a provider job needs (nor the reverse).
public struct WebhookSettings: Sendable {
    /// Deliveries sent at once by this process; 0 leaves delivering to other instances.
    public var concurrency: Int
    /// How often idle delivery workers look for due deliveries (the outbox is filled by any instance).
    public var pollInterval: Double
    /// Seconds a receiver has to answer.
    public var timeout: Double
    /// How long a claimed delivery stays claimed; a dead worker's deliveries are sent again after it.
    public var leaseDuration: Double
    /// Seconds before the first retry (doubling, with jitter, up to an hour).
    public var retryBase: Double
    /// How long after an event its delivery is retried before it is marked failed.
    public var retryPeriod: Double

    public init(
        concurrency: Int = 64,
        pollInterval: Double = 0.25,
        timeout: Double = 10,
        leaseDuration: Double = 60,
        retryBase: Double = 4,
        retryPeriod: Double = 86_400
    ) {
        self.concurrency = concurrency
        self.pollInterval = pollInterval
        self.timeout = timeout
        self.leaseDuration = leaseDuration
        self.retryBase = retryBase
        self.retryPeriod = retryPeriod
    }

    var retry: RetryPolicy {
        RetryPolicy(maxAttempts: .max, baseDelay: retryBase, maxDelay: 3_600)
    }
}
