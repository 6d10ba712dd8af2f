import Foundation

/// 127.0.0.1 at `port` (0: any free one), as the socket calls take it.
public func loopbackAddress(port: UInt16 = 0) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = port.bigEndian
    return address
}

/// A TCP socket bound to a free loopback port and not listening: connecting to it is refused, and no other
/// server can take the port while the descriptor is open. The caller closes it.
public func boundLoopbackSocket() throws -> (descriptor: Int32, port: Int) {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    var address = loopbackAddress()
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(descriptor, $0, length) == 0 && getsockname(descriptor, $0, &length) == 0 }
    }
    guard bound else {
        close(descriptor)
        throw SocketFailure(errno: errno)
    }
    return (descriptor, Int(UInt16(bigEndian: address.sin_port)))
}

public struct SocketFailure: Error {
    public let errno: Int32
}
