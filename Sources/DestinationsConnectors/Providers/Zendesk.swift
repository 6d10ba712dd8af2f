import DestinationsCore
import Foundation

struct Zendesk: Connector {
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Zendesk",
        authorizeURL: "https://{domain}.zendesk.com/oauth/authorizations/new",
        tokenURL: "https://{domain}.zendesk.com/oauth/tokens",
        scopes: ["read", "write"],
        clientAuthentication: .jsonBody,
        needsDomain: true
    )

    let declaration = ConnectorDeclaration(
        serviceName: "zendesk",
        label: "Zendesk",
        authMethod: .oauth,
        documentationSlug: "zendesk",
        fields: [
            CredentialField(
                id: "domain",
                label: "Subdomain",
                format: .subdomain,
                placeholder: "acme",
                hint: "The acme in https://acme.zendesk.com"
            )
        ],
        objects: [
            .standard("User", "user"),
            .standard("Organization", "organization"),
            .standard("Ticket", "ticket"),
        ]
    )

    func userSuppliedURLs(in credentials: [String: JSONValue]) -> [(field: String, url: URL)] {
        guard let domain = credentials["domain"]?.stringValue, let url = URL(string: "https://\(domain).zendesk.com") else { return [] }
        return [("domain", url)]
    }

    /// Users, organizations and tickets, plus the account's custom objects (`GET /api/v2/custom_objects`).
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = ProviderAPI(
            provider: "Zendesk",
            context: context,
            headers: [("Authorization", "Bearer \(try context.credential("access_token"))")],
            hostSource: .userSupplied
        )
        let base = try ProviderAPI.base(context, default: "https://\(try context.credential("domain")).zendesk.com")
        let customObjects = try await collectPages(first: base.appendingPathComponent("api/v2/custom_objects")) { url in
            let (page, _) = try await api.get(url, as: CustomObjectPage.self)
            let next = page.meta?.hasMore == false ? nil : (page.links?.next ?? page.nextPage).flatMap(URL.init(string:))
            return (page.customObjects, next)
        }
        return declaration.objects + customObjects.map { .standard($0.title, $0.key) }
    }

    /// Zendesk pages with cursors (`meta.has_more`, `links.next`) or, on older endpoints, `next_page`.
    private struct CustomObjectPage: Decodable {
        let customObjects: [CustomObject]
        let nextPage: String?
        let links: Links?
        let meta: Meta?

        enum CodingKeys: String, CodingKey {
            case customObjects = "custom_objects"
            case nextPage = "next_page"
            case links, meta
        }

        struct CustomObject: Decodable {
            let key: String
            let title: String
        }

        struct Links: Decodable {
            let next: String?
        }

        struct Meta: Decodable {
            let hasMore: Bool?

            enum CodingKeys: String, CodingKey {
                case hasMore = "has_more"
            }
        }
    }
}
