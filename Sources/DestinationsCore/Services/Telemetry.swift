import Foundation

/// What the use cases report for operators to count (Prometheus through the server's metrics); Core
/// knows nothing of the backend. Labels are service names, kinds and outcomes, never values.
public protocol Telemetry: Sendable {
    /// One HTTP call to a provider, with its HTTP status class (`2xx` ... `5xx`) or `error` (no answer).
    func providerCall(connector: String, result: String, seconds: Double)
    /// One run of a job, start to outcome (`completed`, `retrying`, `failed`, `abandoned`).
    func jobRun(kind: JobKind, connector: String, outcome: String, seconds: Double)
    /// One attempt to refresh an OAuth access token (`refreshed`, `failed`, `reauthorization_required`).
    func oauthRefresh(connector: String, outcome: String)
}

/// For tests and tools that count nothing.
public struct NoTelemetry: Telemetry {
    public init() {}
    public func providerCall(connector: String, result: String, seconds: Double) {}
    public func jobRun(kind: JobKind, connector: String, outcome: String, seconds: Double) {}
    public func oauthRefresh(connector: String, outcome: String) {}
}

/// Provider calls of one connector, timed and counted.
public struct MeasuredProviderHTTP: ProviderHTTP {
    let base: any ProviderHTTP
    let connector: String
    let telemetry: any Telemetry

    public init(_ base: any ProviderHTTP, connector: String, telemetry: any Telemetry) {
        self.base = base
        self.connector = connector
        self.telemetry = telemetry
    }

    public var tunnels: (any ProviderTunnels)? { base.tunnels }

    public func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        let started = ContinuousClock.now
        do {
            let response = try await base.send(request)
            telemetry.providerCall(connector: connector, result: "\(response.status / 100)xx", seconds: (ContinuousClock.now - started).seconds)
            return response
        } catch {
            telemetry.providerCall(connector: connector, result: "error", seconds: (ContinuousClock.now - started).seconds)
            throw error
        }
    }
}

extension Duration {
    public var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
