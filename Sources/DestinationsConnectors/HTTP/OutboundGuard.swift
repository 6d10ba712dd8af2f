import DestinationsCore
import Foundation
import NIOPosix

/// Refuses calls to hosts a user could use to reach inside our network: loopback, private, link-local
/// (cloud metadata lives there), unspecified, multicast and reserved addresses, judged after DNS
/// resolution. `allowPrivateNetworks` (`OUTBOUND_ALLOW_PRIVATE_NETWORKS=true`) lifts it, for tests and
/// for on-premises providers.
///
/// The HTTP client resolves the name again when it connects, so a DNS answer that changes in between
/// (rebinding) is not caught; the check stops the plain cases (a private `instance_url`, a name that
/// resolves to one).
public struct OutboundGuard: HostPolicy {
    public let allowPrivateNetworks: Bool

    public init(allowPrivateNetworks: Bool) {
        self.allowPrivateNetworks = allowPrivateNetworks
    }

    public func refusal(for url: URL) async -> String? {
        await refusal(forHost: url.host ?? "")
    }

    /// Why `host` may not be called, or nil when it may. A name that does not resolve is not refused
    /// here: the call itself will fail and say so.
    public func refusal(forHost host: String) async -> String? {
        guard !allowPrivateNetworks else { return nil }
        let name = host.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]."))
        if name == "localhost" || name.hasSuffix(".localhost") {
            return Self.refusalMessage(host)
        }
        let addresses: [IPAddress]
        if let literal = IPAddress(literal: name) {
            addresses = [literal]
        } else {
            addresses = await Self.resolve(name)
        }
        return addresses.contains(where: \.isInternal) ? Self.refusalMessage(host) : nil
    }

    static func refusalMessage(_ host: String) -> String {
        "Refusing to call \(host): it is a loopback, private, link-local or metadata address "
            + "(set OUTBOUND_ALLOW_PRIVATE_NETWORKS=true to allow private networks)"
    }

    /// getaddrinfo, off the event loops.
    static func resolve(_ host: String) async -> [IPAddress] {
        (try? await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, nil, &hints, &result) == 0, let first = result else { return [] }
            defer { freeaddrinfo(first) }
            var addresses: [IPAddress] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                if let address = entry.pointee.ai_addr.flatMap(IPAddress.init(socketAddress:)) {
                    addresses.append(address)
                }
                cursor = entry.pointee.ai_next
            }
            return addresses
        }) ?? []
    }
}

/// An IPv4 or IPv6 address as bytes.
public struct IPAddress: Sendable, Hashable {
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    public init?(literal: String) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, literal, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, literal, &v6) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v6) { Array($0) })
        } else {
            return nil
        }
    }

    init?(socketAddress: UnsafeMutablePointer<sockaddr>) {
        switch Int32(socketAddress.pointee.sa_family) {
        case AF_INET:
            let address = socketAddress.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            self.init(bytes: withUnsafeBytes(of: address) { Array($0) })
        case AF_INET6:
            let address = socketAddress.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { $0.pointee.sin6_addr }
            self.init(bytes: withUnsafeBytes(of: address) { Array($0) })
        default:
            return nil
        }
    }

    /// Loopback, private, shared (CGNAT), link-local, unspecified, multicast, reserved or benchmark.
    public var isInternal: Bool {
        if bytes.count == 4 { return Self.isInternalV4(bytes) }
        if bytes.count == 16 {
            // IPv4-mapped (::ffff:a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) carry an IPv4 address.
            if bytes[0..<10].allSatisfy({ $0 == 0 }) && bytes[10] == 0xff && bytes[11] == 0xff
                || bytes[0..<12] == [0x00, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0]
            {
                return Self.isInternalV4(Array(bytes[12..<16]))
            }
            let unspecifiedOrLoopback = bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] <= 1
            let uniqueLocal = bytes[0] & 0xfe == 0xfc  // fc00::/7, AWS's metadata fd00:ec2::254 among them
            let linkLocal = bytes[0] == 0xfe && bytes[1] & 0xc0 == 0x80  // fe80::/10
            let multicast = bytes[0] == 0xff
            return unspecifiedOrLoopback || uniqueLocal || linkLocal || multicast
        }
        return true
    }

    private static func isInternalV4(_ b: [UInt8]) -> Bool {
        switch (b[0], b[1]) {
        case (0, _), (10, _), (127, _): true
        case (100, 64...127): true  // shared address space (CGNAT)
        case (169, 254): true  // link-local, cloud metadata (169.254.169.254)
        case (172, 16...31), (192, 168): true
        case (192, 0) where b[2] == 0: true
        case (198, 18...19): true
        case (224...255, _): true  // multicast, reserved, broadcast
        default: false
        }
    }
}
