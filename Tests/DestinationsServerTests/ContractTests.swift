import DestinationsConnectors
import DestinationsContract
import Foundation
import HTTPTypes
import TestSupport
import Testing
import Yams

@testable import DestinationsServer

/// The contract says exactly what the server accepts: the sets it names are the registry's, and what it
/// allows at its edges the server allows.
@Suite("The contract")
struct ContractTests {
    static func schema(_ name: String) -> [String: Any] {
        let document = (try? Yams.load(yaml: String(decoding: OpenAPIDocument.yaml, as: UTF8.self))) as? [String: Any]
        let schemas = (document?["components"] as? [String: Any])?["schemas"] as? [String: Any]
        return schemas?[name] as? [String: Any] ?? [:]
    }

    static func choices(_ schema: String) -> [String] {
        Self.schema(schema)["enum"] as? [String] ?? []
    }

    @Test func theTypesItNamesAreTheRegistrys() {
        #expect(Self.choices("DestinationType") == Catalog.registry.declarations.map(\.serviceName))
        #expect(Self.choices("OAuthDestinationType") == Catalog.registry.connectors.filter { $0.oauth != nil }.map(\.declaration.serviceName))
    }

    @Test func itsRegistrySchemasAreTheGeneratedOnes() throws {
        let contract = String(decoding: OpenAPIDocument.yaml, as: UTF8.self)
        let generated = Catalog.contractSchemas
        let first = try #require(generated.split(separator: "\n").first.map(String.init))
        let last = try #require(generated.split(separator: "\n").last.map(String.init))
        let begin = try #require(contract.range(of: first))
        let end = try #require(contract.range(of: last, range: begin.upperBound..<contract.endIndex))
        #expect(
            String(contract[begin.lowerBound..<end.upperBound]) == generated,
            "run `swift run destinations contract-schemas` and paste its output into openapi.yaml"
        )
    }

    /// A name is 1 to 255 code points, not only spaces, without control characters: the server agrees
    /// with the contract's pattern at its edges.
    @Test(arguments: TestBackend.all)
    func namesAtTheEdgesOfThePattern(_ backend: TestBackend) async throws {
        let pattern = try #require(Self.schema("DestinationName")["pattern"] as? String)
        let expression = try NSRegularExpression(pattern: pattern)
        let names = [
            "x", " x ", "\u{3000}", " \u{00A0}\u{2003}", "a\u{0085}b", "a\tb", "\u{FEFF}", "\u{200B}", "é",
            String(repeating: "e\u{0301}", count: 127), String(repeating: "e\u{0301}", count: 128), String(repeating: "z", count: 255),
        ]
        let valid = names.map { name in
            expression.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil && name.unicodeScalars.count <= 255
        }
        try await TestServer(backend).run { session in
            let id = try await session.createActiveCampaign()
            for (name, valid) in zip(names, valid) {
                let body = try JSONEncoder().encode(["service_connection": ["name": name]])
                let response = try await session.request(.patch, "/api/v1/destinations/\(id)", json: String(decoding: body, as: UTF8.self))
                #expect((response.status == .ok) == valid, "\(name.unicodeScalars.map { String($0.value, radix: 16) }): \(response.status)")
            }
        }
    }

    @Test(arguments: [
        ("TRACE", "/api/v1/destinations", "GET, POST"),
        ("PUT", "/api/v1/destinations/7", "GET, DELETE, PATCH"),
        ("DELETE", "/api/v1/destinations/authorize_url", "GET"),
        ("POST", "/api/v1/destinations/7/refresh_objects_status", "GET"),
        ("TRACE", "/healthz", "GET"),
    ])
    func aMethodTheRouteDoesNotHaveIs405WithAllow(_ method: String, _ path: String, _ allowed: String) async throws {
        try await TestServer(.sqlite).run { session in
            let response = try await session.request(HTTPRequest.Method(method)!, path)
            #expect(response.status == .methodNotAllowed)
            #expect(Set(response.headers[.allow]?.components(separatedBy: ", ") ?? []) == Set(allowed.components(separatedBy: ", ")))
            #expect(try response.json()["status"].string == "error")
        }
    }

    @Test func unknownPathsAreStill404() async throws {
        try await TestServer(.sqlite).run { session in
            let unknownPath = try await session.request(.trace, "/api/v1/nothing-here")
            let unknownSubresource = try await session.request(.get, "/api/v1/destinations/7/nothing")
            #expect(unknownPath.status == .notFound)
            #expect(unknownSubresource.status == .notFound)
        }
    }
}
