import DestinationsCore
import Foundation

/// A clock tests move by hand.
final class MutableClock: WallClock, @unchecked Sendable {
    private let lock = NSLock()
    private var instant = Date()

    func now() -> Date { lock.withLock { instant } }

    func advance(by seconds: TimeInterval) { lock.withLock { instant += seconds } }
}
