import NIOCore
import NIOPosix

/// Where every provider call leaves the process: a SOCKS5 server on loopback, which AsyncHTTPClient is
/// configured to use as its proxy (its supported hook for how a connection is made). For each connection it
/// resolves the name once (`HostResolution`, dialling lane), refuses internal addresses on the guarded
/// listener, and connects to the addresses it checked, never to a second answer for the name. TLS stays
/// AsyncHTTPClient's, end to end through the tunnel, so SNI and the certificate are checked against the
/// name.
///
/// Two listeners: the guarded one for hosts that come from users' credentials, the trusted one for the
/// providers' own hosts and the operator's overrides (which may well be internal). Both resolve through
/// `HostResolution`, so no lookup runs on the threads the rest of the process needs. Listening on loopback
/// only, they let a local process reach nothing it could not reach itself.
public final class OutboundEgress: Sendable {
    let guardedPort: Int
    let trustedPort: Int
    private let listeners: [any Channel]

    private init(guarded: any Channel, trusted: any Channel) {
        guardedPort = guarded.localAddress?.port ?? 0
        trustedPort = trusted.localAddress?.port ?? 0
        listeners = [guarded, trusted]
    }

    /// - Parameters:
    ///   - patience: how long a connection waits for its name.
    ///   - connectTimeout: how long it waits for the provider to accept it.
    static func start(
        guard outboundGuard: OutboundGuard,
        resolution: HostResolution,
        patience: Duration,
        connectTimeout: TimeAmount
    ) async throws -> OutboundEgress {
        func listen(vetting: OutboundGuard?) async throws -> any Channel {
            let dialler = EgressDialler(vetting: vetting, resolution: resolution, patience: patience, connectTimeout: connectTimeout)
            return try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                // Hundreds of jobs may open connections at once; the kernel caps this at somaxconn.
                .serverChannelOption(.backlog, value: 4096)
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(EgressHandshakeHandler(dialler: dialler))
                    }
                }
                .bind(host: "127.0.0.1", port: 0).get()
        }
        let guarded = try await listen(vetting: outboundGuard)
        do {
            return OutboundEgress(guarded: guarded, trusted: try await listen(vetting: nil))
        } catch {
            try? await guarded.close()
            throw error
        }
    }

    /// Stops listening. Tunnels already open close with the connections that use them.
    func shutdown() async throws {
        for listener in listeners {
            try await listener.close()
        }
    }
}
