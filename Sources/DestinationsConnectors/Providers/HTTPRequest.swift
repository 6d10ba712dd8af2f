import DestinationsCore
import Foundation

/// Census's "HTTP Request" destination: any HTTP endpoint, records sent per a template set per sync.
struct HTTPRequest: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "http",
        label: "HTTP Request",
        authMethod: .credentials,
        documentationSlug: "http-request",
        fields: [
            CredentialField(id: "base_url", label: "Base URL", format: .url, placeholder: "https://api.example.com"),
            CredentialField(id: "method", label: "Method of the connection check", required: false, format: .choice(["GET", "HEAD", "OPTIONS"])),
            CredentialField(
                id: "headers",
                label: "Headers",
                required: false,
                secret: true,
                format: .keyValues,
                hint: "Sent with every request; their values are kept secret"
            ),
        ],
        objects: [.standard("Request", "request", caseSensitive: true)]
    )

    /// There is no API to ask; the check is that the base URL answers at all with these headers (a 401
    /// or 403 says they are wrong; any other answer says the server is there).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Reach the base URL",
                {
                    let url = try ProviderAPI.base(context, default: try context.credential("base_url"))
                    let headers = (context.credentials["headers"]?.objectValue ?? [:]).compactMap { name, value in
                        value.stringValue.map { (name: name, value: $0) }
                    }
                    let response = try await context.http.send(
                        ProviderRequest(
                            method: context.credentials["method"]?.stringValue ?? "GET",
                            url: url,
                            headers: headers,
                            hostSource: .userSupplied
                        )
                    )
                    if [401, 403].contains(response.status) || response.status >= 500 {
                        let api = ProviderAPI(provider: url.host ?? "The server", context: context, headers: [], hostSource: .userSupplied)
                        if let failure = api.failure(for: response, path: url.path) { throw failure }
                    }
                }
            )
        ])
    }
}
