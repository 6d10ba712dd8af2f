import DestinationsCore

extension Catalog {
    /// The README's table of supported types, rendered from the registry (`destinations connectors`
    /// prints it; a test keeps the README's copy in sync).
    public static var markdownTable: String {
        var lines = [
            "| type | label | auth | credentials (`*` secret, `?` optional) |",
            "|---|---|---|---|",
        ]
        for declaration in registry.declarations {
            let oauthCode = declaration.authMethod == .oauth ? ["`\(ConnectorDeclaration.oauthCodeKey)`"] : []
            let fields = declaration.fields.map { field in
                "`\(field.id)`" + (field.secret ? "*" : "") + (field.required ? "" : "?")
            }
            let columns = [
                "`\(declaration.serviceName)`", declaration.label, declaration.authMethod.rawValue, (oauthCode + fields).joined(separator: ", "),
            ]
            lines.append("| " + columns.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n")
    }
}
