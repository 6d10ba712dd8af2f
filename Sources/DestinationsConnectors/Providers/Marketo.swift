import DestinationsCore
import Foundation

struct Marketo: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "marketo",
        label: "Marketo",
        authMethod: .credentials,
        documentationSlug: "marketo",
        fields: [
            CredentialField(
                id: "endpoint_url",
                label: "REST Endpoint",
                format: .url,
                placeholder: "https://123-ABC-456.mktorest.com",
                hint: "Admin > Web Services, without /rest"
            ),
            CredentialField(id: "client_id", label: "Client ID"),
            CredentialField(id: "client_secret", label: "Client Secret", secret: true),
        ],
        objects: [
            .standard("Lead", "lead"),
            .standard("Named Account", "named_account"),
        ]
    )

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: try context.credential("endpoint_url"))
    }

    /// A token from the identity service (client credentials), then the calls with it. Marketo answers
    /// most errors with HTTP 200 and `success: false`; those become failures here.
    private func api(_ context: ConnectorContext) async throws -> ProviderAPI {
        let grant = ClientCredentialsGrant(
            provider: "Marketo",
            tokenURL: try base(context).appendingPathComponent("identity/oauth/token"),
            encoding: .query,
            hostSource: .userSupplied
        )
        return ProviderAPI(
            provider: "Marketo",
            context: context,
            headers: [ProviderAPI.bearer(try await grant.token(context).accessToken)],
            hostSource: .userSupplied
        )
    }

    private func result(_ api: ProviderAPI, _ url: URL) async throws -> [[String: JSONValue]] {
        let (answer, _) = try await api.get(url, as: JSONValue.self)
        guard answer.objectValue?["success"] == .bool(true) else {
            let error = answer.objectValue?["errors"]?.arrayValue?.first?.objectValue
            let code = error?["code"]?.stringValue ?? "?"
            let message = error?["message"]?.stringValue ?? "unknown error"
            // 606 and 615 are rate limits; 601/602 token problems; the rest are refusals.
            throw ["606", "615"].contains(code)
                ? ProviderFailure.transient("Marketo is rate limiting (\(code) \(message))")
                : ProviderFailure.permanent("Marketo refused the call (\(code) \(message))")
        }
        return (answer.objectValue?["result"]?.arrayValue ?? []).compactMap(\.objectValue)
    }

    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        let authorised = ConnectionCheck.Handoff<ProviderAPI>()
        return try await ConnectionCheck.run([
            ("Get an access token with the client credentials", { authorised.put(try await api(context)) }),
            (
                "Read the lead schema",
                { _ = try await result(try authorised.value, try base(context).appendingPathComponent("rest/v1/leads/describe.json")) }
            ),
        ])
    }

    /// Leads and named accounts, plus the instance's custom objects (`GET /rest/v1/customobjects.json`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let objects = try await result(try await api(context), try base(context).appendingPathComponent("rest/v1/customobjects.json"))
        return declaration.objects
            + objects.compactMap { object in
                object["name"]?.stringValue.map { .standard(object["displayName"]?.stringValue ?? $0, "custom:\($0)") }
            }
    }

    /// Lead fields from `leads/describe.json`: those without a REST name cannot be written over REST.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object == "lead" else { return [] }
        let fields = try await result(try await api(context), try base(context).appendingPathComponent("rest/v1/leads/describe.json"))
        return fields.compactMap { field in
            guard let rest = field["rest"]?.objectValue, let name = rest["name"]?.stringValue else { return nil }
            let writable = rest["readOnly"] != .bool(true)
            return ObjectField(
                fullName: name,
                label: field["displayName"]?.stringValue ?? name,
                type: field["dataType"]?.stringValue ?? "string",
                identifier: name == "email" || name == "id",
                createable: writable,
                updateable: writable
            )
        }
    }
}
