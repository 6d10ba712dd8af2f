import DestinationsCore
import Foundation

extension Catalog {
    static let contractBegin = "    # registry: begin"
    static let contractEnd = "    # registry: end"

    /// The schemas of openapi.yaml that follow from the registry: the destination types, the OAuth ones, and
    /// a create request per type with that type's credentials, each checked as the server checks it
    /// (`destinations contract-schemas` prints them between their markers; a test keeps the contract's copy
    /// in sync).
    public static var contractSchemas: String {
        let declarations = registry.declarations
        let oauth = registry.connectors.filter { $0.oauth != nil }.map(\.declaration.serviceName)
        let schemas: YAML = .map([
            (
                "DestinationType",
                .map([
                    ("type", "string"),
                    ("description", .quoted("A destination type's service name (GET /connectors describes each).")),
                    ("enum", .flow(declarations.map(\.serviceName))),
                ])
            ),
            (
                "OAuthDestinationType",
                .map([
                    ("type", "string"),
                    ("description", .quoted("The service name of a destination type that connects through OAuth.")),
                    ("enum", .flow(oauth)),
                ])
            ),
            (
                "HTTPURL",
                .map([
                    ("type", "string"),
                    ("description", .quoted("An absolute http or https URL.")),
                    ("maxLength", .plain("\(FieldFormat.url.maximumLength!)")),
                    ("pattern", .quoted(TextPatterns.httpURL)),
                ])
            ),
            (
                "Subdomain",
                .map([
                    ("type", "string"), ("description", .quoted("A DNS label: letters, digits and dashes.")),
                    ("pattern", .quoted(TextPatterns.subdomain)),
                ])
            ),
            (
                "Hostname",
                .map([
                    ("type", "string"), ("description", .quoted("A DNS name: labels of letters, digits and dashes, joined by dots.")),
                    ("maxLength", .plain("\(FieldFormat.hostname.maximumLength!)")), ("pattern", .quoted(TextPatterns.hostname)),
                ])
            ),
            (
                "CreateDestinationRequest",
                .map([
                    ("description", .quoted("A new destination of one of the types, with that type's credentials (secret ones are never returned).")),
                    ("oneOf", .list(declarations.map(createRequest))),
                ])
            ),
        ])
        return
            ([contractBegin, "    # Generated from the connector registry by `destinations contract-schemas`: edit the connectors, not this."]
            + schemas.lines(indent: 4) + [contractEnd]).joined(separator: "\n")
    }

    private static func createRequest(_ declaration: ConnectorDeclaration) -> YAML {
        var credentials = declaration.fields.map { ($0.id, $0.required, schema(for: $0)) }
        if declaration.authMethod == .oauth {
            let code: YAML = .map([
                ("type", "string"),
                ("pattern", .quoted(TextPatterns.nonBlank)),
                ("description", .quoted("The code the provider handed back after consent (GET /destinations/authorize_url).")),
            ])
            let state: YAML = .map([
                ("type", .flow(["string", "'null'"])), ("description", .quoted("The state the provider handed back with the code.")),
            ])
            credentials = [(ConnectorDeclaration.oauthCodeKey, true, code)] + credentials + [(ConnectorDeclaration.oauthStateKey, false, state)]
        }
        let type: YAML = .map([("const", .plain(declaration.serviceName))])
        return .map([
            ("title", .plain(declaration.serviceName)),
            ("type", "object"),
            ("required", .flow(["service_connection"])),
            (
                "properties",
                .map([
                    (
                        "service_connection",
                        .map([
                            ("type", "object"),
                            ("required", .flow(["type", "credentials"])),
                            (
                                "properties",
                                .map([
                                    ("type", type),
                                    (
                                        "name",
                                        nullable(
                                            .map([("$ref", .quoted("#/components/schemas/DestinationName"))]),
                                            "Defaults to \(declaration.label)."
                                        )
                                    ),
                                    (
                                        "credentials",
                                        .map([
                                            ("type", "object"),
                                            ("additionalProperties", "false"),
                                            ("required", .flow(credentials.filter(\.1).map(\.0))),
                                            ("properties", .map(credentials.map { ($0.0, $0.2) })),
                                        ])
                                    ),
                                ])
                            ),
                        ])
                    ),
                    ("type", nullable(type, "Sent by the Census Terraform provider: the same type again.")),
                ])
            ),
        ])
    }

