import DestinationsCore
import Foundation

struct Jira: Connector {
    /// Atlassian's OAuth 2.0 (3LO): the `api.atlassian.com` audience, `offline_access` for a refresh
    /// token (rotated on every refresh, which the refresher stores), and `prompt=consent` so the user
    /// picks the site. The token names no site: the cloud id comes from the accessible resources.
    let oauth: (any OAuthProvider)? = StandardOAuth(
        provider: "Jira",
        authorizeURL: "https://auth.atlassian.com/authorize",
        tokenURL: "https://auth.atlassian.com/oauth/token",
        scopes: ["read:jira-work", "write:jira-work", "read:jira-user", "offline_access"],
        authorizeParameters: ["audience": "api.atlassian.com", "prompt": "consent"],
        describe: { accessToken, client, http in
            // The sites the token reaches: GET /oauth/token/accessible-resources; the first is the one consented to.
            let base = client.apiBaseURL ?? URL(string: "https://api.atlassian.com")!
            let response = try await http.send(
                ProviderRequest(
                    url: base.appendingPathComponent("oauth/token/accessible-resources"),
                    headers: [ProviderAPI.bearer(accessToken), ("Accept", "application/json")],
                    hostSource: .configured
                )
            )
            guard (200..<300).contains(response.status), let sites = try? JSONDecoder().decode([Site].self, from: response.body) else {
                throw ProviderFailure.permanent("Atlassian did not list the sites of the new access token (HTTP \(response.status))")
            }
            guard let site = sites.first else {
                throw ProviderFailure.permanent("The Atlassian authorisation reaches no Jira site; authorize again and pick one")
            }
            return ["cloud_id": .string(site.id), "site_url": .string(site.url), "site_name": .string(site.name)]
        }
    )

    private struct Site: Decodable {
        let id: String
        let url: String
        let name: String
    }

    let declaration = ConnectorDeclaration(
        serviceName: "jira",
        label: "Jira",
        authMethod: .oauth,
        documentationSlug: "jira",
        fields: [],
        objects: []
    )

    private func api(_ context: ConnectorContext) throws -> ProviderAPI {
        ProviderAPI(
            provider: "Jira",
            context: context,
            headers: [try ProviderAPI.bearer(context, credential: "access_token"), ("Accept", "application/json")],
            hostSource: .configured
        )
    }

    /// The site's REST API through Atlassian's gateway, which 3LO tokens must use.
    private func base(_ context: ConnectorContext) throws -> URL {
        try ProviderAPI.base(context, default: "https://api.atlassian.com")
            .appendingPathComponent("ex/jira/\(try context.credential("cloud_id"))/rest/api/3")
    }

    /// The user the token acts as: `GET /rest/api/3/myself`.
    func testConnection(_ context: ConnectorContext) async throws -> [ConnectionTestStep] {
        try await ConnectionCheck.run([
            ("Read the authorised Jira user", { try await api(context).probe(try base(context).appendingPathComponent("myself")) })
        ])
    }

    /// One object per project and issue type (`GET /rest/api/3/project/search?expand=issueTypes`, offset
    /// pages), named `{projectKey}/{issueTypeId}`.
    func discoverObjects(_ context: ConnectorContext) async throws -> [DestinationObject] {
        let api = try api(context)
        let url = try base(context).appendingPathComponent("project/search").setting(["expand": "issueTypes", "maxResults": "50"])
        let projects = try await collectPages(first: url.setting(["startAt": "0"])) { page in
            let (answer, _) = try await api.get(page, as: ProjectPage.self)
            // The answer's nextPage is the site's own URL, which a 3LO token cannot call: count instead.
            let next = answer.startAt + answer.values.count
            let done = answer.isLast ?? (answer.values.isEmpty || answer.total.map { next >= $0 } ?? true)
            return (answer.values, done ? nil : url.setting(["startAt": String(next)]))
        }
        return projects.flatMap { project in
            (project.issueTypes ?? []).map { issueType in
                DestinationObject.standard("\(project.name): \(issueType.name)", "\(project.key)/\(issueType.id)")
            }
        }
    }

    /// The fields of the project's create screen for the issue type
    /// (`GET /rest/api/3/issue/createmeta/{projectKey}/issuetypes/{issueTypeId}`, offset pages).
    func discoverFields(of object: String, _ context: ConnectorContext) async throws -> [ObjectField] {
        let parts = object.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { return [] }
        let api = try api(context)
        let url = try base(context).appendingPathComponent("issue/createmeta").appendingPathComponent(parts[0])
            .appendingPathComponent("issuetypes").appendingPathComponent(parts[1]).setting(["maxResults": "50"])
        let fields = try await collectPages(first: url.setting(["startAt": "0"])) { page in
            let (answer, _) = try await api.get(page, as: FieldPage.self)
            let items = answer.fields ?? answer.results ?? []
            let next = answer.startAt + items.count
            let done = items.isEmpty || answer.total.map { next >= $0 } ?? true
            return (items, done ? nil : url.setting(["startAt": String(next)]))
        }
        return fields.map { field in
            ObjectField(
                fullName: field.fieldId,
                label: field.name,
                type: field.schema?.type ?? "string",
                required: field.required
            )
        }
    }

    private struct ProjectPage: Decodable {
        let startAt: Int
        let total: Int?
        let isLast: Bool?
        let values: [Project]

        struct Project: Decodable {
            let key: String
            let name: String
            let issueTypes: [IssueType]?
        }

        struct IssueType: Decodable {
            let id: String
            let name: String
        }
    }

    private struct FieldPage: Decodable {
        let startAt: Int
        let total: Int?
        // Atlassian's schema names the list both ways.
        let fields: [Field]?
        let results: [Field]?

        struct Field: Decodable {
            let fieldId: String
            let name: String
            let required: Bool
            let schema: Schema?
        }

        struct Schema: Decodable {
            let type: String?
        }
    }
}
