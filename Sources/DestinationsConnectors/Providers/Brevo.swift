import DestinationsCore
import Foundation

struct Brevo: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "brevo",
        label: "Brevo",
        authMethod: .credentials,
        documentationSlug: "brevo",
        fields: [
            CredentialField(id: "api_key", label: "API Key", secret: true, placeholder: "xkeysib-...", hint: "Settings > SMTP & API > API keys")
        ],
        objects: [.standard("Contact", "contact")]
    )

    /// The most lists Brevo returns per page.
    static let listPageSize = 50

    /// Attribute categories a contact upsert can set; transactional, calculated and global ones are not
    /// the contact's own values.
    static let writableCategories: Set<String> = ["normal", "category"]

    static let contactKeys = [
        ObjectField(fullName: "email", label: "Email", type: "text", identifier: true),
        ObjectField(fullName: "ext_id", label: "External ID", type: "text", identifier: true),
    ]

    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api.brevo.com")
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Brevo",
            context: context,
            headers: [("api-key", try context.credential("api_key")), ("accept", "application/json")],
            hostSource: .configured
        )
    }

    /// The key's account (`GET /v3/account`).
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the Brevo account with the API key", { try await api(context).probe(try base(context).appendingPathComponent("v3/account")) })
        ])
    }

    /// Contacts, plus one Contact With List object per contact list (`GET /v3/contacts/lists`, limit and
    /// offset pages): a mirror sync keeps that list's members.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try api(context)
        let url = try base(context).appendingPathComponent("v3/contacts/lists")
        let limit = String(Self.listPageSize)
        var offset = 0
        let lists = try await collectPages(first: url.setting(["limit": limit, "offset": "0", "sort": "asc"])) { page in
            let (answer, _) = try await api.get(page, as: ListPage.self)
            let items = answer.lists ?? []
            offset += items.count
            let more = !items.isEmpty && offset < (answer.count ?? 0)
            return (items, more ? url.setting(["limit": limit, "offset": String(offset), "sort": "asc"]) : nil)
        }
        return declaration.objects + lists.map { .standard("Contact With List: \($0.name)", "list:\($0.id)") }
    }

    /// Email and ext_id (the sync keys), then the account's contact attributes (`GET /v3/contacts/attributes`,
    /// unpaged), named in upper case as Brevo expects them under `attributes`.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object == "contact" || object.hasPrefix("list:") else { return [] }
        let (answer, _) = try await api(context).get(try base(context).appendingPathComponent("v3/contacts/attributes"), as: AttributeList.self)
        return Self.contactKeys
            + answer.attributes.filter { Self.writableCategories.contains($0.category) }.map { attribute in
                ObjectField(fullName: attribute.name, label: attribute.name, type: attribute.type ?? attribute.category)
            }
    }

    private struct ListPage: Decodable {
        let lists: [List]?
        let count: Int?

        struct List: Decodable {
            let id: Int
            let name: String
        }
    }

    private struct AttributeList: Decodable {
        let attributes: [Attribute]

        struct Attribute: Decodable {
            let name: String
            let category: String
            let type: String?
        }
    }
}