    /// A field's value as the server takes it: a required field in its format; an optional one also blank
    /// (no value) or null.
    private static func schema(for field: CredentialField) -> YAML {
        var format: [(String, YAML)]
        switch field.format {
        case .text: format = [("type", "string")] + (field.required ? [("pattern", .quoted(TextPatterns.nonBlank))] : [])
        case .url: format = [("$ref", .quoted("#/components/schemas/HTTPURL"))]
        case .email: format = [("type", "string"), ("pattern", .quoted(TextPatterns.email))]
        case .subdomain: format = [("$ref", .quoted("#/components/schemas/Subdomain"))]
        case .hostname: format = [("$ref", .quoted("#/components/schemas/Hostname"))]
        // A whole number too: the Terraform provider sends "123" as 123.
        case .digits:
            format = [
                ("type", .flow(["string", "integer"])), ("pattern", .quoted(TextPatterns.digits)), ("minimum", "0"),
                ("maximum", .plain("\(FieldFormat.largestWholeNumber)")),
            ]
        case .choice(let choices): format = [("enum", .flow(choices))]
        case .keyValues:
            format = [
                ("type", "object"),
                ("maxProperties", .plain("\(FieldFormat.maximumEntries)")),
                ("propertyNames", .map([("pattern", .quoted(TextPatterns.headerName))])),
                ("additionalProperties", .map([("type", "string")])),
            ]
        }
        let length: [(String, YAML)] = field.format.maximumLength.map { [("maxLength", .plain("\($0)"))] } ?? []
        // HTTPURL carries its own.
        if field.format != .url { format += length }
        let description = field.label + (field.hint.map { ". \($0)" } ?? "") + (field.secret ? " (secret: never returned)" : "")
        guard !field.required else { return .map(format + [("description", .quoted(description))]) }
        // A blank string is no value, where the value is a string other than free text (which takes it as is).
        let takesBlank = ![.text, .keyValues].contains(field.format)
        let blank: [(String, YAML)] = takesBlank ? [("type", "string")] + length + [("pattern", .quoted(TextPatterns.blank))] : []
        let choices: [YAML] = [.map(format)] + (blank.isEmpty ? [] : [.map(blank)]) + [.map([("type", "'null'")])]
        return .map([("anyOf", .list(choices)), ("description", .quoted(description + ". Optional: blank or null is no value"))])
    }

    private static func nullable(_ schema: YAML, _ description: String) -> YAML {
        .map([("anyOf", .list([schema, .map([("type", "'null'")])])), ("description", .quoted(description))])
    }
}

/// Just enough YAML to write schemas: block maps and lists, flow lists, and scalars as given or single-quoted.
private indirect enum YAML: ExpressibleByStringLiteral {
    case plain(String)
    case quoted(String)
    case flow([String])
    case map([(String, YAML)])
    case list([YAML])

    init(stringLiteral value: String) {
        self = .plain(value)
    }

    func lines(indent: Int) -> [String] {
        let pad = String(repeating: " ", count: indent)
        switch self {
        case .map(let entries):
            return entries.flatMap { key, value in
                switch value {
                case .map, .list: ["\(pad)\(key):"] + value.lines(indent: indent + 2)
                default: ["\(pad)\(key): \(value.inline)"]
                }
            }
        case .list(let items):
            return items.flatMap { item in
                let nested = item.lines(indent: indent + 2)
                return ["\(pad)- " + nested[0].dropFirst(indent + 2)] + nested.dropFirst()
            }
        default:
            return [pad + inline]
        }
    }

    private var inline: String {
        switch self {
        case .plain(let text): text
        case .quoted(let text): "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
        case .flow(let items): "[" + items.joined(separator: ", ") + "]"
        case .map, .list: ""
        }
    }
}
