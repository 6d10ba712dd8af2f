import DestinationsCore
import Foundation
import HummingbirdTesting
import NIOCore

extension TestResponse {
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
    }
}

/// Navigation through decoded JSON; a missing key or index gives `.null`.
extension JSONValue {
    subscript(key: String) -> JSONValue {
        if case .object(let object) = self { return object[key] ?? .null }
        return .null
    }

    subscript(index: Int) -> JSONValue {
        if case .array(let array) = self, array.indices.contains(index) { return array[index] }
        return .null
    }

    var int: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    var string: String? { stringValue }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var object: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }

    var isNull: Bool { self == .null }
}

extension JSONValue: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}
