/// The database cannot be reached now (down, restarting, network trouble); the request can be retried.
public struct DatabaseUnavailable: Error, CustomStringConvertible {
    public let reason: String

    public init(_ reason: String) {
        self.reason = reason
    }

    public var description: String { "the database is unavailable: \(reason)" }
}
