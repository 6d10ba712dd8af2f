import DestinationsCore
import HTTPTypes
import HummingbirdTesting
import TestSupport

@testable import DestinationsServer

/// Destinations through the API, as a client makes them: the request bodies built from values, not
/// written out in each test.
extension Session {
    /// `{"service_connection": {...}}` with what is given.
    static func serviceConnection(type: String? = nil, name: String? = nil, credentials: [String: JSONValue]? = nil) -> String {
        var connection: [String: JSONValue] = [:]
        connection["type"] = type.map(JSONValue.string)
        connection["name"] = name.map(JSONValue.string)
        connection["credentials"] = credentials.map(JSONValue.object)
        return JSONValue.object(["service_connection": .object(connection)]).encoded
    }

    /// `POST /destinations`, as it answered.
    @discardableResult
    func create(type: String, name: String? = nil, credentials: [String: JSONValue], headers: HTTPFields? = nil) async throws -> TestResponse {
        try await request(
            .post,
            "/api/v1/destinations",
            json: Self.serviceConnection(type: type, name: name, credentials: credentials),
            headers: headers
        )
    }

    /// Creates a destination and returns its id; any answer but 201 fails the test, quoting it.
    func createDestination(type: String, name: String? = nil, credentials: [String: JSONValue], headers: HTTPFields? = nil) async throws -> Int64 {
        try await create(type: type, name: name, credentials: credentials, headers: headers).createdID()
    }

    /// `PATCH /destinations/{id}` with what is given, as it answered.
    @discardableResult
    func update(
        _ id: Int64,
        type: String? = nil,
        name: String? = nil,
        credentials: [String: JSONValue]? = nil,
        headers: HTTPFields? = nil
    ) async throws -> TestResponse {
        try await request(
            .patch,
            "/api/v1/destinations/\(id)",
            json: Self.serviceConnection(type: type, name: name, credentials: credentials),
            headers: headers
        )
    }

    /// A Braze destination pointed at the fake provider unless told otherwise.
    func createBraze(instanceURL: String? = nil, key: String = "braze-key") async throws -> Int64 {
        try await createDestination(
            type: "braze",
            credentials: ["api_key": "\(key)", "instance_url": "\(instanceURL ?? fake.baseURL.absoluteString)"]
        )
    }

    /// An ActiveCampaign destination.
    func createActiveCampaign(name: String = "AC", token: String = "example_api_token") async throws -> Int64 {
        try await createDestination(type: "active_campaign", name: name, credentials: activeCampaignCredentials(token: token))
    }

    func activeCampaignBody(name: String = "AC", token: String = "example_api_token") -> String {
        Self.serviceConnection(type: "active_campaign", name: name, credentials: activeCampaignCredentials(token: token))
    }

    /// Its instance is the fake provider: nothing a test makes names a host off the machine.
    func activeCampaignCredentials(token: String = "example_api_token") -> [String: JSONValue] {
        ["api_token": "\(token)", "instance_url": "\(fake.baseURL.absoluteString)"]
    }
}

extension TestResponse {
    /// The id of the destination a create made; any answer but 201 fails the test, quoting it.
    func createdID() throws -> Int64 {
        guard status == .created, let id = try json()["data"]["id"].int else {
            throw TestFailure("create failed: \(status) \(String(buffer: body))")
        }
        return id
    }
}
