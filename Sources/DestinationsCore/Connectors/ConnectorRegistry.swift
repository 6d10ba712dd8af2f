/// The destination types this server knows, by service name.
public struct ConnectorRegistry: Sendable {
    public let declarations: [ConnectorDeclaration]
    private let byServiceName: [String: ConnectorDeclaration]

    public init(_ declarations: [ConnectorDeclaration]) {
        self.declarations = declarations.sorted { $0.serviceName < $1.serviceName }
        self.byServiceName = Dictionary(
            declarations.map { ($0.serviceName, $0) },
            uniquingKeysWith: { first, _ in
                preconditionFailure("two connectors declare the service name \(first.serviceName)")
            }
        )
    }

    public subscript(serviceName: String) -> ConnectorDeclaration? {
        byServiceName[serviceName]
    }

    /// The declaration for a type a client sent, or a 422 that lists the valid types.
    public func declaration(forType type: String) throws(APIError) -> ConnectorDeclaration {
        guard let declaration = byServiceName[type] else {
            let valid = declarations.map(\.serviceName).joined(separator: ", ")
            throw .unprocessable("Unknown destination type \(quoted(type)) in service_connection.type; valid types: \(valid)")
        }
        return declaration
    }
}

/// Quotes a client-supplied name for an error message, cut short so a huge value cannot bloat the message.
func quoted(_ value: String) -> String {
    let limit = 64
    return "\"" + (value.count > limit ? value.prefix(limit) + "..." : Substring(value)) + "\""
}
