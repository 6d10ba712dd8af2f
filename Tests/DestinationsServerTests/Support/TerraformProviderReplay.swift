import DestinationsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport

@testable import DestinationsServer

/// The official Census Terraform provider (sutrolabs/terraform-provider-census) as it talks to the API,
/// request for request: it holds an organisation token only, fetches the workspace's API key before every
/// destination operation, sends `Content-Type: application/json` on every request, fills the optional
/// fields `GET /connectors` lists with "", treats a 404 on delete as gone, and on a 429 waits what
/// `Retry-After` says (here the test clock moves instead) and asks again. Like its `expandConnectionConfig`,
/// it sends each configured value that parses as JSON as that JSON ("5432" as 5432).
final class TerraformProviderReplay: @unchecked Sendable {
    /// One request that got its answer: method, path, and which token it carried.
    struct Exchange: Equatable, CustomStringConvertible {
        let method: HTTPRequest.Method
        let path: String
        let token: String

        var description: String { "\(method) \(path) [\(token)]" }
    }

    /// What the provider keeps in its state of a `census_destination`.
    struct DestinationState: Equatable {
        let id: Int64
        let workspaceID: Int64
        let name: String
        let type: String
        let createdAt: Date
        let updatedAt: Date
    }

    private let session: Session
    let personalAccessToken: String
    private let clock: MutableClock
    private let lock = NSLock()
    private var exchanges: [Exchange] = []
    private var retryAfters: [String] = []

    init(session: Session, personalAccessToken: String, clock: MutableClock) {
        self.session = session
        self.personalAccessToken = personalAccessToken
        self.clock = clock
    }

    var sent: [Exchange] { lock.withLock { exchanges } }
    /// The Retry-After of every 429 it met.
    var throttled: [String] { lock.withLock { retryAfters } }

    // MARK: - census_workspace

    func createWorkspace(name: String, emails: [String]) async throws -> (id: Int64, apiKey: String) {
        let body = JSONValue.object(
            ["name": .string(name), "notification_emails": .array(emails.map(JSONValue.string)), "return_workspace_api_key": .bool(true)]
        )
        let created = try await send(.post, "/workspaces", body: body.encoded, token: personalAccessToken, as: "pat")
        guard created.status == .created, let id = try created.json()["data"]["id"].int, let key = try created.json()["data"]["api_key"].string
        else { throw TestFailure("workspace create: \(created.status) \(String(buffer: created.body))") }
        _ = try await readWorkspace(id)
        return (id, key)
    }

    func readWorkspace(_ id: Int64) async throws -> JSONValue {
        let response = try await send(.get, "/workspaces/\(id)", token: personalAccessToken, as: "pat")
        guard response.status == .ok else { throw TestFailure("workspace read: \(response.status)") }
        return try response.json()["data"]
    }

    func deleteWorkspace(_ id: Int64) async throws {
        let response = try await send(.delete, "/workspaces/\(id)", token: personalAccessToken, as: "pat")
        guard response.status == .ok || response.status == .notFound else { throw TestFailure("workspace delete: \(response.status)") }
    }

    // MARK: - census_destination

    func createDestination(workspace: Int64, type: String, name: String, config: [String: String], autoRefreshObjects: Bool) async throws -> Int64 {
        let key = try await workspaceKey(workspace)
        let credentials = try await filledIn(config, type: type, key: key)
        let connection = JSONValue.object(["name": .string(name), "type": .string(type), "credentials": Self.expanded(credentials)])
        let body = JSONValue.object(["type": .string(type), "service_connection": connection])
        let created = try await send(.post, "/destinations", body: body.encoded, token: key, as: "key")
        let id = try created.createdID()
        if autoRefreshObjects {
            let refreshed = try await send(.post, "/destinations/\(id)/refresh_objects", body: "{}", token: key, as: "key")
            guard refreshed.status == .ok else { throw TestFailure("refresh_objects: \(refreshed.status)") }
        }
        return id
    }

