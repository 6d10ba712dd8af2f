import DestinationsConnectors
import DestinationsCore
import DestinationsStorage
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import SQLKit
import TestSupport

@testable import DestinationsServer

/// One test's view of a running server: a client, a valid token, and the environment behind them.
struct Session: Sendable {
    let client: any TestClientProtocol
    let token: String
    let environment: ServerEnvironment
    let logs: CapturedLogs
    /// The provider every connector of this server calls.
    let fake: FakeProvider
    /// The loopback port of a live server (`TestServer(live: true)`).
    let port: Int?

    var auth: HTTPFields { [.authorization: "Bearer \(token)"] }

    /// Every response body this session saw, for secret audits.
    private let seen = ResponseLog()

    @discardableResult
    func request(
        _ method: HTTPRequest.Method,
        _ uri: String,
        json: String? = nil,
        headers: HTTPFields? = nil,
        contentType: String = "application/json"
    ) async throws -> TestResponse {
        var fields = headers ?? auth
        if json != nil { fields[.contentType] = contentType }
        let response = try await client.execute(
            uri: uri,
            method: method,
            headers: fields,
            body: json.map { ByteBuffer(string: $0) }
        )
        seen.append(String(buffer: response.body))
        return response
    }

    var responseBodies: [String] { seen.all }

    /// The box the server seals credentials with.
    func secretBox() throws -> AESGCMSecretBox {
        AESGCMSecretBox(current: try EncryptionKey(base64: try environment.settings.encryptionBase64()))
    }

    /// A token for a second workspace, to probe tenant isolation.
    func otherWorkspaceToken() async throws -> String {
        let workspace = try await environment.access.createWorkspace(name: "other \(UUID().uuidString)")
        return try await environment.access.issueToken(workspace: workspace.id)
    }
}
