import Foundation

/// What every call to a destination's service goes through: the outbound client (measured per
/// connector) and the operator's base URL overrides. Jobs and the synchronous connection test share it.
public struct ProviderCalls: Sendable {
    private let http: any ProviderHTTP
    private let baseURLOverrides: [String: URL]
    private let telemetry: any Telemetry

    public init(http: any ProviderHTTP, baseURLOverrides: [String: URL], telemetry: any Telemetry = NoTelemetry()) {
        self.http = http
        self.baseURLOverrides = baseURLOverrides
        self.telemetry = telemetry
    }

    public func context(type: String, details: [String: JSONValue], secrets: [String: JSONValue]) -> ConnectorContext {
        ConnectorContext(
            details: details,
            secrets: secrets,
            http: MeasuredProviderHTTP(http, connector: type, telemetry: telemetry),
            baseURLOverride: baseURLOverrides[type]
        )
    }

    /// The connector's connection test; a failure to reach the service is a failed step in its words.
    public func testConnection(
        _ connector: any Connector,
        details: [String: JSONValue],
        secrets: [String: JSONValue],
        step: String
    ) async throws -> [ConnectionTestStep] {
        do {
            return try await connector.testConnection(context(type: connector.declaration.serviceName, details: details, secrets: secrets))
        } catch let failure as ProviderFailure {
            try Task.checkCancellation()
            return [ConnectionTestStep(step: step, status: .failed, errorMessage: failure.message)]
        }
    }
}
