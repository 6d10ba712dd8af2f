import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

@testable import DestinationsConnectors

/// A TCP proxy on loopback whose link a test can cut and restore, to play a database that goes away
/// and comes back.
public final class TCPProxy: Sendable {
    private let target: SocketAddress
    private let server: any Channel
    private let state: NIOLockedValueBox<(open: Bool, channels: [any Channel])>

    public var port: Int { server.localAddress?.port ?? 0 }

    public init(targetHost: String, targetPort: Int) async throws {
        let target = try SocketAddress.makeAddressResolvingHost(targetHost, port: targetPort)
        let state = NIOLockedValueBox<(open: Bool, channels: [any Channel])>((true, []))
        self.target = target
        self.state = state
        self.server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { inbound in
                guard state.withLockedValue({ $0.open }) else {
                    return inbound.close()
                }
                return ClientBootstrap(group: inbound.eventLoop)
                    .connect(to: target)
                    .flatMapThrowing { outbound in
                        state.withLockedValue { $0.channels += [inbound, outbound] }
                        // The egress's own tunnel: both channels live on the inbound one's event loop.
                        let (toOutbound, toInbound) = TunnelHandler.pair()
                        try inbound.pipeline.syncOperations.addHandler(toOutbound)
                        try outbound.pipeline.syncOperations.addHandler(toInbound)
                    }
            }
            .bind(host: "127.0.0.1", port: 0)
            .get()
    }

    /// Drops every connection and refuses new ones.
    public func cut() {
        let channels = state.withLockedValue { state -> [any Channel] in
            state.open = false
            defer { state.channels = [] }
            return state.channels
        }
        for channel in channels { channel.close(promise: nil) }
    }

    public func restore() {
        state.withLockedValue { $0.open = true }
    }

    public func close() async throws {
        cut()
        try await server.close()
    }
}
