import DestinationsCore
import Foundation

struct MoEngage: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "moengage",
        label: "MoEngage",
        authMethod: .credentials,
        documentationSlug: "moengage",
        fields: [
            CredentialField(
                id: "rest_endpoint",
                label: "REST Endpoint",
                placeholder: "api-01.moengage.com",
                hint: "The REST API Host of your data center, as MoEngage lists it (the 01 in dashboard-01.moengage.com)"
            ),
            CredentialField(id: "data_api_id", label: "Data API ID", hint: "The Workspace ID (earlier App ID): Settings > Account > APIs"),
            CredentialField(id: "data_api_key", label: "Data API Key", secret: true, hint: "Settings > Account > APIs > API Keys > Data"),
            CredentialField(id: "app_id", label: "App ID", required: false, hint: "Only when it differs from the Data API ID"),
        ],
        objects: [
            .standard("Customer", "customer", caseSensitive: true),
            .standard("Event", "event", caseSensitive: true),
        ]
    )

    /// The data center's API host, from the REST endpoint as MoEngage shows it (with or without a scheme).
    /// Only MoEngage's own `api-XX.moengage.com` hosts are taken: the data center is read from the name.
    private func host(_ credentials: [String: JSONValue]) -> (url: URL, dataCenter: String)? {
        guard var endpoint = credentials["rest_endpoint"]?.stringValue?.trimmingCharacters(in: .whitespaces), !endpoint.isEmpty else { return nil }
        if !endpoint.contains("://") { endpoint = "https://\(endpoint)" }
        guard let url = URL(string: endpoint), url.scheme == "https", let host = url.host?.lowercased(), host.hasSuffix(".moengage.com"),
            host.hasPrefix("api-"), let label = host.split(separator: ".").first
        else { return nil }
        let dataCenter = String(label.dropFirst("api-".count))
        guard !dataCenter.isEmpty, dataCenter.allSatisfy(\.isNumber), let base = URL(string: "https://\(host)") else { return nil }
        return (base, dataCenter)
    }

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let endpoint = host(credentials) else { return [] }
        return [("rest_endpoint", endpoint.url)]
    }

    /// MoEngage's test-connection call (`POST /v1/integrations/authentication`), which checks the endpoint,
    /// workspace id and data key together (https://moengage.com/docs/api/utilities/test-connection-api).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Check the REST endpoint, Data API ID and Data API Key",
                {
                    guard let endpoint = host(context.credentials) else {
                        throw ProviderFailure.permanent(
                            "The REST endpoint is not a MoEngage API host such as api-01.moengage.com; copy it from MoEngage's data center list"
                        )
                    }
                    let dataAPIID = try context.credential("data_api_id")
                    let workspace = context.credentials["app_id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? dataAPIID
                    let key = try context.credential("data_api_key")
                    let basic = Data("\(dataAPIID):\(key)".utf8).base64EncodedString()
                    let api = ProviderAPI(
                        provider: "MoEngage",
                        context: context,
                        headers: [("Authorization", "Basic \(basic)"), ("MOE-APPKEY", workspace)],
                        hostSource: .userSupplied
                    )
                    let base = try ProviderAPI.base(context, default: endpoint.url.absoluteString)
                    let body: [String: JSONValue] = [
                        "app_id": .string(workspace), "app_secret": .string(key), "source": .string("destinations"),
                        "region": .string(endpoint.dataCenter),
                    ]
                    let response = try await api.send(
                        ProviderRequest(
                            method: "POST",
                            url: base.appendingPathComponent("v1/integrations/authentication"),
                            headers: api.headers + [("Content-Type", "application/json")],
                            body: JSONValue.encodeObject(body),
                            hostSource: .userSupplied
                        )
                    )
                    // The documented success is `{"status": "success", "app_name": ...}`; anything else is a refusal.
                    let answer = try api.decode(JSONValue.self, from: response)
                    guard answer.objectValue?["status"]?.stringValue == "success" else {
                        let detail = api.providerMessage(response.body).map { ": \(context.redacted($0))" } ?? ""
                        throw ProviderFailure.permanent("MoEngage says the credentials do not check out\(detail)")
                    }
                }
            )
        ])
    }

    /// Customers and events take free-form attributes; these are the fields every call needs
    /// (https://moengage.com/docs/api/event/track-event).
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        switch object {
        case "customer":
            return [ObjectField(fullName: "customer_id", label: "Customer ID", type: "string", required: true, identifier: true)]
        case "event":
            return [
                ObjectField(fullName: "customer_id", label: "Customer ID", type: "string", required: true, identifier: true),
                ObjectField(fullName: "action", label: "Event Name", type: "string", required: true),
            ]
        default:
            return []
        }
    }
}
