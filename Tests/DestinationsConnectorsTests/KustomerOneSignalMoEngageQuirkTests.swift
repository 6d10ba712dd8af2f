import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

@Suite("Kustomer, Planhat, OneSignal and MoEngage quirks")
struct KustomerOneSignalMoEngageQuirkTests {
    /// A Planhat `GET /customfields` page: one named field, then `fillers` end-user fields, in the list
    /// shape of https://www.planhat.com/developers/api/custom-field.
    static func planhatCustomFields(first: (name: String, parent: String), fillers: Int) -> String {
        let head =
            #"{"_id": "60228bae4a93f65f056d2400", "name": "\#(first.name)", "type": "list", "parent": "\#(first.parent)", "isMandatory": false}"#
        let rest = (0..<fillers).map { index in
            #"{"_id": "60228bae4a93f65f05\#(String(format: "%06d", index))", "name": "Filler \#(index)", "type": "text", "parent": "enduser", "isHidden": false}"#
        }
        return "[" + ([head] + rest).joined(separator: ", ") + "]"
    }

    private static func connectionTest(
        _ serviceName: String,
        _ fake: FakeProvider,
        details: [String: JSONValue],
        secrets: [String: JSONValue]
    ) async throws -> [ConnectionTestStep] {
        let connector = try #require(Catalog.registry[serviceName])
        return try await connector.testConnection(DiscoveryTests.context(fake, details: details, secrets: secrets))
    }

    /// MoEngage's test-connection call: only `status: success` is a pass, whatever the HTTP status.
    @Test func moengageFailsA200WithoutSuccess() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/v1/integrations/authentication") { _ in .json(#"{"status": "fail", "message": "Invalid Data API Key"}"#) }
            let steps = try await Self.connectionTest(
                "moengage",
                fake,
                details: ["rest_endpoint": "https://api-02.moengage.com", "data_api_id": "WS0123ABC"],
                secrets: ["data_api_key": "moe-canary-key"]
            )
            #expect(steps.map(\.status) == [.failed])
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("MoEngage says"))
            #expect(message.contains("Invalid Data API Key"))
            #expect(!message.contains("moe-canary-key"))
        }
    }

    /// The body names the workspace and the data center read from the endpoint; MOE-APPKEY is the workspace.
    @Test func moengageSendsTheWorkspaceAndDataCenter() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/v1/integrations/authentication") { _ in .json(#"{"status": "success", "app_name": "Acme"}"#) }
            let steps = try await Self.connectionTest(
                "moengage",
                fake,
                details: ["rest_endpoint": "api-03.moengage.com", "data_api_id": "WS0123ABC", "app_id": "APP999"],
                secrets: ["data_api_key": "moe-key"]
            )
            #expect(steps.map(\.status) == [.passed])
            let call = try #require(fake.calls("POST", "/v1/integrations/authentication").first)
            #expect(call.header("MOE-APPKEY") == "APP999")
            let body = try JSONValue.decodeObject(call.body)
            #expect(body["region"] == "03")
            #expect(body["app_id"] == "APP999")
            #expect(body["app_secret"] == "moe-key")
        }
    }

    /// A REST endpoint that is not a MoEngage API host is refused before any call.
    @Test func moengageRefusesAForeignEndpoint() async throws {
        try await FakeProvider.run { fake in
            let steps = try await Self.connectionTest(
                "moengage",
                fake,
                details: ["rest_endpoint": "https://api-01.moengage.com.example.net", "data_api_id": "WS0123ABC"],
                secrets: ["data_api_key": "moe-key"]
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("not a MoEngage API host") == true)
            #expect(fake.calls().isEmpty)
        }
    }

    /// OneSignal's App ID goes into the path, so only a UUID is sent.
    @Test func oneSignalRefusesAnAppIDThatIsNotAUUID() async throws {
        try await FakeProvider.run { fake in
            let steps = try await Self.connectionTest("one_signal", fake, details: ["app_id": "../../apps"], secrets: ["api_token": "os-key"])
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("not a UUID") == true)
            #expect(fake.calls().isEmpty)
        }
    }

    /// A Kustomer key sent to the wrong region: Kustomer's words reach the user.
    @Test func kustomerRegionMismatchIsQuoted() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v1/auth/tokens/current") { _ in
                .json(
                    #"{"errors": [{"status": 401, "code": "unauthorized", "title": "Auth token associated with pod prod2 but request is being handled by prod1"}]}"#,
                    status: 401
                )
            }
            let steps = try await Self.connectionTest("kustomer", fake, details: [:], secrets: ["api_key": "kus-key"])
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("Auth token associated with pod prod2") == true)
        }
    }

    /// Planhat asks for the next page at the next offset, and stops after a short page.
    @Test func planhatPagesCustomFieldsByOffset() async throws {
        try await FakeProvider.run { fake in
            for testCase in CatalogDiscoveryTests.cases where testCase.serviceName == "planhat" { testCase.routes(fake) }
            let fields = try await Planhat().discoverFields(of: "company", DiscoveryTests.context(fake, secrets: ["api_key": "ph"]))
            #expect(fields.first { $0.fullName == "custom.Tier" }?.required == true)
            #expect(fields.first { $0.fullName == "sourceId" }?.identifier == true)
            #expect(fake.calls("GET", "/customfields").map { $0.query["offset"] } == ["0", "500"])
        }
    }

    /// The hosts a user's credentials make us call, for the outbound guard.
    @Test func userSuppliedHosts() {
        #expect(Kustomer().userSuppliedURLs(in: ["org": "acme"]).map(\.url.absoluteString) == ["https://acme.api.kustomerapp.com"])
        #expect(Kustomer().userSuppliedURLs(in: ["region": "eu"]).isEmpty)
        #expect(Planhat().userSuppliedURLs(in: ["region": "us3"]).map(\.url.absoluteString) == ["https://api-us3.planhat.com"])
        #expect(Planhat().userSuppliedURLs(in: ["region": "default"]).isEmpty)
        #expect(Vitally().userSuppliedURLs(in: ["subdomain": "acme"]).map(\.url.absoluteString) == ["https://acme.rest.vitally.io"])
        let moengage = MoEngage().userSuppliedURLs(in: ["rest_endpoint": "api-01.moengage.com"])
        #expect(moengage.map(\.url.absoluteString) == ["https://api-01.moengage.com"])
        #expect(MoEngage().userSuppliedURLs(in: ["rest_endpoint": "https://internal.example.com"]).isEmpty)
    }

    /// Kustomer custom attributes whose metadata has no type take the one their name's suffix gives.
    @Test func kustomerTypesFromSuffixes() {
        #expect(Kustomer.type(ofSuffixed: "lastOrderAt") == "date")
        #expect(Kustomer.type(ofSuffixed: "marketingOptInBool") == "boolean")
        #expect(Kustomer.type(ofSuffixed: "notesTxt") == "text")
    }
}
