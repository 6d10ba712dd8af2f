import AsyncHTTPClient
import DestinationsCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSOCKS
import NIOSSL

/// Provider calls over AsyncHTTPClient: every call has a deadline, answers are size-bounded, redirects
/// are not followed (a redirect could lead past the outbound guard), and user-supplied hosts are vetted on
/// the address dialled. A host named by its address is judged here, before the connection (an address
/// cannot rebind); a host name is dialled by the egress, which resolves it off the shared threads and
/// judges the address it connects to.
public final class AsyncHTTPProviderClient: ProviderHTTP {
    public static let maximumResponseBytes = 16 << 20

    /// Through the egress's guarded listener (user-supplied names) and its trusted one (configured names).
    private let guarded: HTTPClient
    private let trusted: HTTPClient
    /// Straight to addresses written out.
    private let direct: HTTPClient
    private let egress: OutboundEgress
    private let outboundGuard: OutboundGuard
    private let timeout: Double
    /// Seconds a connection waits for its name, and then for the provider to accept it.
    private let connectTimeout: Double

    /// - Parameters:
    ///   - timeout: seconds each call may take, connection included.
    ///   - connectionsPerHost: how many calls may run at once against one host; many destinations share
    ///     a provider's host (one Braze cluster, one HubSpot API), so this follows the per-provider job
    ///     concurrency.
    public static func start(outboundGuard: OutboundGuard, timeout: Double, connectionsPerHost: Int = 16) async throws -> AsyncHTTPProviderClient {
        // Half the call's time at most, so the egress's reason comes before the call's own deadline.
        let connectTimeout = min(timeout / 2, 10)
        let egress = try await OutboundEgress.start(
            guard: outboundGuard,
            resolution: outboundGuard.resolution,
            patience: .milliseconds(Int64(connectTimeout * 1000)),
            connectTimeout: .milliseconds(Int64(connectTimeout * 1000))
        )
        return AsyncHTTPProviderClient(
            egress: egress,
            outboundGuard: outboundGuard,
            timeout: timeout,
            connectTimeout: connectTimeout,
            connectionsPerHost: connectionsPerHost
        )
    }

    private init(egress: OutboundEgress, outboundGuard: OutboundGuard, timeout: Double, connectTimeout: Double, connectionsPerHost: Int) {
        func client(throughPort port: Int?) -> HTTPClient {
            var configuration = HTTPClient.Configuration()
            configuration.redirectConfiguration = .disallow
            configuration.proxy = port.map { .socksServer(host: "127.0.0.1", port: $0) }
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connectionsPerHost))
            // A refused connection fails the call at once; the job's own retries back off properly.
            configuration.connectionPool.retryConnectionEstablishment = false
            configuration.timeout = .init(
                // The egress's wait for the name, then for the provider, then TLS.
                connect: .milliseconds(Int64((2 * connectTimeout + 1) * 1000)),
                read: .milliseconds(Int64(timeout * 1000))
            )
            return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        }
        guarded = client(throughPort: egress.guardedPort)
        trusted = client(throughPort: egress.trustedPort)
        direct = client(throughPort: nil)
        self.egress = egress
        self.outboundGuard = outboundGuard
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    public func shutdown() async throws {
        try await guarded.shutdown()
        try await trusted.shutdown()
        try await direct.shutdown()
        try await egress.shutdown()
    }

    /// Connections that are not HTTP go through the same egress, and fail in the same words.
    public var tunnels: (any ProviderTunnels)? {
        EgressTunnels(guardedPort: egress.guardedPort, trustedPort: egress.trustedPort, connectTimeout: connectTimeout, callTimeout: timeout) {
            [self] error, host in
            failure(error, host: host)
        }
    }

    public func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        let host = request.url.host ?? ""
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        // Ours unless the connector names itself otherwise (providers that ask for a descriptive one).
        if !request.headers.contains(where: { $0.name.lowercased() == "user-agent" }) {
            outgoing.headers.add(name: "User-Agent", value: "destinations/1.0")
        }
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
        }
        let client: HTTPClient
        if let address = IPAddress(canonical: host) {
            if request.hostSource == .userSupplied, !outboundGuard.permits([address]) {
                throw ProviderFailure.permanent(OutboundGuard.refusal(host, "it is a loopback, private, link-local or metadata address"))
            }
            client = direct
        } else {
            client = request.hostSource == .userSupplied ? guarded : trusted
        }
        do {
            let response = try await client.execute(outgoing, timeout: .milliseconds(Int64(timeout * 1000)))
            let body = try await response.body.collect(upTo: Self.maximumResponseBytes)
            var headers: [String: String] = [:]
            for header in response.headers {
                let name = header.name.lowercased()
                headers[name] = headers[name].map { $0 + ", " + header.value } ?? header.value
            }
            return ProviderResponse(status: Int(response.status.code), headers: headers, body: Data(body.readableBytesView))
        } catch {
            throw failure(error, host: host)
        }
    }

    /// What went wrong on the wire, in words: never the request (it carries credentials).
    func failure(_ error: any Error, host: String) -> ProviderFailure {
        if let failure = error as? ProviderFailure { return failure }
        if let error = error as? SOCKSError.ConnectionFailed, let refusal = EgressRefusal(reply: error.reply) {
            return failure(refusal, host: host)
        }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout:
                return .transient("\(host) did not answer within \(Self.seconds(timeout)) seconds")
            case .remoteConnectionClosed:
                return .transient("\(host) closed the connection before answering")
            default:
                return .transient("The call to \(host) failed: \(error)")
            }
        }
        if error is NIOTooManyBytesError {
            return .permanent("\(host) answered with more than \(Self.maximumResponseBytes / (1 << 20)) MiB")
        }
        if let error = error as? NIOSSLError {
            return .permanent("TLS with \(host) failed (\(error)); check that the host serves a valid certificate")
        }
        if error is IOError || error is NIOConnectionError || error is ChannelError {
            return failure(EgressRefusal(connectionError: error), host: host)
        }
        return .transient("Cannot reach \(host): \(error)")
    }

    private static func seconds(_ value: Double) -> String {
        value.formatted(.number.precision(.fractionLength(0...2)).grouping(.never))
    }

    private func failure(_ refusal: EgressRefusal, host: String) -> ProviderFailure {
        let seconds = Self.seconds(connectTimeout)
        switch refusal {
        case .internalAddress:
            return .permanent(OutboundGuard.refusal(host, "it resolves to a loopback, private, link-local or metadata address"))
        case .noSuchHost:
            return .transient("Cannot reach \(host): the name does not resolve")
        case .lookupFailed:
            return .transient("Cannot reach \(host): looking up its name failed")
        case .lookupTimedOut:
            return .transient("Cannot reach \(host): its name did not resolve within \(seconds) seconds")
        case .connectionRefused:
            return .transient("Cannot reach \(host): the connection was refused")
        case .unreachable:
            return .transient("Cannot reach \(host): no connection within \(seconds) seconds, or no route to it")
        case .addressUnsupported:
            return .permanent("Cannot reach \(host): its address is of a kind this server cannot dial")
        }
    }
}
