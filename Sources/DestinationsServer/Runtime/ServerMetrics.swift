import DestinationsCore
import Foundation
import Metrics
import Prometheus

/// This server's metrics, on a registry of its own (not the process-wide one), rendered by
/// `GET /metrics` in Prometheus text format. Labels carry route templates, service names, kinds and
/// outcomes, never ids, values or tokens.
public final class ServerMetrics: Telemetry {
    private let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory

    public init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
            .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
    }

    func request(route: String, method: String, status: Int, seconds: Double) {
        Counter(
            label: "destinations_http_requests_total",
            dimensions: [("route", route), ("method", method), ("status", String(status))],
            factory: factory
        )
        .increment()
        Timer(label: "destinations_http_request_duration_seconds", dimensions: [("route", route), ("method", method)], factory: factory)
            .recordSeconds(seconds)
    }

    /// Jobs waiting and running across every instance, read from the database at each scrape.
    func jobQueue(queued: Int, running: Int) {
        Gauge(label: "destinations_jobs_queued", factory: factory).record(queued)
        Gauge(label: "destinations_jobs_running", factory: factory).record(running)
    }

    /// Webhook deliveries due and not yet sent, across every instance, and how long the oldest has waited,
    /// read from the database at each scrape.
    func webhookQueue(due: Int, oldestAgeSeconds: Double) {
        Gauge(label: "destinations_webhook_deliveries_due", factory: factory).record(due)
        Gauge(label: "destinations_webhook_queue_age_seconds", factory: factory).record(oldestAgeSeconds)
    }

    /// One attempt at a delivery: `succeeded`, `retrying` or `failed`.
    func webhookAttempt(outcome: String, seconds: Double) {
        Counter(label: "destinations_webhook_deliveries_total", dimensions: [("outcome", outcome)], factory: factory).increment()
        Timer(label: "destinations_webhook_delivery_duration_seconds", factory: factory).recordSeconds(seconds)
    }

    func rateLimited(bucket: String) {
        Counter(label: "destinations_rate_limited_total", dimensions: [("bucket", bucket)], factory: factory).increment()
    }

    func connectLinkOpened() {
        Counter(label: "destinations_connect_links_opened_total", factory: factory).increment()
    }

    func connectLinkCompleted() {
        Counter(label: "destinations_connect_links_completed_total", factory: factory).increment()
    }

    func idempotentReplay() {
        Counter(label: "destinations_idempotent_replays_total", factory: factory).increment()
    }

    public func providerCall(connector: String, result: String, seconds: Double) {
        Counter(label: "destinations_provider_calls_total", dimensions: [("connector", connector), ("result", result)], factory: factory).increment()
        Timer(label: "destinations_provider_call_duration_seconds", dimensions: [("connector", connector)], factory: factory).recordSeconds(seconds)
    }

    public func jobRun(kind: JobKind, connector: String, outcome: String, seconds: Double) {
        let dimensions = [("kind", kind.rawValue), ("connector", connector), ("outcome", outcome)]
        Counter(label: "destinations_job_runs_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "destinations_job_duration_seconds", dimensions: dimensions, factory: factory).recordSeconds(seconds)
    }

    public func oauthRefresh(connector: String, outcome: String) {
        Counter(label: "destinations_oauth_refreshes_total", dimensions: [("connector", connector), ("outcome", outcome)], factory: factory)
            .increment()
    }

    /// The Prometheus text exposition of everything recorded so far.
    func render() -> String {
        var buffer: [UInt8] = []
        registry.emit(into: &buffer)
        return String(decoding: buffer, as: UTF8.self)
    }
}
