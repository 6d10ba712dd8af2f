import DestinationsCore
import Foundation

struct Mailchimp: Connector {
    let declaration = ConnectorDeclaration(
        serviceName: "mailchimp",
        label: "Mailchimp",
        authMethod: .credentials,
        documentationSlug: "mailchimp",
        fields: [
            CredentialField(
                id: "api_key",
                label: "API Key",
                secret: true,
                placeholder: "0123456789abcdef-us6",
                hint: "Its suffix after the dash is the data center"
            )
        ],
        objects: []
    )

    /// `https://{dc}.api.mailchimp.com/3.0`, the data center being the key's suffix.
    private func base(_ context: ConnectorContext) throws -> URL {
        let key = try context.credential("api_key")
        guard let dc = key.split(separator: "-").last, key.contains("-"), dc.allSatisfy({ $0.isLetter || $0.isNumber }) else {
            throw ProviderFailure.permanent("The Mailchimp API key has no data center suffix (like -us6); copy the whole key")
        }
        return try ProviderAPI.base(context, default: "https://\(dc).api.mailchimp.com").appendingPathComponent("3.0")
    }

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        let basic = Data("destinations:\(try context.credential("api_key"))".utf8).base64EncodedString()
        return ProviderAPI(provider: "Mailchimp", context: context, headers: [("Authorization", "Basic \(basic)")], hostSource: .configured)
    }

    /// The account root (`GET /3.0/`): `/ping` answers without checking much, this reads the account.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([("Read the Mailchimp account", { try await api(context).probe(try base(context).appendingPathComponent("")) })]
        )
    }

    /// One members object per audience (`GET /3.0/lists`, paged by count and offset).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try api(context)
        let url = try base(context).appendingPathComponent("lists")
        var offset = 0
        let audiences = try await collectPages(first: url.setting(["count": "100", "offset": "0"])) { next in
            let (page, _) = try await api.get(next, as: ListPage.self)
            offset += page.lists.count
            return (page.lists, !page.lists.isEmpty && offset < page.total_items ? url.setting(["count": "100", "offset": String(offset)]) : nil)
        }
        return audiences.map { .standard("Audience: \($0.name)", "audience:\($0.id)") }
    }

    /// An audience's merge fields, with the email address that identifies members.
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        guard object.hasPrefix("audience:") else { return [] }
        let url = try base(context).appendingPathComponent("lists/\(object.dropFirst("audience:".count))/merge-fields").setting(["count": "1000"])
        let (answer, _) = try await api(context).get(url, as: MergeFields.self)
        return [ObjectField(fullName: "email_address", label: "Email Address", type: "email", required: true, identifier: true)]
            + answer.merge_fields.map { ObjectField(fullName: $0.tag, label: $0.name, type: $0.type, required: $0.required ?? false) }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct ListPage: Decodable {
        let lists: [Audience]
        let total_items: Int

        struct Audience: Decodable {
            let id: String
            let name: String
        }
    }

    // swift-format-ignore: AlwaysUseLowerCamelCase
    // Named as the provider spells its JSON.
    private struct MergeFields: Decodable {
        let merge_fields: [Field]

        struct Field: Decodable {
            let tag: String
            let name: String
            let type: String
            let required: Bool?
        }
    }
}
