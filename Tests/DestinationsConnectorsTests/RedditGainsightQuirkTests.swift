import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// What sets Reddit and Gainsight apart: Reddit's permanent-duration consent with comma-separated Ads
/// scopes and Basic client authentication, a `next_url` that must stay on Reddit's host, and ad account
/// ids that go into paths; Gainsight's `result: false` answers and its describe's create/update flags.
@Suite("Reddit and Gainsight quirks")
struct RedditGainsightQuirkTests {
    /// Gainsight's object list ("Get Lite API Call OMD" sample) cut to a custom object, a standard one, a
    /// system one and a second custom one.
    static let objectList =
        #"{"requestId": "7ac6a2e6-85ac-44df-958a-ee4b00384436", "result": true, "data": [{"objectName": "autoindex10__gc", "label": "AutoIndex10", "objectType": "CUSTOM", "keyPrefix": "1Z02KRI7NHRRVF6ZWJ", "transactional": true, "multiCurrencySupported": false, "readable": true, "createable": true, "schemaUpdateable": true}, {"objectName": "company", "label": "Company", "objectType": "STANDARD", "keyPrefix": "1P02C503CKNHR9B14K", "transactional": false, "multiCurrencySupported": false, "readable": true, "createable": true, "schemaUpdateable": true}, {"objectName": "email_raw_events", "label": "Email Raw Events", "objectType": "SYSTEM", "transactional": false, "multiCurrencySupported": false, "readable": true, "createable": false, "schemaUpdateable": false}, {"objectName": "customobj__gc", "label": "customobj", "objectType": "CUSTOM", "keyPrefix": "1Z02W6JH35Q2P6CU2K", "transactional": true, "multiCurrencySupported": false, "readable": true, "createable": true, "schemaUpdateable": true}]}"#

    /// A describe in the documented shape: a writable custom field, and the read-only Gsid and GS date.
    static let customObjectDescribe =
        #"{"requestId": "154cc3d2-8f04-497a-8598-ea55781c47e8", "result": true, "data": [{"objectName": "customobj__gc", "label": "customobj", "objectType": "CUSTOM", "labelPlural": "customobj", "fields": [{"fieldName": "Name__gc", "label": "Name", "dataType": "STRING", "objectName": "customobj__gc", "meta": {"properties": {"sourceType": "STRING"}, "createable": true, "updateable": true, "required": false, "nillable": true, "readOnly": false, "length": 500}}, {"fieldName": "Gsid", "label": "GSID", "dataType": "GSID", "objectName": "customobj__gc", "meta": {"properties": {"sourceType": "GSID"}, "createable": false, "updateable": false, "required": false, "nillable": true, "readOnly": true, "length": 220}}, {"fieldName": "ModifiedDate", "label": "GS Modified Date", "dataType": "DATETIME", "objectName": "customobj__gc", "meta": {"properties": {"sourceType": "DATETIME"}, "createable": false, "updateable": false, "required": false, "nillable": true, "readOnly": true}}]}]}"#

    static func connectionTest(
        _ serviceName: String,
        _ fake: FakeProvider,
        details: [String: JSONValue],
        secrets: [String: JSONValue]
    ) async throws -> [ConnectionTestStep] {
        let connector = try #require(Catalog.registry[serviceName])
        return try await connector.testConnection(DiscoveryTests.context(fake, details: details, secrets: secrets))
    }

