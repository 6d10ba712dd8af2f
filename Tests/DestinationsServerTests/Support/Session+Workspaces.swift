import DestinationsCore
import HTTPTypes
import HummingbirdTesting
import TestSupport

@testable import DestinationsServer

/// The organisation API, as a client with an organisation token uses it.
extension Session {
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    /// A new organisation token, for the organisation of the session's workspace unless told otherwise.
    func organizationToken(_ organization: OrganizationID = AccessService.defaultOrganization) async throws -> String {
        try await environment.access.issueOrganizationToken(organization: organization)
    }

    /// A second organisation and a token for it.
    func otherOrganizationToken() async throws -> String {
        let organization = try await environment.access.createOrganization(name: "other")
        return try await organizationToken(organization.id)
    }

    /// `POST /workspaces` with the organisation token, as it answered.
    func createWorkspace(
        _ name: String,
        emails: [String]? = nil,
        returningKey: Bool? = nil,
        token: String
    ) async throws -> TestResponse {
        var body: [String: JSONValue] = ["name": .string(name)]
        body["notification_emails"] = emails.map { .array($0.map(JSONValue.string)) }
        body["return_workspace_api_key"] = returningKey.map(JSONValue.bool)
        return try await request(.post, "/api/v1/workspaces", json: JSONValue.object(body).encoded, headers: Self.bearer(token))
    }

    /// `GET /workspaces/{id}/api_key`'s key; any other answer fails the test, quoting it.
    func workspaceKey(_ workspace: Int64, token: String) async throws -> String {
        let response = try await request(.get, "/api/v1/workspaces/\(workspace)/api_key", headers: Self.bearer(token))
        guard response.status == .ok, let key = try response.json()["api_key"].string else {
            throw TestFailure("api_key failed: \(response.status) \(String(buffer: response.body))")
        }
        return key
    }
}
