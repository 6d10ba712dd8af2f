import DestinationsCore
import Foundation

struct Airtable: Connector {
    /// What a sync needs: reading and writing records, and reading base schemas to list tables and fields.
    static let scopes = ["data.records:read", "data.records:write", "schema.bases:read"]

    /// Airtable requires PKCE (S256) on every authorisation, and takes the client in HTTP Basic at the token
    /// endpoint when the integration has a secret. Each refresh answers a new refresh token and voids the
    /// old one; the refresher keeps whatever refresh token the answer carries.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Airtable",
        authorizeURL: "https://airtable.com/oauth2/v1/authorize",
        tokenURL: "https://airtable.com/oauth2/v1/token",
        scopes: Airtable.scopes,
        clientAuthentication: .basic,
        pkce: true
    )

    /// Tables are discovered per base, so there is no static catalogue.
    let declaration = ConnectorDeclaration(
        serviceName: "airtable",
        label: "Airtable",
        authMethod: .oauth,
        documentationSlug: "airtable",
        fields: [],
        objects: []
    )

    /// Field types whose values Airtable computes; the API refuses writes to them.
    static let computedTypes: Set<String> = [
        "formula", "rollup", "count", "lookup", "multipleLookupValues", "createdTime", "lastModifiedTime", "createdBy",
        "lastModifiedBy", "autoNumber", "button", "externalSyncSource", "aiText",
    ]

    /// The short-text types a record can be matched on. Airtable enforces uniqueness on no field, the
    /// primary one included, and an upsert (`performUpsert.fieldsToMergeOn`) may name any field; Census
    /// asks for a short-text key. So every writable short-text field is a candidate, not only the primary.
    static let keyTypes: Set<String> = ["singleLineText", "email", "url", "phoneNumber"]

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api.airtable.com")
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Airtable",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token")],
            hostSource: .configured
        )
    }

    /// The token's user (`GET /v0/meta/whoami`, which needs no scope), then the scopes it was granted:
    /// Airtable lists them for OAuth tokens only, so a token without the list is not judged on it.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        let identity = ConnectionCheck.Handoff<Identity>()
        return try await ConnectionCheck.run([
            (
                "Identify the authorised Airtable user",
                {
                    let (answer, _) = try await api(context).get(try base(context).appendingPathComponent("v0/meta/whoami"), as: Identity.self)
                    identity.put(answer)
                }
            ),
            (
                "Check the token may read and write records and read base schemas",
                {
                    guard let granted = try identity.value.scopes else { return }
                    let missing = Self.scopes.filter { !granted.contains($0) }
                    guard missing.isEmpty else {
                        throw ProviderFailure.permanent(
                            "The Airtable authorisation lacks the scopes \(missing.joined(separator: ", ")); "
                                + "enable them on the OAuth integration and authorize again"
                        )
                    }
                }
            ),
        ])
    }

    /// Every table of every base the token may read (`GET /v0/meta/bases`, offset pages, then
    /// `GET /v0/meta/bases/{baseId}/tables` per base), named `{baseId}/{tableId}` so that renaming
    /// either in Airtable does not break a sync.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try api(context)
        let basesURL = try base(context).appendingPathComponent("v0/meta/bases")
        let bases = try await collectPages(first: basesURL) { url in
            let (page, _) = try await api.get(url, as: BasePage.self)
            return (page.bases, page.offset.map { basesURL.setting(["offset": $0]) })
        }
        var objects: [DestinationObject] = []
        // A base shared with permission "none" has no schema this token may read.
        for base in bases where base.permissionLevel != "none" && Self.isAirtableID(base.id) {
            objects += try await tables(of: base.id, api, context).filter { Self.isAirtableID($0.id) }.map { table in
                DestinationObject.standard("\(base.name) / \(table.name)", "\(base.id)/\(table.id)", customFields: false, caseSensitive: true)
            }
        }
        return objects
    }

    /// The table's fields from its base's schema, by field id (Airtable takes ids wherever it takes names,
    /// and ids survive renames); computed fields are read-only.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let parts = object.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2, parts.allSatisfy(Self.isAirtableID) else {
            throw ProviderFailure.permanent(
                "\(object) is not an Airtable table: expected {baseId}/{tableId}, such as appLkNDICXNqxSDhG/tbltp8DGLhqbUmjK1"
            )
        }
        let api = try api(context)
        guard let table = try await tables(of: parts[0], api, context).first(where: { $0.id == parts[1] }) else {
            throw ProviderFailure.permanent("Airtable has no table \(parts[1]) in base \(parts[0]) that this authorisation can read")
        }
        return table.fields.map { field in
            let writable = !Self.computedTypes.contains(field.type)
            return ObjectField(
                fullName: field.id,
                label: field.name,
                type: field.type,
                identifier: writable && Self.keyTypes.contains(field.type),
                createable: writable,
                updateable: writable
            )
        }
    }

    /// Airtable's ids (`app…`, `tbl…`, `fld…`) are ASCII letters and digits; anything else must not reach a path.
    static func isAirtableID(_ id: String) -> Bool {
        !id.isEmpty && id.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }

    /// The base's schema: every table with its fields, in one unpaged answer.
    private func tables(of baseID: String, _ api: ProviderAPI, _ context: ConnectorContext) async throws -> [Table] {
        let url = try base(context).appendingPathComponent("v0/meta/bases").appendingPathComponent(baseID).appendingPathComponent("tables")
        return try await api.get(url, as: Schema.self).0.tables
    }

    struct Identity: Decodable, Sendable {
        let id: String
        let scopes: [String]?
    }

    private struct BasePage: Decodable {
        let bases: [Base]
        let offset: String?

        struct Base: Decodable {
            let id: String
            let name: String
            let permissionLevel: String?
        }
    }

    private struct Schema: Decodable {
        let tables: [Table]
    }

    private struct Table: Decodable {
        let id: String
        let name: String
        let fields: [Field]

        struct Field: Decodable {
            let id: String
            let name: String
            let type: String
        }
    }
}
