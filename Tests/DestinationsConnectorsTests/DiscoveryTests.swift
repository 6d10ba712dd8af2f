import CryptoExtras
import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// Each connector's live discovery against a fake that answers in the provider's real shape, through
/// the production HTTP client.
@Suite("Object discovery")
struct DiscoveryTests {
    /// Over the shared client; the timeout tests use clients of their own.
    static func context(
        _ fake: FakeProvider,
        details: [String: JSONValue] = [:],
        secrets: [String: JSONValue],
        override: Bool = true
    ) async throws -> ConnectorContext {
        ConnectorContext(
            details: details,
            secrets: secrets,
            http: try await AsyncHTTPProviderClient.shared(),
            baseURLOverride: override ? fake.baseURL : nil
        )
    }

    @Test func hubspotListsStandardObjectsAndEveryPageOfCustomSchemas() async throws {
        try await FakeProvider.run { fake in
            fake.hubspotSchemas([("cars", "Car"), ("boats", "Boat")])
            let objects = try await HubSpot().discoverObjects(Self.context(fake, secrets: ["access_token": "hs-token"]))
            #expect(objects.map(\.fullName) == ["contact", "company", "deal", "ticket", "line_item", "product", "p1234_cars", "p1234_boats"])
            #expect(objects.last?.label == "Boat")
            let calls = fake.calls("GET", "/crm/v3/schemas")
            #expect(calls.count == 2)
            #expect(calls.allSatisfy { $0.header("authorization") == "Bearer hs-token" })
            #expect(calls.last?.query["after"] == "1")
        }
    }

    @Test func salesforceListsWritableSObjectsFromTheInstance() async throws {
        try await FakeProvider.run { fake in
            fake.salesforceSObjects([
                ("Account", "Account", true, true), ("Invoice__c", "Invoice", true, false),
                ("AuditTrail", "Audit Trail", false, false), ("Contact", "Contact", false, true),
            ])
            // The instance URL itself points at the fake: no override needed.
            let context = try await Self.context(
                fake,
                details: ["instance_url": .string(fake.baseURL.absoluteString)],
                secrets: ["access_token": "sf"],
                override: false
            )
            let objects = try await Salesforce().discoverObjects(context)
            #expect(objects.map(\.fullName) == ["Account", "Invoice__c", "Contact"])
            #expect(objects.map(\.label) == ["Account", "Invoice", "Contact"])
        }
    }

    @Test func zendeskFollowsCursorPagesOfCustomObjects() async throws {
        try await FakeProvider.run { fake in
            fake.zendeskCustomObjects([("car", "Car"), ("store", "Store"), ("plan", "Plan")])
            let objects = try await Zendesk().discoverObjects(Self.context(fake, details: ["domain": "acme"], secrets: ["access_token": "zd"]))
            #expect(objects.map(\.fullName) == ["user", "organization", "ticket", "car", "store", "plan"])
            #expect(fake.calls("GET", "/api/v2/custom_objects").count == 3)
        }
    }

    @Test func activeCampaignPagesByOffsetUntilTheTotal() async throws {
        try await FakeProvider.run { fake in
            fake.activeCampaignSchemas(["transactions", "subscriptions", "tickets", "rentals", "orders"], pageSize: 2)
            let context = try await Self.context(
                fake,
                details: ["instance_url": .string(fake.baseURL.absoluteString)],
                secrets: ["api_token": "ac"],
                override: false
            )
            let objects = try await ActiveCampaign().discoverObjects(context)
            #expect(objects.map(\.fullName) == ["contact", "account", "transactions", "subscriptions", "tickets", "rentals", "orders"])
            let calls = fake.calls("GET", "/api/3/customObjects/schemas")
            #expect(calls.map { $0.query["offset"] } == ["0", "2", "4"])
            #expect(calls.allSatisfy { $0.header("api-token") == "ac" })
        }
    }

    @Test func brazeFollowsLinkHeadersThroughCatalogs() async throws {
        try await FakeProvider.run { fake in
            fake.brazeCatalogs(["restaurants", "products"])
            let context = try await Self.context(
                fake,
                details: ["instance_url": .string(fake.baseURL.absoluteString)],
                secrets: ["api_key": "bz"],
                override: false
            )
            let objects = try await Braze().discoverObjects(context)
            #expect(objects.suffix(2).map(\.fullName) == ["catalog:restaurants", "catalog:products"])
            #expect(objects.first?.fullName == "user")
            #expect(fake.calls("GET", "/catalogs").allSatisfy { $0.header("authorization") == "Bearer bz" })
        }
    }

    @Test func googleSheetsSignsAServiceAccountTokenAndListsTabs() async throws {
        let key = try _RSA.Signing.PrivateKey(keySize: .bits2048)
        let publicKey = key.publicKey
        try await FakeProvider.run { fake in
            fake.googleSheets(spreadsheet: "sheet-1", tabs: ["Leads", "Accounts"]) { call in
                guard call.form["grant_type"] == "urn:ietf:params:oauth:grant-type:jwt-bearer",
                    let parts = call.form["assertion"]?.split(separator: "."), parts.count == 3,
                    let signature = Data(base64URL: String(parts[2])),
                    let claims = Data(base64URL: String(parts[1])).flatMap({ try? JSONDecoder().decode(JSONValue.self, from: $0) })
                else { return false }
                let signed = publicKey.isValidSignature(
                    _RSA.Signing.RSASignature(rawRepresentation: signature),
                    for: Data("\(parts[0]).\(parts[1])".utf8),
                    padding: .insecurePKCS1v1_5
                )
                return signed
                    && claims
                        == .object([
                            "iss": "sync@project.iam.gserviceaccount.com",
                            "scope": .string(GoogleSheets.scope),
                            "aud": .string(fake.baseURL.appendingPathComponent("token").absoluteString),
                            "iat": claims.objectValue?["iat"] ?? .null,
                            "exp": claims.objectValue?["exp"] ?? .null,
                        ])
            }
            // As pasted from a JSON key file: newlines escaped.
            let pem = key.pemRepresentation.replacingOccurrences(of: "\n", with: "\\n")
            let context = try await Self.context(
                fake,
                details: ["service_account_email": "sync@project.iam.gserviceaccount.com", "spreadsheet_id": "sheet-1"],
                secrets: ["private_key": .string(pem)]
            )
            let objects = try await GoogleSheets().discoverObjects(context)
            #expect(objects.map(\.fullName) == ["Leads", "Accounts"])
            let caseSensitive = objects.map(\.allowCaseSensitiveFieldNames)
            #expect(caseSensitive == [true, true])
        }
    }

    @Test func googleSheetsRejectsAKeyThatIsNotPEM() async throws {
        try await FakeProvider.run { fake in
            fake.googleSheets(spreadsheet: "s", tabs: [])
            let context = try await Self.context(
                fake,
                details: ["service_account_email": "a@b.c", "spreadsheet_id": "s"],
                secrets: ["private_key": "not a key"]
            )
            await #expect(throws: ProviderFailure.self) { try await GoogleSheets().discoverObjects(context) }
            #expect(fake.calls("POST", "/token").isEmpty)
        }
    }

    @Test func staticConnectorsAnswerTheirCatalogue() async throws {
        try await FakeProvider.run { fake in
            let objects = try await GoogleAds().discoverObjects(Self.context(fake, secrets: [:]))
            #expect(objects == GoogleAds().declaration.objects)
            #expect(fake.calls().isEmpty)
        }
    }
}
