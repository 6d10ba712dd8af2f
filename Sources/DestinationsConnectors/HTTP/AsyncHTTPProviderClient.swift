import AsyncHTTPClient
import DestinationsCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Provider calls over AsyncHTTPClient: every call has a deadline, answers are size-bounded, redirects
/// are not followed (a redirect could lead past the outbound guard), and user-supplied hosts are vetted.
public final class AsyncHTTPProviderClient: ProviderHTTP {
    public static let maximumResponseBytes = 16 << 20

    private let client: HTTPClient
    private let outboundGuard: OutboundGuard
    private let timeout: Double

    /// - Parameters:
    ///   - timeout: seconds each call may take, connection included.
    ///   - connectionsPerHost: how many calls may run at once against one host; many destinations share
    ///     a provider's host (one Braze cluster, one HubSpot API), so this follows the job concurrency.
    public init(outboundGuard: OutboundGuard, timeout: Double, connectionsPerHost: Int = 16) {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, connectionsPerHost))
        // A refused connection fails the call at once; the job's own retries back off properly.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout = .init(
            connect: .milliseconds(Int64(min(timeout, 10) * 1000)),
            read: .milliseconds(Int64(timeout * 1000))
        )
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.outboundGuard = outboundGuard
        self.timeout = timeout
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }

    public func send(_ request: ProviderRequest) async throws -> ProviderResponse {
        let host = request.url.host ?? ""
        if request.hostSource == .userSupplied, let refusal = await outboundGuard.refusal(forHost: host) {
            throw ProviderFailure.permanent(refusal)
        }
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        outgoing.headers.add(name: "User-Agent", value: "destinations/1.0")
        for header in request.headers {
            outgoing.headers.add(name: header.name, value: header.value)
        }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
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
            throw Self.failure(error, host: host, timeout: timeout)
        }
    }

    /// What went wrong on the wire, in words: never the request (it carries credentials).
    static func failure(_ error: any Error, host: String, timeout: Double) -> ProviderFailure {
        if let failure = error as? ProviderFailure { return failure }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .writeTimeout, .connectTimeout, .tlsHandshakeTimeout:
                return .transient("\(host) did not answer within \(Int(timeout)) seconds")
            case .remoteConnectionClosed:
                return .transient("\(host) closed the connection before answering")
            default:
                return .transient("The call to \(host) failed: \(error)")
            }
        }
        if error is NIOTooManyBytesError {
            return .permanent("\(host) answered with more than \(maximumResponseBytes / (1 << 20)) MiB")
        }
        if let error = error as? NIOSSLError {
            return .permanent("TLS with \(host) failed (\(error)); check that the host serves a valid certificate")
        }
        if let error = error as? NIOConnectionError {
            let cause = error.connectionErrors.first.map { "\($0.error)" } ?? "the name does not resolve"
            return .transient("Cannot reach \(host): \(cause)")
        }
        return .transient("Cannot reach \(host): \(error)")
    }
}
