import Foundation
import NIOPosix

/// Turns a host name into addresses: the seam where tests put a resolver of their own.
public protocol NameResolver: Sendable {
    /// The addresses `host` has now, empty when it has none (the name does not exist). Throws when the
    /// lookup itself failed (no answer, a server failure): nothing is known then.
    func addresses(of host: String) async throws -> [IPAddress]
}

/// The C library's resolver (getaddrinfo: /etc/hosts, then DNS), on threads of its own: a lookup blocks
/// its thread for as long as the resolver takes, so it must not run where other work waits for threads
/// (NIO's shared pool, which AsyncHTTPClient and file I/O use).
public struct SystemNameResolver: NameResolver {
    struct LookupFailed: Error {
        let code: Int32
    }

    /// As many threads as the lanes of `HostResolution` may look up at once, so a lane never queues
    /// behind another's lookups. Process-wide and never stopped, like NIO's own pool.
    private static let pool: NIOThreadPool = {
        let pool = NIOThreadPool(numberOfThreads: HostResolution.Lane.allCases.reduce(0) { $0 + $1.concurrency })
        pool.start()
        return pool
    }()

    public init() {}

    public func addresses(of host: String) async throws -> [IPAddress] {
        try await Self.pool.runIfActive { try Self.lookUp(host) }
    }

    private static func lookUp(_ host: String) throws -> [IPAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &result)
        switch status {
        case 0:
            break
        case EAI_NONAME:
            return []
        default:
            throw LookupFailed(code: status)
        }
        guard let first = result else { return [] }
        defer { freeaddrinfo(first) }
        var addresses: [IPAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let entry = cursor {
            if let address = entry.pointee.ai_addr.flatMap(IPAddress.init(socketAddress:)), !addresses.contains(address) {
                addresses.append(address)
            }
            cursor = entry.pointee.ai_next
        }
        return addresses
    }
}
