import DestinationsConnectors
import DestinationsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport
import Testing

/// GET /connectors: the catalogue a form-building client draws from, and the guarantee that it says
/// exactly what POST /destinations enforces.
@Suite("Connectors catalogue")
struct ConnectorsEndpointTests {
    static let fieldTypes: Set<String> = ["string", "url", "email", "select", "key_value"]

    @Test(arguments: TestBackend.all)
    func listsEveryRegisteredTypeByServiceNameInPages(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let names = Catalog.registry.declarations.map(\.serviceName)
            #expect(names.count >= 20)
            let all = try await session.request(.get, "/api/v1/connectors?per_page=100").json()
            #expect(all["status"].string == "success")
            #expect(all["data"].array?.compactMap { $0["service_name"].string } == names)
            #expect(all["pagination"]["total_records"].int == Int64(names.count))
            #expect(all["next"].isNull)

            let second = try await session.request(.get, "/api/v1/connectors?page=2&per_page=10").json()
            #expect(second["data"].array?.compactMap { $0["service_name"].string } == Array(names[10..<20]))
            #expect(second["pagination"]["prev_page"].int == 1)
            #expect(second["next"].string?.hasSuffix("/api/v1/connectors?page=3&per_page=10") == true)

            let reversed = try await session.request(.get, "/api/v1/connectors?per_page=3&order=desc").json()
            #expect(reversed["data"].array?.compactMap { $0["service_name"].string } == Array(names.reversed().prefix(3)))
            #expect(reversed["next"].string?.hasSuffix("page=2&per_page=3&order=desc") == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func oneConnectorDescribesItsForm(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let braze = try await session.request(.get, "/api/v1/connectors/braze").json()["data"]
            #expect(braze["label"].string == "Braze")
            #expect(braze["auth_method"].string == "credentials")
            #expect(braze["supports_test"].bool == true)
            let fields = try #require(braze["configuration_fields"]["fields"].array)
            #expect(fields.compactMap { $0["id"].string } == ["instance_url", "api_key", "data_import_key"])
            #expect(fields[0]["type"].string == "url")
            #expect(fields[0]["placeholder"].string == "https://rest.iad-03.braze.com")
            #expect(fields[1]["is_password_type_field"].bool == true)
            #expect(fields[1]["rules"].array == ["required"])
            #expect(fields[2]["rules"].array == [])
            // Census writes absent values as explicit nulls.
            #expect(fields[1].object?.keys.contains("placeholder") == true)
            #expect(fields[1]["placeholder"].isNull)
            #expect(fields[1]["possible_values"].isNull)

            let iterable = try await session.request(.get, "/api/v1/connectors/iterable").json()["data"]["configuration_fields"]["fields"]
            #expect(iterable[1]["type"].string == "select")
            #expect(iterable[1]["possible_values"].array == ["us", "eu"])
            let http = try await session.request(.get, "/api/v1/connectors/http").json()["data"]["configuration_fields"]["fields"]
            #expect(http.array?.first { $0["id"].string == "headers" }?["type"].string == "key_value")
            #expect(try await session.request(.get, "/api/v1/connectors/salesforce").json()["data"]["auth_method"].string == "oauth")

            let missing = try await session.request(.get, "/api/v1/connectors/nonesuch")
            #expect(missing.status == .notFound)
            #expect(try missing.json()["message"].string?.contains("nonesuch") == true)
            let anonymous = try await session.request(.get, "/api/v1/connectors", headers: [:])
            #expect(anonymous.status == .unauthorized)
        }
    }

    /// Read from the API itself: every field is well formed, a create with every field succeeds, and a
    /// create without any one required field is refused naming it.
    @Test(arguments: TestBackend.all)
    func everyFieldIsValidAndEveryRequiredOneIsEnforced(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let connectors = try #require(try await session.request(.get, "/api/v1/connectors?per_page=100").json()["data"].array)
            for connector in connectors {
                let type = try #require(connector["service_name"].string)
                #expect(connector["label"].string?.isEmpty == false, "\(type)")
                #expect(connector["documentation_slug"].string?.isEmpty == false, "\(type)")
                #expect(connector["creatable_via_api"].bool == true, "\(type)")
                let fields = try #require(connector["configuration_fields"]["fields"].array, "\(type)")
                #expect(Set(fields.compactMap { $0["id"].string }).count == fields.count, "\(type): duplicate ids")
                var credentials: [String: JSONValue] = [:]
                for field in fields {
                    let id = try #require(field["id"].string)
                    #expect(id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "_" }, "\(type).\(id)")
                    #expect(field["label"].string?.isEmpty == false, "\(type).\(id)")
                    let fieldType = try #require(field["type"].string)
                    #expect(Self.fieldTypes.contains(fieldType), "\(type).\(id): \(fieldType)")
                    #expect(field["rules"].array.map { Set($0).isSubset(of: ["required"]) } == true)
                    #expect(field["is_password_type_field"].bool != nil)
                    #expect((fieldType == "select") == (field["possible_values"].array?.isEmpty == false), "\(type).\(id)")
                    for key in ["placeholder", "hint", "possible_values"] {
                        #expect(field.object?.keys.contains(key) == true, "\(type).\(id) lacks \(key)")
                    }
                    credentials[id] = Self.sample(fieldType, field, fake: session.fake.baseURL)
                }
                let required = fields.filter { $0["rules"].array?.contains("required") == true }.compactMap { $0["id"].string }
                let oauth = connector["auth_method"].string == "oauth"
                if oauth { credentials[ConnectorDeclaration.oauthCodeKey] = "code" }
                for id in required {
                    let response = try await Self.create(session, type, credentials.filter { $0.key != id })
                    #expect(response.status == .unprocessableContent, "\(type) without \(id)")
                    #expect(try response.json()["message"].string?.contains("credentials.\(id)") == true, "\(type) without \(id)")
                }
                // With every field the create goes through; OAuth types stop at their unconfigured client.
                let complete = try await Self.create(session, type, credentials)
                if oauth {
                    #expect(complete.status == .unprocessableContent)
                    #expect(try complete.json()["message"].string?.contains("connectors.\(type).oauth") == true, "\(type)")
                } else {
                    #expect(complete.status == .created, "\(type): \(String(buffer: complete.body))")
                }
            }
        }
    }

    /// A value the field's form type accepts.
    static func sample(_ type: String, _ field: JSONValue, fake: URL) -> JSONValue {
        switch type {
        case "url": .string(fake.absoluteString)
        case "email": "sync@example.com"
        case "select": field["possible_values"][0]
        case "key_value": .object(["X-Token": "header-secret"])
        // Digits pass every string format: plain text, subdomains and account ids.
        default: "123"
        }
    }

    static func create(_ session: Session, _ type: String, _ credentials: [String: JSONValue]) async throws -> TestResponse {
        let body = JSONValue.object(["service_connection": .object(["type": .string(type), "credentials": .object(credentials)])])
        return try await session.request(.post, "/api/v1/destinations", json: String(decoding: try JSONEncoder().encode(body), as: UTF8.self))
    }
}