    /// Nil when the destination is gone: Terraform drops it from its state.
    func readDestination(workspace: Int64, id: Int64) async throws -> DestinationState? {
        let key = try await workspaceKey(workspace)
        let response = try await send(.get, "/destinations/\(id)", token: key, as: "key")
        if response.status == .notFound { return nil }
        let data = try response.json()["data"]
        if data == .null { return nil }
        guard response.status == .ok, let readID = data["id"].int, let name = data["name"].string, let type = data["type"].string,
            let createdAt = data["created_at"].string.flatMap(Self.rfc3339), let updatedAt = data["updated_at"].string.flatMap(Self.rfc3339)
        else { throw TestFailure("read: \(response.status) \(String(buffer: response.body))") }
        return DestinationState(id: readID, workspaceID: workspace, name: name, type: type, createdAt: createdAt, updatedAt: updatedAt)
    }

    func updateDestination(workspace: Int64, id: Int64, name: String, config: [String: String]) async throws {
        let key = try await workspaceKey(workspace)
        let connection = JSONValue.object(["name": .string(name), "credentials": Self.expanded(config)])
        let response = try await send(
            .patch,
            "/destinations/\(id)",
            body: JSONValue.object(["service_connection": connection]).encoded,
            token: key,
            as: "key"
        )
        guard response.status == .ok else { throw TestFailure("update: \(response.status) \(String(buffer: response.body))") }
    }

    func deleteDestination(workspace: Int64, id: Int64) async throws {
        let key = try await workspaceKey(workspace)
        let response = try await send(.delete, "/destinations/\(id)", token: key, as: "key")
        guard response.status == .ok || response.status == .notFound else { throw TestFailure("delete: \(response.status)") }
    }

    /// `terraform import census_destination.x <workspace_id>:<destination_id>`, then the read.
    func importDestination(_ importID: String) async throws -> DestinationState? {
        let parts = importID.split(separator: ":")
        guard parts.count == 2, let workspace = Int64(parts[0]), let id = Int64(parts[1]) else { throw TestFailure("import id \(importID)") }
        return try await readDestination(workspace: workspace, id: id)
    }

    // MARK: - The wire

    private func workspaceKey(_ workspace: Int64) async throws -> String {
        let response = try await send(.get, "/workspaces/\(workspace)/api_key", token: personalAccessToken, as: "pat")
        guard response.status == .ok, let key = try response.json()["api_key"].string else { throw TestFailure("api_key: \(response.status)") }
        return key
    }

    /// The connector's required fields must be there; every optional one it lists and the config lacks is sent as "".
    private func filledIn(_ config: [String: String], type: String, key: String) async throws -> [String: String] {
        let connectors = try await send(.get, "/connectors", token: key, as: "key").json()
        guard let connector = connectors["data"].array?.first(where: { $0["service_name"].string == type }) else { return config }
        var filled = config
        for field in connector["configuration_fields"]["fields"].array ?? [] {
            guard let id = field["id"].string else { continue }
            let rules = field["rules"].array?.compactMap(\.string) ?? field["rules"].string.map { [$0] } ?? []
            let required = rules.contains("required") || rules.contains("required:notForEditing")
            if config[id] == nil {
                if required { throw TestFailure("required field '\(id)' is missing") }
                filled[id] = ""
            }
        }
        return filled
    }

    private func send(_ method: HTTPRequest.Method, _ path: String, body: String? = nil, token: String, as kind: String) async throws -> TestResponse
    {
        let headers: HTTPFields = [
            .authorization: "Bearer \(token)", .contentType: "application/json", .userAgent: "terraform-provider-census",
        ]
        while true {
            let response = try await session.request(method, "/api/v1\(path)", json: body, headers: headers)
            if response.status == .tooManyRequests {
                let retryAfter = response.headers[.retryAfter] ?? ""
                lock.withLock { retryAfters.append(retryAfter) }
                guard let seconds = Double(retryAfter) else { throw TestFailure("a 429 without a usable Retry-After: \(retryAfter)") }
                clock.advance(by: seconds)
                continue
            }
            lock.withLock { exchanges.append(Exchange(method: method, path: path, token: kind)) }
            return response
        }
    }

    static func expanded(_ config: [String: String]) -> JSONValue {
        .object(config.mapValues { value in (try? JSONDecoder().decode(JSONValue.self, from: Data(value.utf8))) ?? .string(value) })
    }

    static func rfc3339(_ text: String) -> Date? {
        ISO8601DateFormatter.fractional.date(from: text) ?? ISO8601DateFormatter().date(from: text)
    }
}
