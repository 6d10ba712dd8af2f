import DestinationsCore
import Foundation

struct MicrosoftDynamics: Connector {
    let oauth: (any OAuthProvider)? = DynamicsOAuth.provider

    let declaration = ConnectorDeclaration(
        serviceName: "microsoft_dynamics",
        label: "Microsoft Dynamics 365",
        authMethod: .oauth,
        documentationSlug: "microsoft-dynamics",
        fields: [
            CredentialField(
                id: "domain",
                label: "Environment Host",
                format: .hostname,
                placeholder: "acme.crm.dynamics.com",
                hint: "The host of the environment URL, as in Power Platform admin center > Environments (acme.crm4.dynamics.com in Europe)"
            )
        ],
        objects: [
            .standard("Account", "account"),
            .standard("Contact", "contact"),
            .standard("Lead", "lead"),
            .standard("Opportunity", "opportunity"),
            .standard("Marketing List", "list"),
        ]
    )

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let host = credentials["domain"]?.stringValue, let url = URL(string: "https://\(host)") else { return [] }
        return [("domain", url)]
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Dynamics 365",
            context: context,
            headers: [
                try ProviderAPI.bearer(context, credential: "access_token"), ("Accept", "application/json"), ("OData-MaxVersion", "4.0"),
                ("OData-Version", "4.0"),
            ],
            hostSource: .userSupplied
        )
    }

    /// The environment's Web API.
    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://\(try context.credential("domain"))").appendingPathComponent("api/data/v9.2")
    }

    /// A GET whose refusal is explained: Dataverse answers a token it will not take (wrong audience,
    /// expired) with HTTP 401 and an empty body, the reason being in `WWW-Authenticate`.
    private func get<Answer: Decodable>(_ url: URL, as answer: Answer.Type, _ context: ConnectorContext) async throws -> Answer {
        let api = try api(context)
        let request = ProviderRequest(url: url, headers: api.headers, hostSource: context.baseURLOverride == nil ? .userSupplied : .configured)
        let response = try await context.http.send(request)
        if response.status == 401, response.body.isEmpty, let challenge = response.headers["www-authenticate"], !challenge.isEmpty {
            throw ProviderFailure.permanent(
                "Dynamics 365 rejected the access token (HTTP 401): \(context.redacted(String(challenge.prefix(300)))). Authorize again"
            )
        }
        if let failure = api.failure(for: response, path: url.path) { throw failure }
        return try api.decode(answer, from: response)
    }

    /// The signed-in user, business unit and organization: `GET /api/data/v9.2/WhoAmI`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read the authorised Dynamics 365 user (WhoAmI)",
                { _ = try await get(try base(context).appendingPathComponent("WhoAmI"), as: WhoAmI.self, context) }
            )
        ])
    }

    /// The standard tables, then every other table of the environment (`GET EntityDefinitions`, one
    /// unpaged answer).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let url = try base(context).appendingPathComponent("EntityDefinitions").setting(["$select": "LogicalName,DisplayName"])
        let tables = try await get(url, as: ODataList<Entity>.self, context).value
        let standard = Set(declaration.objects.map(\.fullName))
        return declaration.objects
            + tables.filter { !standard.contains($0.LogicalName) }.map { .standard($0.DisplayName?.label ?? $0.LogicalName, $0.LogicalName) }
    }

    /// The table's columns (`GET EntityDefinitions(LogicalName='…')/Attributes`, unpaged), with
    /// Dataverse's own create/update validity and required level; the primary id matches records.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let url = try base(context).appendingPathComponent("EntityDefinitions(LogicalName='\(object)')").appendingPathComponent("Attributes")
            .setting(["$select": "LogicalName,AttributeType,DisplayName,IsValidForCreate,IsValidForUpdate,RequiredLevel,IsPrimaryId"])
        let columns = try await get(url, as: ODataList<Attribute>.self, context).value
        return columns.map { column in
            ObjectField(
                fullName: column.LogicalName,
                label: column.DisplayName?.label ?? column.LogicalName,
                type: column.AttributeType ?? "String",
                required: column.RequiredLevel?.Value == "ApplicationRequired" || column.RequiredLevel?.Value == "SystemRequired",
                identifier: column.IsPrimaryId == true,
                createable: column.IsValidForCreate ?? false,
                updateable: column.IsValidForUpdate ?? false
            )
        }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as Dataverse spells its JSON.
    private struct WhoAmI: Decodable {
        let UserId: String
    }

    private struct ODataList<Item: Decodable>: Decodable {
        let value: [Item]
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct Entity: Decodable {
        let LogicalName: String
        let DisplayName: DisplayLabel?
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct Attribute: Decodable {
        let LogicalName: String
        let AttributeType: String?
        let DisplayName: DisplayLabel?
        let IsValidForCreate: Bool?
        let IsValidForUpdate: Bool?
        let IsPrimaryId: Bool?
        let RequiredLevel: ManagedValue?
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct DisplayLabel: Decodable {
        let UserLocalizedLabel: Localized?

        struct Localized: Decodable {
            let Label: String
        }

        var label: String? { UserLocalizedLabel?.Label }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    private struct ManagedValue: Decodable {
        let Value: String
    }
}

/// The Microsoft identity platform's flow for one Dataverse environment. Its access tokens are for one
/// environment (the audience is the environment's URL), so the scopes name the host the user gave as the
/// authorisation's `domain`; `offline_access` brings a refresh token, which Microsoft replaces on every
/// refresh. `organizations`: work and school accounts of any tenant.
enum DynamicsOAuth {
    static let provider = DomainOAuth { domain in
        let host = domain.lowercased()
        guard host.hasSuffix(".dynamics.com") else {
            throw ProviderFailure.permanent("domain \(domain.isEmpty ? "(none)" : domain) is not a Dynamics 365 environment host (*.dynamics.com)")
        }
        return StandardOAuth(
            provider: "Microsoft",
            authorizeURL: "https://login.microsoftonline.com/organizations/oauth2/v2.0/authorize",
            tokenURL: "https://login.microsoftonline.com/organizations/oauth2/v2.0/token",
            scopes: ["https://\(host)/user_impersonation", "offline_access"],
            scopesInTokenRequests: true
        )
    }
}
