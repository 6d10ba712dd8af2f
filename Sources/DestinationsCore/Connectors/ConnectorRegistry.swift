/// The destination types this server knows, by service name.
public struct ConnectorRegistry: Sendable {
    public let connectors: [any Connector]
    private let byServiceName: [String: any Connector]

    public init(_ connectors: [any Connector]) {
        self.connectors = connectors.sorted { $0.declaration.serviceName < $1.declaration.serviceName }
        self.byServiceName = Dictionary(
            connectors.map { ($0.declaration.serviceName, $0) },
            uniquingKeysWith: { first, _ in
                preconditionFailure("two connectors declare the service name \(first.declaration.serviceName)")
            }
        )
    }

    public var declarations: [ConnectorDeclaration] { connectors.map(\.declaration) }

    public subscript(serviceName: String) -> (any Connector)? {
        byServiceName[serviceName]
    }

    /// The connector for a type a client sent, or a 422 that lists the valid types.
    public func connector(forType type: String) throws(APIError) -> any Connector {
        guard let connector = byServiceName[type] else {
            let valid = connectors.map(\.declaration.serviceName).joined(separator: ", ")
            throw .unprocessable("Unknown destination type \(quoted(type)) in service_connection.type; valid types: \(valid)")
        }
        return connector
    }

    public func declaration(forType type: String) throws(APIError) -> ConnectorDeclaration {
        try connector(forType: type).declaration
    }

    /// One page of the catalogue by service name.
    public func page(_ request: PageRequest) -> Page<ConnectorDeclaration> {
        let ordered = request.order == .ascending ? declarations : declarations.reversed()
        let total = Int64(ordered.count)
        let items = request.offset(whenTotalIs: total).map { offset in
            Array(ordered.dropFirst(Int(offset)).prefix(Int(request.perPage)))
        }
        return Page(items: items ?? [], request: request, totalRecords: total)
    }

    /// The declaration the connectors endpoint names; 404 for a type this server does not know.
    public func declaration(serviceName: String) throws(APIError) -> ConnectorDeclaration {
        guard let connector = byServiceName[serviceName] else {
            throw .notFound("No connector with service name \(quoted(serviceName))")
        }
        return connector.declaration
    }
}

/// Quotes a client-supplied name for an error message, cut short so a huge value cannot bloat the message.
func quoted(_ value: String) -> String {
    let limit = 64
    return "\"" + (value.count > limit ? value.prefix(limit) + "..." : Substring(value)) + "\""
}
