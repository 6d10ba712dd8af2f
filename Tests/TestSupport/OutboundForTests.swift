import DestinationsConnectors
import Foundation

extension OutboundGuard {
    /// A guard over a scripted resolver: no lookup ever leaves the machine.
    public static func forTests(
        allowPrivateNetworks: Bool = true,
        resolver: any NameResolver = ScriptedResolver(),
        patience: Duration = .seconds(1)
    ) -> OutboundGuard {
        OutboundGuard(allowPrivateNetworks: allowPrivateNetworks, resolution: HostResolution(resolver: resolver), patience: patience)
    }
}

extension AsyncHTTPProviderClient {
    /// One client for the suites that call fakes on loopback, started on first use and kept for the
    /// process. Patient: under every suite at once on two cores, a fake can take seconds to answer.
    public static func shared() async throws -> AsyncHTTPProviderClient {
        try await SharedClient.instance.client()
    }

    /// Runs `body` with a client of its own (by default over a guard that allows loopback), shut down
    /// however `body` ends.
    public static func with<T: Sendable>(
        timeout: Double,
        outboundGuard: OutboundGuard = .forTests(),
        _ body: (AsyncHTTPProviderClient) async throws -> T
    ) async throws -> T {
        let client = try await start(outboundGuard: outboundGuard, timeout: timeout)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}

private actor SharedClient {
    static let instance = SharedClient()
    // A task, not the client: callers arriving while it starts wait for the same one.
    private var starting: Task<AsyncHTTPProviderClient, any Error>?

    func client() async throws -> AsyncHTTPProviderClient {
        let starting = starting ?? Task { try await AsyncHTTPProviderClient.start(outboundGuard: .forTests(), timeout: 30) }
        self.starting = starting
        return try await starting.value
    }
}
