import NIOCore
import NIOPosix
import NIOSOCKS

/// The server side of SOCKS5 (RFC 1928) as AsyncHTTPClient speaks it: no authentication, one CONNECT.
/// Then it dials the target and, once connected, joins the two channels and leaves the pipeline. (NIOSOCKS
/// has a server handshake handler, but it hands its leftover bytes to the next handler whenever it leaves
/// the pipeline, a closing connection's included, which a handler typed for its messages cannot take.)
final class EgressHandshakeHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private enum State {
        case greeting
        case request
        case dialling
    }

    private let dialler: EgressDialler
    private var state = State.greeting
    private var received: ByteBuffer?

    init(dialler: EgressDialler) {
        self.dialler = dialler
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        received.setOrWriteBuffer(&bytes)
        do {
            try advance(context: context)
        } catch {
            context.close(promise: nil)
        }
    }

    /// Takes each message of the handshake once it has arrived whole.
    private func advance(context: ChannelHandlerContext) throws {
        while var buffer = received {
            switch state {
            case .greeting:
                guard let offersNoAuthentication = try Self.readGreeting(&buffer) else { return }
                received = buffer
                guard offersNoAuthentication else {
                    context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: [5, AuthenticationMethod.noneAcceptable.value])), promise: nil)
                    context.close(promise: nil)
                    return
                }
                context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: [5, AuthenticationMethod.noneRequired.value])), promise: nil)
                state = .request
            case .request:
                guard let request = try Self.readRequest(&buffer) else { return }
                received = buffer
                state = .dialling
                guard request.command == .connect else {
                    answer(.commandUnsupported, context: context)
                    return
                }
                dial(request.target, context: context)
                return
            case .dialling:
                return
            }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    private func dial(_ target: SOCKSAddress, context: ChannelHandlerContext) {
        dialler.connect(to: target, on: context.eventLoop).assumeIsolated().whenComplete { outcome in
            switch outcome {
            case .success(let peer):
                self.join(peer, context: context)
            case .failure(let error):
                self.answer((error as? EgressRefusal ?? EgressRefusal(connectionError: error)).reply, context: context)
            }
        }
    }

    private func join(_ peer: any Channel, context: ChannelHandlerContext) {
        guard context.channel.isActive else {
            peer.close(promise: nil)
            return
        }
        do {
            let (client, provider) = TunnelHandler.pair()
            // The peer was dialled on this event loop: both ends of the tunnel live on it.
            try peer.pipeline.syncOperations.addHandler(provider)
            context.writeAndFlush(wrapOutboundOut(Self.reply(.succeeded)), promise: nil)
            try context.pipeline.syncOperations.addHandler(client)
            if let early = received, early.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(early)) }
            received = nil
            context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
        } catch {
            peer.close(promise: nil)
            context.close(promise: nil)
        }
    }

    private func answer(_ reply: SOCKSServerReply, context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(Self.reply(reply))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    struct MalformedHandshake: Error {}

    /// VER NMETHODS METHODS: whether "no authentication" is among the methods, or nil until all arrived.
    static func readGreeting(_ buffer: inout ByteBuffer) throws -> Bool? {
        guard let header = buffer.getBytes(at: buffer.readerIndex, length: 2) else { return nil }
        guard header[0] == 5 else { throw MalformedHandshake() }
        guard buffer.readableBytes >= 2 + Int(header[1]) else { return nil }
        buffer.moveReaderIndex(forwardBy: 2)
        let methods = buffer.readBytes(length: Int(header[1])) ?? []
        return methods.contains(AuthenticationMethod.noneRequired.value)
    }

    /// VER CMD RSV ATYP DST.ADDR DST.PORT, or nil until all arrived.
    static func readRequest(_ buffer: inout ByteBuffer) throws -> (command: SOCKSCommand, target: SOCKSAddress)? {
        var copy = buffer
        guard let header = copy.readBytes(length: 4) else { return nil }
        guard header[0] == 5, header[2] == 0 else { throw MalformedHandshake() }
        let target: SOCKSAddress
        switch header[3] {
        case 1, 4:
            guard let packed = copy.readSlice(length: header[3] == 1 ? 4 : 16), let port = copy.readInteger(as: UInt16.self) else { return nil }
            target = .address(try SocketAddress(packedIPAddress: packed, port: Int(port)))
        case 3:
            guard let length = copy.readInteger(as: UInt8.self), let name = copy.readString(length: Int(length)),
                let port = copy.readInteger(as: UInt16.self)
            else { return nil }
            target = .domain(name, port: Int(port))
        default:
            throw MalformedHandshake()
        }
        buffer = copy
        return (SOCKSCommand(value: header[1]), target)
    }

    /// VER REP RSV ATYP BND.ADDR BND.PORT, the bound address left unspecified (the client has no use for it).
    static func reply(_ reply: SOCKSServerReply) -> ByteBuffer {
        ByteBuffer(bytes: [5, reply.value, 0, 1, 0, 0, 0, 0, 0, 0])
    }
}
