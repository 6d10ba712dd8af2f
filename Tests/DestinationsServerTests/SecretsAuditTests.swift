import DestinationsConnectors
import DestinationsCore
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// Every connector type with canary secrets (and OAuth tokens and client secrets), against a provider that
/// echoes back everything it was sent: through refreshes, connection tests, fields refreshes, token
/// refreshes, renames, credential changes and their error paths, no canary reaches a response, a log
/// line, the metrics or the database file as plaintext.
@Suite("Secrets audit")
struct SecretsAuditTests {
    static let clientSecret = "CANARY-client-secret-d41d8c"

    static func canary(_ type: String, _ field: String) -> String { "CANARY-\(type)-\(field)-5e1f" }

    /// A plausible value for a non-secret field (its form is not checked on this path).
    static func value(for field: CredentialField, _ fake: FakeProvider) -> JSONValue {
        switch field.format {
        case .url: .string(fake.baseURL.absoluteString)
        case .choice(let values): .string(values.first ?? "x")
        case .digits: .string("12345")
        case .email: .string("ops@example.com")
        case .keyValues: .object([:])
        case .text, .subdomain, .hostname: .string("acme")
        }
    }

    @Test(arguments: TestBackend.all)
    func noCanaryLeavesThroughAnyConnector(_ backend: TestBackend) async throws {
        let server = try TestServer(backend)
        let declarations = Catalog.registry.declarations
        let canaries =
            declarations.flatMap { declaration in
                declaration.fields.filter(\.secret).map { Self.canary(declaration.serviceName, $0.id) }
                    + [OAuthSecretKey.accessToken, OAuthSecretKey.refreshToken].map { Self.canary(declaration.serviceName, $0) }
            } + [Self.clientSecret]
        let configure: @Sendable (inout ServerSettings, FakeProvider) -> Void = { settings, fake in
            for declaration in declarations where declaration.authMethod == .oauth {
                settings.oauthClients[declaration.serviceName] = OAuthClient(
                    clientID: "client",
                    clientSecret: Self.clientSecret,
                    authorizeURL: fake.baseURL.appendingPathComponent("oauth/authorize"),
                    tokenURL: fake.baseURL.appendingPathComponent("oauth/token"),
                    apiBaseURL: fake.baseURL
                )
            }
        }
        let (metrics, responses, sent) = try await server.run(configure: configure) { session in
            // A provider that quotes the whole request in its refusal: headers, query and body.
            for method in ["GET", "POST", "PUT", "PATCH", "DELETE"] {
                session.fake.on(method, "/*") { call in
                    let echoed =
                        call.headers.map { "\($0.key): \($0.value)" }.joined(separator: "; ")
                        + " ? " + call.query.map { "\($0.key)=\($0.value)" }.joined(separator: "&") + " | "
                        + String(decoding: call.body, as: UTF8.self)
                    let quoted = try! String(decoding: JSONEncoder().encode(echoed), as: UTF8.self)
                    return .json(#"{"message": \#(quoted), "error": \#(quoted), "error_description": \#(quoted)}"#, status: 401)
                }
            }
            for declaration in declarations {
                let type = declaration.serviceName
                var details: [String: JSONValue] = [:]
                var secrets: [String: JSONValue] = [:]
                for field in declaration.fields {
                    if field.secret {
                        secrets[field.id] = .string(Self.canary(type, field.id))
                    } else {
                        details[field.id] = Self.value(for: field, session.fake)
                    }
                }
                if declaration.authMethod == .oauth {
                    secrets[OAuthSecretKey.accessToken] = .string(Self.canary(type, OAuthSecretKey.accessToken))
                    secrets[OAuthSecretKey.refreshToken] = .string(Self.canary(type, OAuthSecretKey.refreshToken))
                    // Expired: every call refreshes first, and the refresh is refused with the request quoted.
                    secrets[OAuthSecretKey.expiresAt] = "2020-01-01T00:00:00Z"
                }
                let id = try await session.insertDestination(type: type, details: details, secrets: secrets)
                let path = "/api/v1/destinations/\(id)"
                var keys: [(Int64, AsyncStream<JobOutcomes.Event>)] = []
                for (post, key) in [
                    ("/refresh_objects", "refresh_key"), ("/test", "test_key"),
                    ("/objects/\(declaration.objects.first?.fullName ?? "none")/refresh_fields", "refresh_key"),
                ] {
                    let outcomes = session.jobOutcomes()
                    if let queued = try await session.request(.post, path + post).json()[key].int { keys.append((queued, outcomes)) }
                }
                for (key, outcomes) in keys { _ = try await session.settled(key, in: outcomes) }
                _ = try await session.request(.get, "\(path)/refresh_objects_status?refresh_key=\(keys.first?.0 ?? 0)")
                _ = try await session.request(.get, "\(path)/test_status?test_key=\(keys.count > 1 ? keys[1].0 : 0)")
                _ = try await session.request(.patch, path, json: #"{"service_connection": {"name": "renamed"}}"#)
                if let secret = declaration.fields.first(where: \.secret) {
                    _ = try await session.request(
                        .patch,
                        path,
                        json: #"{"service_connection": {"credentials": {"\#(secret.id)": "\#(Self.canary(type, secret.id))"}}}"#
                    )
                }
                _ = try await session.request(.get, path)
            }
            _ = try await session.request(.get, "/api/v1/destinations?per_page=100")
            _ = try await session.request(.get, "/api/v1/audit_events?per_page=100")
            let metrics = String(buffer: try await session.client.execute(uri: "/metrics", method: .get).body)
            let sent = session.fake.calls().map { call in
                call.headers.values.joined(separator: " ") + " " + call.query.values.joined(separator: " ") + " "
                    + String(decoding: call.body, as: UTF8.self)
            }
            return (metrics, session.responseBodies, sent)
        }
        // The provider really was sent (and echoed) them: otherwise this audit would prove nothing.
        let echoed = canaries.filter { canary in sent.contains { $0.contains(canary) } }
        #expect(echoed.count >= declarations.count / 2, "only \(echoed) reached the provider")
        let logs = server.logs.all
        let databaseBytes = try await server.databaseBytes()
        #expect(canaries.filter { canary in responses.contains { $0.contains(canary) } } == [], "in responses")
        #expect(canaries.filter { canary in logs.contains { $0.contains(canary) } } == [], "in the logs")
        #expect(canaries.filter { metrics.contains($0) } == [], "in the metrics")
        #expect(canaries.filter { databaseBytes.range(of: Data($0.utf8)) != nil } == [], "in the database")
    }
}