    @Test func redditConsentAsksForAPermanentGrantWithCommaSeparatedAdsScopes() throws {
        let url = try #require(Reddit().oauth).consentURL(
            client: OAuthClient(clientID: "rd-client", clientSecret: "rd-secret"),
            redirectURI: "https://app.example.com/cb",
            state: "st",
            extras: OAuthExtras()
        )
        let query = OAuthQuirkSupport.query(url)
        #expect(url.host == "www.reddit.com")
        #expect(url.path == "/api/v1/authorize")
        #expect(query["duration"] == "permanent")
        #expect(query["scope"] == "adsread,adsedit,adsconversions")
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "rd-client")
        #expect(query["redirect_uri"] == "https://app.example.com/cb")
        #expect(query["state"] == "st")
    }

    @Test func redditExchangeAuthenticatesTheClientWithBasic() async throws {
        try await FakeProvider.run { fake in
            let provider = FakeOAuth(
                fake,
                .with {
                    $0.tokenPath = "/api/v1/access_token"
                    $0.authentication = .basic
                    $0.expiresIn = 3600
                }
            )
            let redirect = "https://app.example.com/cb"
            let code = await provider.consent(redirectURI: redirect)
            let client = OAuthClient(
                clientID: provider.settings.clientID,
                clientSecret: provider.settings.clientSecret,
                tokenURL: fake.baseURL.appendingPathComponent("api/v1/access_token")
            )
            let now = Date(timeIntervalSince1970: 1_764_500_400)
            let tokens = try await #require(Reddit().oauth).exchange(
                code: code,
                redirectURI: redirect,
                extras: OAuthExtras(),
                client: client,
                http: try await AsyncHTTPProviderClient.shared(),
                now: now
            )
            let issued = await provider.accessTokens.last
            #expect(tokens.accessToken == issued)
            #expect(tokens.refreshToken != nil)
            #expect(tokens.expiresAt == now.addingTimeInterval(3600))
            let call = try #require(fake.calls("POST", "/api/v1/access_token").first)
            let credentials = Data("\(provider.settings.clientID):\(provider.settings.clientSecret)".utf8).base64EncodedString()
            #expect(call.header("authorization") == "Basic \(credentials)")
            #expect(call.form["grant_type"] == "authorization_code")
            #expect(call.form["code"] == code)
            #expect(call.form["redirect_uri"] == redirect)
            #expect(call.form["client_secret"] == nil)
        }
    }

    /// Without an ad account the member alone is checked, and discovery offers the fixed objects.
    @Test func redditWithoutAnAdAccountChecksTheMemberOnly() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/api/v3/me") { _ in .json(#"{"data": {"id": "m1", "reddit_username": "acme_ops"}}"#) }
            let steps = try await Self.connectionTest("reddit", fake, details: [:], secrets: ["access_token": "rd"])
            #expect(steps.map(\.status) == [.passed])
            let objects = try await Reddit().discoverObjects(DiscoveryTests.context(fake, secrets: ["access_token": "rd"]))
            #expect(objects.map(\.fullName) == ["conversion_event", "custom_audience_user"])
            #expect(fake.calls("GET", "/api/v3/me").count == 1)
            #expect(fake.calls().count == 1)
        }
    }

    /// An ad account id goes into paths: one with a slash fails its step without a call for it.
    @Test func redditRefusesAnAdAccountIdThatIsNotAnId() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/api/v3/me") { _ in .json(#"{"data": {"id": "m1", "reddit_username": "acme_ops"}}"#) }
            let steps = try await Self.connectionTest(
                "reddit",
                fake,
                details: ["ad_account_id": "a2_abc/../../me"],
                secrets: ["access_token": "rd"]
            )
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("not a Reddit ad account id") == true, "\(steps)")
            #expect(fake.calls().count == 1)
        }
    }

    /// A `next_url` on another host is not followed, so the bearer token stays with Reddit.
    @Test func redditDoesNotFollowANextURLToAnotherHost() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/api/v3/ad_accounts/a2_abc123/custom_audiences") { _ in
                .json(
                    #"{"data": [{"id": "ca_1", "name": "Newsletter", "type": "CUSTOMER_LIST", "status": "VALID"}], "pagination": {"next_url": "https://elsewhere.example.net/api/v3/ad_accounts/a2_abc123/custom_audiences?page.token=t2"}}"#
                )
            }
            let objects = try await Reddit().discoverObjects(
                DiscoveryTests.context(fake, details: ["ad_account_id": "a2_abc123"], secrets: ["access_token": "rd"])
            )
            #expect(objects.map(\.fullName).contains("custom_audience:ca_1"))
            #expect(fake.calls().count == 1)
        }
    }

    /// Reddit's error object (`{"error": {"message": ...}}`) is quoted in the failure.
    @Test func redditQuotesItsErrorMessage() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/api/v3/me") { _ in
                .json(#"{"error": {"code": "UNAUTHORIZED", "message": "Invalid or expired access token"}}"#, status: 401)
            }
            let steps = try await Self.connectionTest("reddit", fake, details: [:], secrets: ["access_token": "rd-canary-token"])
            #expect(steps.map(\.status) == [.failed])
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("HTTP 401"))
            #expect(message.contains("Invalid or expired access token"))
            #expect(!message.contains("rd-canary-token"))
        }
    }

    /// Gainsight can answer HTTP 200 with `result: false`; that fails the test with its error code.
    @Test func gainsightFailsA200WithResultFalse() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v1/meta/services/objects/list") { _ in
                .json(
                    #"{"result": false, "errorCode": "GS_APIG_2401", "errorDesc": "Unauthorized", "requestId": "0a719c1a-2705-4a3e-82ba-aa14beeba64e", "message": "Unauthorized"}"#
                )
            }
            let steps = try await Self.connectionTest(
                "gainsight",
                fake,
                details: ["domain": "acme.gainsightcloud.com"],
                secrets: ["access_key": "gs-canary-key"]
            )
            #expect(steps.map(\.status) == [.failed])
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("Gainsight says GS_APIG_2401: Unauthorized"), "\(message)")
            #expect(!message.contains("gs-canary-key"))
        }
    }

    /// The documented 401 body quotes its message; the key travels in the `accesskey` header.
    @Test func gainsightExplainsARefusedKey() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v1/meta/services/objects/list") { _ in
                .json(
                    #"{"result": false, "errorCode": "GS_APIG_2401", "errorDesc": "Unauthorized", "requestId": "0a719c1a-2705-4a3e-82ba-aa14beeba64e", "message": "Unauthorized"}"#,
                    status: 401
                )
            }
            let steps = try await Self.connectionTest(
                "gainsight",
                fake,
                details: ["domain": "acme.gainsightcloud.com"],
                secrets: ["access_key": "gs-key"]
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("HTTP 401") == true, "\(steps)")
            #expect(fake.calls("GET", "/v1/meta/services/objects/list").first?.header("accesskey") == "gs-key")
        }
    }

    /// Describe flags decide what can be written: Gsid and the GS dates are read-only.
    @Test func gainsightFieldsCarryTheDescribeFlags() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v1/meta/services/objects/customobj__gc/describe") { _ in .json(Self.customObjectDescribe) }
            let fields = try await Gainsight().discoverFields(
                of: "customobj__gc",
                DiscoveryTests.context(fake, details: ["domain": "acme.gainsightcloud.com"], secrets: ["access_key": "gs"])
            )
            let byName = Dictionary(uniqueKeysWithValues: fields.map { ($0.fullName, $0) })
            #expect(byName["Name__gc"]?.createable == true)
            #expect(byName["Name__gc"]?.type == "STRING")
            #expect(byName["Gsid"]?.createable == false)
            #expect(byName["Gsid"]?.updateable == false)
            #expect(byName["ModifiedDate"]?.updateable == false)
            #expect(fake.calls("GET", "/v1/meta/services/objects/customobj__gc/describe").first?.query["idd"] == "true")
        }
    }

    /// Object names go into paths; one that is not an identifier is not asked for.
    @Test func gainsightDoesNotDescribeAnObjectNameThatIsNotAnIdentifier() async throws {
        try await FakeProvider.run { fake in
            let fields = try await Gainsight().discoverFields(
                of: "company/../list",
                DiscoveryTests.context(fake, details: ["domain": "acme.gainsightcloud.com"], secrets: ["access_key": "gs"])
            )
            #expect(fields.isEmpty)
            #expect(fake.calls().isEmpty)
        }
    }
}
