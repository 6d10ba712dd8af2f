import Foundation

/// Any JSON value, for the free-form parts of the wire format (credentials, connection details).
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int64)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// The JSON type's name, as used in error messages ("must be a string, not a number").
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .integer, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    public var arrayValue: [JSONValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    public var intValue: Int? {
        if case .integer(let value) = self { return Int(exactly: value) }
        return nil
    }

    public var objectValue: [String: JSONValue]? {
        if case .object(let value) = self { return value }
        return nil
    }
}

extension JSONValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        // Strings first: they are most of what is stored, and every failed attempt throws (and allocates)
        // an error. The order is otherwise free: a JSON string decodes only as a String, `true`/`false`
        // only as a Bool.
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .integer(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }
}

extension JSONValue {
    /// Compact JSON bytes with sorted keys, so equal values always serialise identically.
    public static func encodeObject(_ object: [String: JSONValue]) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a [String: JSONValue] cannot fail: every case maps to a JSON value.
        return (try? encoder.encode(object)) ?? Data("{}".utf8)
    }

    /// The first key that appears twice in one object of the JSON text, if any (nil too when the text is not
    /// JSON: that is for its reader to report).
    public static func duplicateKey(in data: Data) -> String? {
        do {
            _ = try JSONValueParser.parse(data, rejectsDuplicateKeys: true)
            return nil
        } catch {
            return error.duplicateKey
        }
    }

    public static func decodeObject(_ data: Data) throws -> [String: JSONValue] {
        guard case .object(let object) = try JSONValueParser.parse(data) else {
            throw JSONParseError(reason: "expected an object", offset: 0)
        }
        return object
    }
}
