import DestinationsCore
import Foundation

/// Marketing Cloud Account Engagement (Pardot), API version 5: Salesforce OAuth, and a business unit
/// header on every call.
struct Pardot: Connector {
    /// A Salesforce connected app with the `pardot_api` scope; sandboxes log in at test.salesforce.com
    /// (https://developer.salesforce.com/docs/marketing/pardot/guide/authentication).
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Salesforce",
        authorizeURL: "https://login.salesforce.com/services/oauth2/authorize",
        tokenURL: "https://login.salesforce.com/services/oauth2/token",
        sandboxAuthorizeURL: "https://test.salesforce.com/services/oauth2/authorize",
        sandboxTokenURL: "https://test.salesforce.com/services/oauth2/token",
        scopes: ["pardot_api", "refresh_token"],
        // Salesforce sends no expires_in: the org's session timeout applies, 15 minutes at the shortest.
        assumedLifetime: 15 * 60
    )

    let declaration = ConnectorDeclaration(
        serviceName: "pardot",
        label: "Pardot",
        authMethod: .oauth,
        documentationSlug: "pardot",
        fields: [
            CredentialField(
                id: "business_unit_id",
                label: "Business Unit ID",
                placeholder: "0Uv000000000000AAA",
                hint: "Salesforce Setup > Business Unit Setup: 18 characters, starting with 0Uv"
            ),
            CredentialField(
                id: "environment",
                label: "Environment",
                required: false,
                format: .choice(["production", "demo"]),
                placeholder: "production",
                hint: "demo for an Account Engagement Developer Edition org or a sandbox (pi.demo.pardot.com)"
            ),
        ],
        objects: [
            .standard("Prospect", "prospect")
        ]
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Pardot",
            context: context,
            headers: [
                try ProviderAPI.bearer(context, credential: "access_token"),
                ("Pardot-Business-Unit-Id", try context.credential("business_unit_id")),
            ],
            hostSource: .configured
        )
    }

    /// The v5 objects API of the account's environment: developer orgs and sandboxes (authorised at the
    /// sandbox login, which the grant records as `sandbox`) live on the demo host.
    private func objects(_ context: ConnectorContext) throws -> URL {
        let demo = context.credentials["environment"]?.stringValue == "demo" || context.credentials["sandbox"] == .bool(true)
        let host = demo ? "https://pi.demo.pardot.com" : "https://pi.pardot.com"
        return try ProviderAPI.base(context, default: host).appendingPathComponent("api/v5/objects")
    }

    /// One prospect id (`GET /api/v5/objects/prospects?fields=id&limit=1`): the read a prospect sync needs
    /// anyway (Prospect > Prospects > View), and it proves the token and the business unit go together.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Read a prospect in the business unit",
                { try await api(context).probe(try objects(context).appendingPathComponent("prospects").setting(["fields": "id", "limit": "1"])) }
            )
        ])
    }

    /// Prospects, plus one membership object per static list (`GET /api/v5/objects/lists`): dynamic lists
    /// fill themselves from their rules and take no members from outside.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let lists = try await query(try objects(context).appendingPathComponent("lists"), fields: "id,name,isDynamic", as: List.self, context)
        return declaration.objects
            + lists.filter { $0.isDynamic != true }.map { DestinationObject.standard("List: \($0.name)", "list:\($0.id)", customFields: false) }
    }

    private struct List: Decodable {
        let id: Int
        let name: String
        let isDynamic: Bool?
    }

    /// The standard prospect fields, then the business unit's custom fields (`GET /api/v5/objects/custom-fields`,
    /// ability Prospect > Prospects > Configure Fields), which prospects carry as `{fieldId}__c`.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object == "prospect" else { return [] }
        let custom = try await query(
            try objects(context).appendingPathComponent("custom-fields"),
            fields: "id,name,fieldId,type,isRequired",
            as: CustomField.self,
            context
        )
        return Self.prospectFields
            + custom.map { field -> ObjectField in
                let name = field.fieldId.hasSuffix("__c") ? field.fieldId : "\(field.fieldId)__c"
                return ObjectField(fullName: name, label: field.name, type: field.type ?? "Text", required: field.isRequired ?? false)
            }
    }

    private struct CustomField: Decodable {
        let name: String
        let fieldId: String
        let type: String?
        let isRequired: Bool?
    }

    static let prospectFields = [
        ObjectField(fullName: "id", label: "Pardot ID", type: "integer", identifier: true, createable: false, updateable: false),
        ObjectField(fullName: "email", label: "Email", type: "string", required: true, identifier: true),
        ObjectField(fullName: "firstName", label: "First Name", type: "string"),
        ObjectField(fullName: "lastName", label: "Last Name", type: "string"),
        ObjectField(fullName: "company", label: "Company", type: "string"),
        ObjectField(fullName: "jobTitle", label: "Job Title", type: "string"),
        ObjectField(fullName: "phone", label: "Phone", type: "string"),
        ObjectField(fullName: "website", label: "Website", type: "string"),
        ObjectField(fullName: "city", label: "City", type: "string"),
        ObjectField(fullName: "state", label: "State", type: "string"),
        ObjectField(fullName: "zip", label: "Zip", type: "string"),
        ObjectField(fullName: "country", label: "Country", type: "string"),
    ]

    /// Every record of a v5 query. Pages come from `nextPageToken`, which may travel with `fields` alone;
    /// the token is followed on our own URL rather than the answer's `nextPageUrl`, whose host we did not pick.
    private func query<Item: Decodable>(_ url: URL, fields: String, as item: Item.Type, _ context: ConnectorContext) async throws -> [Item] {
        let api = try api(context)
        return try await collectPages(first: url.setting(["fields": fields, "limit": "1000"])) { page in
            let (answer, _) = try await api.get(page, as: QueryPage<Item>.self)
            let next = answer.nextPageToken.flatMap { $0.isEmpty ? nil : url.setting(["fields": fields, "nextPageToken": $0]) }
            return (answer.values, next)
        }
    }

    private struct QueryPage<Item: Decodable>: Decodable {
        let values: [Item]
        let nextPageToken: String?
    }
}
