import DestinationsContract
import Foundation
import Yams

/// The parameters each operation of the contract declares, read from openapi.yaml itself, so that a
/// request the generated decoders reject can be told which parameter is wrong (they say only that
/// decoding failed).
struct ParameterContract: Sendable {
    struct Parameter: Sendable, Equatable {
        enum Kind: Sendable, Equatable {
            case integer
            case choice([String])
            case text
        }

        let name: String
        /// `path` or `query`.
        let location: String
        let required: Bool
        let kind: Kind
    }

    private let byOperation: [String: [Parameter]]

    static let shared = ParameterContract(yaml: String(decoding: OpenAPIDocument.yaml, as: UTF8.self))

    init(yaml: String) {
        let document = (try? Yams.load(yaml: yaml)) as? [String: Any] ?? [:]
        let components = (document["components"] as? [String: Any])?["parameters"] as? [String: Any] ?? [:]
        func resolve(_ value: Any) -> [String: Any]? {
            guard let object = value as? [String: Any] else { return nil }
            guard let reference = object["$ref"] as? String else { return object }
            return components[String(reference.split(separator: "/").last ?? "")] as? [String: Any]
        }
        func parameter(_ raw: [String: Any]) -> Parameter? {
            guard let name = raw["name"] as? String, let location = raw["in"] as? String else { return nil }
            let schema = raw["schema"] as? [String: Any] ?? [:]
            let kind: Parameter.Kind =
                if let choices = schema["enum"] as? [Any] { .choice(choices.map { "\($0)" }) } else if schema["type"] as? String == "integer" {
                    .integer
                } else { .text }
            return Parameter(name: name, location: location, required: raw["required"] as? Bool ?? false, kind: kind)
        }
        var byOperation: [String: [Parameter]] = [:]
        for case let item as [String: Any] in (document["paths"] as? [String: Any] ?? [:]).values {
            let shared = (item["parameters"] as? [Any] ?? []).compactMap(resolve).compactMap(parameter)
            for method in ["get", "post", "put", "patch", "delete"] {
                guard let operation = item[method] as? [String: Any], let id = operation["operationId"] as? String else { continue }
                byOperation[id] = shared + (operation["parameters"] as? [Any] ?? []).compactMap(resolve).compactMap(parameter)
            }
        }
        self.byOperation = byOperation
    }

    /// What is wrong with the request's parameters for the operation, or nil when they look right.
    func problem(operation: String, pathParameters: [String: Substring], query: [URLQueryItem]) -> String? {
        for parameter in byOperation[operation] ?? [] {
            let value: String? =
                parameter.location == "path"
                ? pathParameters[parameter.name].map(String.init)
                : query.first { $0.name == parameter.name }.map { $0.value ?? "" }
            let label = (parameter.location == "path" ? "Path" : "Query") + " parameter \(parameter.name)"
            guard let value else {
                if parameter.required { return "Missing required \(label.lowercased())" }
                continue
            }
            switch parameter.kind {
            case .integer where Int64(value) == nil:
                return "\(label) must be an integer"
            case .choice(let choices) where !choices.contains(value):
                return "\(label) must be one of: \(choices.joined(separator: ", "))"
            default:
                continue
            }
        }
        return nil
    }
}
