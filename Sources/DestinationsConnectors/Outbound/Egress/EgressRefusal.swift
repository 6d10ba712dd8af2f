import Foundation
import NIOCore
import NIOPosix
import NIOSOCKS

/// Why the egress did not open a tunnel, as the SOCKS5 reply that carries it to the client, and back into
/// words there. Both ends are ours; the codes keep RFC 1928's meanings.
enum EgressRefusal: Error, Equatable {
    /// The guard refused the address (the name resolved inside the network).
    case internalAddress
    case noSuchHost
    case lookupFailed
    case lookupTimedOut
    case connectionRefused
    /// Unreachable, or no answer to the connection in time.
    case unreachable
    case addressUnsupported

    var reply: SOCKSServerReply {
        switch self {
        case .internalAddress: .notAllowed
        case .noSuchHost: .hostUnreachable
        case .lookupFailed: .serverFailure
        case .lookupTimedOut: .ttlExpired
        case .connectionRefused: .refused
        case .unreachable: .networkUnreachable
        case .addressUnsupported: .addressUnsupported
        }
    }

    init?(reply: SOCKSServerReply) {
        switch reply {
        case .notAllowed: self = .internalAddress
        case .hostUnreachable: self = .noSuchHost
        case .serverFailure: self = .lookupFailed
        case .ttlExpired: self = .lookupTimedOut
        case .refused: self = .connectionRefused
        case .networkUnreachable: self = .unreachable
        case .addressUnsupported: self = .addressUnsupported
        default: return nil
        }
    }

    init(connectionError error: any Error) {
        let refused = { (error: any Error) in (error as? IOError)?.errnoCode == ECONNREFUSED }
        if refused(error) || (error as? NIOConnectionError)?.connectionErrors.contains(where: { refused($0.error) }) == true {
            self = .connectionRefused
        } else {
            self = .unreachable
        }
    }
}
