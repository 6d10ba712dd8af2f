/// Typed integer ids, so a workspace id can never be passed where a destination id is expected.
public protocol IntegerIdentifier: Hashable, Sendable, Comparable, CustomStringConvertible {
    var rawValue: Int64 { get }
    init(_ rawValue: Int64)
}

extension IntegerIdentifier {
    public var description: String { String(rawValue) }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
}

public struct WorkspaceID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

public struct OrganizationID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

public struct DestinationID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

public struct TokenID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}

public struct JobID: IntegerIdentifier {
    public let rawValue: Int64
    public init(_ rawValue: Int64) { self.rawValue = rawValue }
}
