import DestinationsCore
import Foundation

/// Oracle Eloqua: OAuth at login.eloqua.com, then the instance's own API host (its pod), which only
/// `GET https://login.eloqua.com/id` names
/// (https://docs.oracle.com/cloud/latest/marketingcs_gs/OMCAC/DeterminingBaseURL.html).
struct OracleEloqua: Connector {
    /// The client authenticates with HTTP Basic, never in the body; `scope` is `full` or nothing. A refresh
    /// token works once (it lives 12 months or until used), so every refresh answers a new one, which the
    /// refresher stores. The API host is looked up with the new token and kept as `base_url`.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Oracle Eloqua",
        authorizeURL: "https://login.eloqua.com/auth/oauth2/authorize",
        tokenURL: "https://login.eloqua.com/auth/oauth2/token",
        scopes: ["full"],
        clientAuthentication: .basic,
        describe: { accessToken, client, http in
            let login = client.apiBaseURL ?? URL(string: OracleEloqua.loginHost)!
            let response = try await http.send(
                ProviderRequest(
                    url: login.appendingPathComponent("id"),
                    headers: [ProviderAPI.bearer(accessToken), ("Accept", "application/json")],
                    hostSource: .configured
                )
            )
            guard (200..<300).contains(response.status) else {
                throw ProviderFailure.permanent("Oracle Eloqua did not name the instance's API host (HTTP \(response.status))")
            }
            let site = try OracleEloqua.site(from: response.body)
            var details: [String: JSONValue] = ["base_url": .string(site.base)]
            if let name = site.name { details["site_name"] = .string(name) }
            return details
        }
    )

    static let loginHost = "https://login.eloqua.com"

    let declaration = ConnectorDeclaration(
        serviceName: "oracle_eloqua",
        label: "Oracle Eloqua",
        authMethod: .oauth,
        documentationSlug: "oracle-eloqua",
        fields: [],
        objects: [
            .standard("Contact", "contact")
        ]
    )

    /// The instance behind a `/id` answer. Eloqua answers a refused token with HTTP 200 and the JSON
    /// string "Not authenticated." (a disabled user, or a call from outside the IP allowlist), so the body
    /// decides; and the API host must be Eloqua's, as every later call, with the token, goes there.
    static func site(from body: Data) throws -> (base: String, name: String?) {
        let answer = try? JSONDecoder().decode(JSONValue.self, from: body)
        guard let object = answer?.objectValue else {
            let said =
                answer?.stringValue ?? String(decoding: body.prefix(200), as: UTF8.self).trimmingCharacters(in: CharacterSet(charactersIn: "\" \n"))
            throw ProviderFailure.permanent(
                "Oracle Eloqua says \"\(said)\": the user may be disabled, lack the Advanced Users - Marketing permission, "
                    + "or be outside the instance's IP allowlist"
            )
        }
        guard let base = object["urls"]?.objectValue?["base"]?.stringValue, let url = URL(string: base), url.scheme == "https",
            let host = url.host?.lowercased(), host == "eloqua.com" || host.hasSuffix(".eloqua.com")
        else {
            throw ProviderFailure.permanent("Oracle Eloqua did not name an https eloqua.com API host for the instance")
        }
        return (base, object["site"]?.objectValue?["name"]?.stringValue)
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Oracle Eloqua",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token"), ("Accept", "application/json")],
            // The pod's host came from Eloqua's /id answer, stored among the destination's details.
            hostSource: .userSupplied
        )
    }

    /// The instance's pod, as `/id` named it when the user authorised.
    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: try context.credential("base_url"))
    }

    /// `GET https://login.eloqua.com/id`, which needs only a working token (and the Advanced Users -
    /// Marketing permission); an instance moved to another pod since the authorisation is reported, as
    /// the stored API host no longer serves it.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            (
                "Look up the Eloqua instance's API host",
                {
                    let login = ProviderAPI(
                        provider: "Oracle Eloqua",
                        context: context,
                        headers: [try ProviderAPI.bearer(context, credential: "access_token"), ("Accept", "application/json")],
                        hostSource: .configured
                    )
                    let url = try ProviderAPI.base(context, default: Self.loginHost).appendingPathComponent("id")
                    let response = try await login.send(ProviderRequest(url: url, headers: login.headers, hostSource: .configured))
                    let site = try Self.site(from: response.body)
                    if let stored = context.credentials["base_url"]?.stringValue, stored != site.base {
                        throw ProviderFailure.permanent(
                            "Oracle Eloqua now serves the instance from \(site.base), not \(stored): authorize again to keep the new address"
                        )
                    }
                }
            )
        ])
    }

    /// Contacts, one membership object per contact list (`GET /api/REST/1.0/assets/contact/lists`), and
    /// the custom objects (`GET /api/REST/2.0/assets/customObjects`), both paged by page number.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let base = try base(context)
        let lists = try await assets(base.appendingPathComponent("api/REST/1.0/assets/contact/lists"), context)
        let customObjects = try await assets(base.appendingPathComponent("api/REST/2.0/assets/customObjects"), context)
        return declaration.objects
            + lists.map { DestinationObject.standard("Contact List: \($0.name)", "list:\($0.id)", customFields: false) }
            + customObjects.map { DestinationObject.standard($0.name, "custom_object:\($0.id)") }
    }

    /// The Bulk API's field metadata: contact fields (`GET /api/bulk/2.0/contacts/fields`) or a custom
    /// object's (`GET /api/bulk/2.0/customObjects/{id}/fields`). Unique fields identify records.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let bulk = try base(context).appendingPathComponent("api/bulk/2.0")
        let url: URL
        if object == "contact" {
            url = bulk.appendingPathComponent("contacts/fields")
        } else if object.hasPrefix("custom_object:") {
            url = bulk.appendingPathComponent("customObjects/\(object.dropFirst("custom_object:".count))/fields")
        } else {
            return []
        }
        let api = try api(context)
        let fields = try await collectPages(first: url.setting(["limit": "1000", "offset": "0"])) { page in
            let (answer, _) = try await api.get(page, as: FieldPage.self)
            let offset = (answer.offset ?? 0) + answer.items.count
            let next = answer.hasMore == true && !answer.items.isEmpty ? url.setting(["limit": "1000", "offset": String(offset)]) : nil
            return (answer.items, next)
        }
        return fields.map { field in
            ObjectField(
                fullName: field.internalName ?? field.name,
                label: field.name,
                type: field.dataType ?? "string",
                required: field.hasNotNullConstraint ?? false,
                identifier: field.hasUniquenessConstraint ?? false,
                createable: field.hasReadOnlyConstraint != true,
                updateable: field.hasReadOnlyConstraint != true
            )
        }
    }

    private struct FieldPage: Decodable {
        let items: [Field]
        let offset: Int?
        let hasMore: Bool?

        struct Field: Decodable {
            let name: String
            let internalName: String?
            let dataType: String?
            let hasReadOnlyConstraint: Bool?
            let hasNotNullConstraint: Bool?
            let hasUniquenessConstraint: Bool?
        }
    }

    /// Every asset of an application API list, a page (`page`, from 1) of up to 1,000 at a time. A search
    /// that matches nothing may answer 204 with no body.
    private func assets(_ url: URL, _ context: ConnectorContext) async throws -> [Asset] {
        let api = try api(context)
        return try await collectPages(first: url.setting(["depth": "minimal", "count": "1000", "page": "1"])) { pageURL in
            let response = try await api.send(ProviderRequest(url: pageURL, headers: api.headers, hostSource: api.hostSource))
            guard response.status != 204, !response.body.isEmpty else { return ([Asset](), nil) }
            let answer = try api.decode(AssetPage.self, from: response)
            let page = answer.page ?? 1
            let seen = (page - 1) * (answer.pageSize ?? 1_000) + answer.elements.count
            let more = !answer.elements.isEmpty && seen < (answer.total ?? 0)
            return (answer.elements, more ? url.setting(["depth": "minimal", "count": "1000", "page": String(page + 1)]) : nil)
        }
    }

    private struct AssetPage: Decodable {
        let elements: [Asset]
        let page: Int?
        let pageSize: Int?
        let total: Int?
    }

    /// Eloqua writes ids as strings ("51"); a number is taken too.
    private struct Asset: Decodable {
        let id: String
        let name: String

        private enum CodingKeys: String, CodingKey {
            case id
            case name
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            if let text = try? container.decode(String.self, forKey: .id) {
                id = text
            } else {
                id = String(try container.decode(Int64.self, forKey: .id))
            }
            name = try container.decode(String.self, forKey: .name)
        }
    }
}
