import NIOCore
import NIOPosix
import NIOSOCKS

/// Resolves, judges and connects one tunnel's target, on the tunnel's event loop: only a name that must be
/// looked up leaves it, so a busy process adds no hops to the connections whose addresses are known.
struct EgressDialler: Sendable {
    /// The guard that vets every address, or nil on the trusted listener.
    let vetting: OutboundGuard?
    let resolution: HostResolution
    let patience: Duration
    let connectTimeout: TimeAmount

    /// The connected channel, or a failure: an `EgressRefusal` or the connection's own error.
    func connect(to target: SOCKSAddress, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        switch target {
        case .address(let socketAddress):
            guard let address = IPAddress(socketAddress) else { return loop.makeFailedFuture(EgressRefusal.addressUnsupported) }
            if let vetting, !vetting.permits([address]) { return loop.makeFailedFuture(EgressRefusal.internalAddress) }
            return ClientBootstrap(group: loop).connectTimeout(connectTimeout).connect(to: socketAddress)
        case .domain(let host, let port):
            if let known = resolution.known(host) {
                return connect(host, port, known, on: loop)
            }
            return lookUp(host, on: loop).flatMap { connect(host, port, $0, on: loop) }
        }
    }

    /// The name's outcome, or `.timedOut` at `patience` by the event loop's own clock: a busy process may
    /// be slow to resume the lookup's task, never to give up on it.
    private func lookUp(_ host: String, on loop: any EventLoop) -> EventLoopFuture<HostResolution.Outcome> {
        let promise = loop.makePromise(of: HostResolution.Outcome.self)
        let settled = NIOLoopBoundBox(false, eventLoop: loop)
        @Sendable func settle(_ outcome: HostResolution.Outcome) {
            guard !settled.value else { return }
            settled.value = true
            promise.succeed(outcome)
        }
        let timer = loop.scheduleTask(in: TimeAmount(patience)) { settle(.timedOut) }
        let (resolution, patience) = (resolution, patience)
        Task {
            let outcome = await resolution.resolve(host, lane: .dialling, patience: patience)
            loop.execute {
                timer.cancel()
                settle(outcome)
            }
        }
        return promise.futureResult
    }

    private func connect(_ host: String, _ port: Int, _ outcome: HostResolution.Outcome, on loop: any EventLoop) -> EventLoopFuture<any Channel> {
        let addresses: [IPAddress]
        switch outcome {
        case .addresses(let found): addresses = found
        case .noSuchHost: return loop.makeFailedFuture(EgressRefusal.noSuchHost)
        case .failed: return loop.makeFailedFuture(EgressRefusal.lookupFailed)
        case .timedOut: return loop.makeFailedFuture(EgressRefusal.lookupTimedOut)
        }
        if let vetting, !vetting.permits(addresses) { return loop.makeFailedFuture(EgressRefusal.internalAddress) }
        return ClientBootstrap(group: loop)
            .connectTimeout(connectTimeout)
            .resolver(CheckedAddresses(addresses, loop: loop))
            .connect(host: host, port: port)
    }
}

/// NIO's resolver hook, answering with the addresses the egress already checked, so that Happy Eyeballs
/// races exactly those.
struct CheckedAddresses: Resolver, Sendable {
    let addresses: [IPAddress]
    let loop: any EventLoop

    init(_ addresses: [IPAddress], loop: any EventLoop) {
        self.addresses = addresses
        self.loop = loop
    }

    func initiateAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        answer(port: port) { $0.bytes.count == 4 }
    }

    func initiateAAAAQuery(host: String, port: Int) -> EventLoopFuture<[SocketAddress]> {
        answer(port: port) { $0.bytes.count == 16 }
    }

    func cancelQueries() {}

    private func answer(port: Int, _ family: (IPAddress) -> Bool) -> EventLoopFuture<[SocketAddress]> {
        loop.makeCompletedFuture { try addresses.filter(family).map { try $0.socketAddress(port: port) } }
    }
}
