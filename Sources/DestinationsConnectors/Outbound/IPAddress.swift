import Foundation
import NIOCore

/// An IPv4 or IPv6 address as bytes.
public struct IPAddress: Sendable, Hashable, CustomStringConvertible {
    public let bytes: [UInt8]

    init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// An address written out, in every form the C library would dial: besides the dotted quad and IPv6,
    /// IPv4's short and numeric spellings (`127.1`, `2130706433`, `0x7f.0.0.1`), which getaddrinfo
    /// turns into addresses without asking DNS, so that they are judged as the addresses they are.
    public init?(literal: String) {
        self.init(literal) { inet_aton($0, &$1) }
    }

    /// An address in its canonical spelling only (dotted quad, IPv6, bracketed or not): what an HTTP client
    /// connects to without a lookup.
    init?(canonical host: String) {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        self.init(bare) { inet_pton(AF_INET, $0, &$1) }
    }

    private init?(_ text: String, ipv4: (String, inout in_addr) -> Int32) {
        var v4 = in_addr()
        var v6 = in6_addr()
        if ipv4(text, &v4) == 1 {
            self.init(bytes: withUnsafeBytes(of: &v4) { Array($0) })
        } else if inet_pton(AF_INET6, text, &v6) == 1 {
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

    init?(_ address: SocketAddress) {
        switch address {
        case .v4(let v4):
            self.init(bytes: withUnsafeBytes(of: v4.address.sin_addr) { Array($0) })
        case .v6(let v6):
            self.init(bytes: withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) })
        case .unixDomainSocket:
            return nil
        }
    }

    /// The socket address to dial for `port`.
    func socketAddress(port: Int) throws -> SocketAddress {
        try SocketAddress(packedIPAddress: ByteBuffer(bytes: bytes), port: port)
    }

    public var description: String {
        var text = [CChar](repeating: 0, count: Int(INET6_ADDRSTRLEN))
        let family = bytes.count == 4 ? AF_INET : AF_INET6
        _ = bytes.withUnsafeBytes { inet_ntop(family, $0.baseAddress, &text, socklen_t(text.count)) }
        return String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
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
