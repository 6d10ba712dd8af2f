import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

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
                    .flatMap { outbound in
                        state.withLockedValue { $0.channels += [inbound, outbound] }
                        let (toOutbound, toInbound) = GlueHandler.pair()
                        return inbound.pipeline.addHandler(toOutbound).flatMap {
                            outbound.pipeline.addHandler(toInbound)
                        }
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

/// Forwards what one side reads to the other, and closes both together.
private final class GlueHandler: ChannelDuplexHandler, @unchecked Sendable {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny
    typealias OutboundOut = NIOAny

    private var partner: GlueHandler?
    private var context: ChannelHandlerContext?

    static func pair() -> (GlueHandler, GlueHandler) {
        let first = GlueHandler()
        let second = GlueHandler()
        first.partner = second
        second.partner = first
        return (first, second)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
        partner = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        partner?.forward(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        partner?.closePartner()
    }

    // Both channels of a pair live on the same event loop (the outbound one is made on the inbound's
    // loop), so the partner's context is used directly.
    private func forward(_ data: NIOAny) {
        context?.writeAndFlush(data, promise: nil)
    }

    private func closePartner() {
        context?.close(promise: nil)
    }
}
