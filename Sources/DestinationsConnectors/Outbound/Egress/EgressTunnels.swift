import DestinationsCore
import NIOCore
import NIOPosix
import NIOSOCKS

/// TCP connections for protocols that are not HTTP (PostgreSQL), opened through the egress exactly as
/// the HTTP client's are: a user's host through the guarded listener, which vets every address it dials.
final class EgressTunnels: ProviderTunnels {
    private let guardedPort: Int
    private let trustedPort: Int
    private let connectTimeout: Double
    /// Seconds a whole exchange over a tunnel may take, as an HTTP call may.
    let callTimeout: Double
    /// The HTTP client's words for a refused or failed connection.
    private let failure: @Sendable (any Error, _ host: String) -> ProviderFailure

    init(
        guardedPort: Int,
        trustedPort: Int,
        connectTimeout: Double,
        callTimeout: Double,
        failure: @escaping @Sendable (any Error, String) -> ProviderFailure
    ) {
        self.guardedPort = guardedPort
        self.trustedPort = trustedPort
        self.connectTimeout = connectTimeout
        self.callTimeout = callTimeout
        self.failure = failure
    }

    /// A connected channel to `host:port`, its SOCKS handshake done and its handlers gone, ready for the
    /// protocol's own.
    func open(host: String, port: Int, hostSource: ProviderRequest.HostSource) async throws -> any Channel {
        let target: SOCKSAddress
        if let address = IPAddress(canonical: host) {
            target = .address(try address.socketAddress(port: port))
        } else {
            target = .domain(host, port: port)
        }
        let proxyPort = hostSource == .userSupplied ? guardedPort : trustedPort
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let established = loop.makePromise(of: Void.self)
        do {
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.milliseconds(Int64((2 * connectTimeout + 1) * 1000)))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandlers(
                            SOCKSClientHandler(targetAddress: target),
                            TunnelEstablished(established)
                        )
                    }
                }
                .connect(host: "127.0.0.1", port: proxyPort)
                .get()
            do {
                try await established.futureResult.get()
                return channel
            } catch {
                try? await channel.close()
                throw error
            }
        } catch {
            established.fail(error)
            throw failure(error, host)
        }
    }
}

/// Takes the SOCKS handlers away once the proxy reports the tunnel open, so the channel carries only the
/// protocol's own bytes; or fails with the handshake's error.
private final class TunnelEstablished: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer

    private let established: EventLoopPromise<Void>

    init(_ established: EventLoopPromise<Void>) {
        self.established = established
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        guard event is SOCKSProxyEstablishedEvent else { return context.fireUserInboundEventTriggered(event) }
        let pipeline = context.pipeline.syncOperations
        if let socks = try? pipeline.handler(type: SOCKSClientHandler.self) {
            pipeline.removeHandler(socks, promise: nil)
        }
        pipeline.removeHandler(context: context, promise: nil)
        established.succeed()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        established.fail(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        established.fail(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }
}
