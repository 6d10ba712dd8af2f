import DestinationsCore
import Foundation

struct Attio: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "attio",
        label: "Attio",
        authMethod: .credentials,
        documentationSlug: "attio",
        fields: [
            CredentialField(
                id: "api_token",
                label: "API Token",
                secret: true,
                hint: "Workspace Settings > Developers; scopes Record read-write, Object Configuration read, User Management read"
            )
        ],
        objects: [
            .standard("Company", "companies"),
            .standard("People", "people"),
        ]
    )

    /// The scopes a sync needs: writing records, and reading the objects' attributes to map them.
    static let requiredScopes: [(scope: String, alternatives: Set<String>, words: String)] = [
        ("record_permission:read-write", ["record_permission:read-write"], "Record read-write"),
        ("object_configuration:read", ["object_configuration:read", "object_configuration:read-write"], "Object Configuration read"),
    ]

    /// Attio pages attributes by limit and offset.
    static let pageSize = 100

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api.attio.com")
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Attio",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "api_token")],
            hostSource: .configured
        )
    }

    /// The token's own description (`GET /v2/self`). A revoked or unknown token can come back as HTTP 200
    /// with `active: false`, so the body decides, not the status.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        let scopes = ConnectionCheck.Handoff<Set<String>>()
        return try await ConnectionCheck.run([
            (
                "Identify the API token",
                {
                    let (identity, _) = try await api(context).get(try base(context).appendingPathComponent("v2/self"), as: Identity.self)
                    guard identity.active else {
                        throw ProviderFailure.permanent("Attio says the API token is not active: it was revoked, or is not an Attio token")
                    }
                    scopes.put(Set((identity.scope ?? "").split(separator: " ").map(String.init)))
                }
            ),
            (
                "Check the token may write records and read objects",
                {
                    let granted = try scopes.value
                    let missing = Self.requiredScopes.filter { granted.isDisjoint(with: $0.alternatives) }
                    guard missing.isEmpty else {
                        throw ProviderFailure.permanent(
                            "The Attio API token lacks the scopes " + missing.map { "\($0.words) (\($0.scope))" }.joined(separator: ", ")
                                + "; grant them in Workspace Settings > Developers"
                        )
                    }
                }
            ),
        ])
    }

    /// Companies and people, plus the workspace's other objects (`GET /v2/objects`, one unpaged answer).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let (answer, _) = try await api(context).get(try base(context).appendingPathComponent("v2/objects"), as: ObjectList.self)
        let declared = Set(declaration.objects.map(\.fullName))
        return declaration.objects
            + answer.data.compactMap { object in
                let name = object.api_slug ?? object.id.object_id
                guard !declared.contains(name) else { return nil }
                return .standard(object.singular_noun ?? object.plural_noun ?? name, name)
            }
    }

    /// The object's attributes (`GET /v2/objects/{object}/attributes`, limit and offset pages): writable
    /// unless Attio says otherwise; unique ones can be sync keys.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let api = try api(context)
        let url = try base(context).appendingPathComponent("v2/objects").appendingPathComponent(object).appendingPathComponent("attributes")
        let limit = String(Self.pageSize)
        var offset = 0
        let attributes = try await collectPages(first: url.setting(["limit": limit, "offset": "0"])) { page in
            let (answer, _) = try await api.get(page, as: AttributeList.self)
            offset += answer.data.count
            return (answer.data, answer.data.count < Self.pageSize ? nil : url.setting(["limit": limit, "offset": String(offset)]))
        }
        return attributes.compactMap { attribute in
            guard let slug = attribute.api_slug, attribute.is_archived != true else { return nil }
            let writable = attribute.is_writable != false
            return ObjectField(
                fullName: slug,
                label: attribute.title ?? slug,
                type: attribute.type ?? "text",
                required: attribute.is_required == true,
                identifier: attribute.is_unique == true,
                createable: writable,
                updateable: writable
            )
        }
    }

    private struct Identity: Decodable {
        let active: Bool
        let scope: String?
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct ObjectList: Decodable {
        let data: [Object]

        struct Object: Decodable {
            let id: ID
            let api_slug: String?
            let singular_noun: String?
            let plural_noun: String?
        }

        struct ID: Decodable {
            let object_id: String
        }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct AttributeList: Decodable {
        let data: [Attribute]

        struct Attribute: Decodable {
            let api_slug: String?
            let title: String?
            let type: String?
            let is_writable: Bool?
            let is_required: Bool?
            let is_unique: Bool?
            let is_archived: Bool?
        }
    }
}
