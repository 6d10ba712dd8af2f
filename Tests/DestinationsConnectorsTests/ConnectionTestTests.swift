import CryptoExtras
import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// Every registered connector's connection test against a fake answering in the provider's documented
/// shape, through the production HTTP client; then what a user reads when it fails.
@Suite("Connection tests")
struct ConnectionTestTests {
    /// A call the test makes, the provider's answer, and the header that authenticates it.
    struct Answer: Sendable {
        var method = "GET"
        let path: String
        let body: String
        var auth: (name: String, value: String)?
        var status = 200
    }

    struct Case: Sendable, CustomTestStringConvertible {
        let serviceName: String
        var details: [String: JSONValue] = [:]
        let secrets: [String: JSONValue]
        let answers: [Answer]

        var testDescription: String { serviceName }
    }

    static let serviceAccountKey = try! _RSA.Signing.PrivateKey(keySize: .bits2048)

    static func bearer(_ token: String) -> (name: String, value: String) { ("authorization", "Bearer \(token)") }

    static func basic(_ user: String, _ password: String) -> (name: String, value: String) {
        ("authorization", "Basic \(Data("\(user):\(password)".utf8).base64EncodedString())")
    }

    static let cases: [Case] = [
        Case(
            serviceName: "active_campaign",
            details: ["instance_url": "https://acme.api-us1.com"],
            secrets: ["api_token": "ac-token"],
            answers: [
                Answer(
                    path: "/api/3/users/me",
                    body: #"{"user": {"id": "1", "username": "admin", "email": "admin@acme.com"}}"#,
                    auth: ("api-token", "ac-token")
                )
            ]
        ),
        Case(
            serviceName: "amplitude",
            secrets: ["api_key": "amp-key"],
            // An empty upload with a good key: Amplitude says the events are missing.
            answers: [
                Answer(
                    method: "POST",
                    path: "/2/httpapi",
                    body: #"{"code": 400, "error": "Request missing required field", "missing_field": "events"}"#,
                    status: 400
                )
            ]
        ),
        Case(
            serviceName: "braze",
            details: ["instance_url": "https://rest.iad-03.braze.com"],
            secrets: ["api_key": "braze-key"],
            answers: [Answer(path: "/events/list", body: #"{"message": "success", "events": ["Signed Up", "Upgraded"]}"#, auth: bearer("braze-key"))]
        ),
        Case(
            serviceName: "customer_io",
            details: ["site_id": "site-1"],
            secrets: ["track_api_key": "track-key", "app_api_key": "app-key"],
            answers: [
                Answer(
                    path: "/api/v1/accounts/region",
                    body: #"{"url": "https://track.customer.io", "data_center": "us", "environment_id": 12}"#,
                    auth: basic("site-1", "track-key")
                ),
                Answer(
                    path: "/v1/object_types",
                    body: #"{"types": [{"id": "1", "name": "Companies", "singular_name": "Company", "enabled": true}]}"#,
                    auth: bearer("app-key")
                ),
            ]
        ),
        Case(
            serviceName: "facebook_ads",
            details: ["ad_account_id": "123"],
            secrets: ["access_token": "meta-token"],
            answers: [
                Answer(path: "/v25.0/me", body: #"{"id": "9001", "name": "Sync User"}"#, auth: bearer("meta-token")),
                Answer(path: "/v25.0/act_123", body: #"{"id": "act_123", "name": "Acme Ads", "account_status": 1}"#, auth: bearer("meta-token")),
            ]
        ),
        Case(
            serviceName: "google_ads",
            details: ["account_id": "751-501-1393"],
            secrets: ["access_token": "ya29.ads", "developer_token": "dev-token"],
            answers: [
                Answer(
                    path: "/v26/customers:listAccessibleCustomers",
                    body: #"{"resourceNames": ["customers/7515011393"]}"#,
                    auth: ("developer-token", "dev-token")
                )
            ]
        ),
        Case(
            serviceName: "google_sheets",
            details: ["service_account_email": "sync@project.iam.gserviceaccount.com", "spreadsheet_id": "sheet-1"],
            secrets: ["private_key": .string(serviceAccountKey.pemRepresentation)],
            answers: [
                Answer(method: "POST", path: "/token", body: #"{"access_token": "ya29.sheets", "expires_in": 3599, "token_type": "Bearer"}"#),
                Answer(path: "/v4/spreadsheets/sheet-1", body: #"{"spreadsheetId": "sheet-1"}"#, auth: bearer("ya29.sheets")),
            ]
        ),
        Case(
            serviceName: "http",
            details: ["base_url": "https://hooks.example.com/in"],
            secrets: ["headers": .object(["X-Api-Key": "hook-secret"])],
            answers: [Answer(path: "/", body: #"{"ok": true}"#, auth: ("x-api-key", "hook-secret"))]
        ),
        Case(
            serviceName: "hubspot",
            secrets: ["access_token": "hs-token"],
            answers: [
                Answer(
                    path: "/account-info/v3/details",
                    body:
                        #"{"portalId": 62515, "accountType": "STANDARD", "timeZone": "US/Eastern", "companyCurrency": "USD", "utcOffset": "-05:00"}"#,
                    auth: bearer("hs-token")
                )
            ]
        ),
        Case(
            serviceName: "intercom",
            secrets: ["access_token": "ic-token"],
            answers: [
                Answer(
                    path: "/me",
                    body: #"{"type": "admin", "id": "991", "email": "ops@acme.com", "app": {"id_code": "abc123"}}"#,
                    auth: bearer("ic-token")
                )
            ]
        ),
        Case(
            serviceName: "iterable",
            secrets: ["api_key": "it-key"],
            answers: [
                Answer(
                    path: "/api/lists",
                    body: #"{"lists": [{"id": 1, "name": "Newsletter", "createdAt": 1700000000000, "listType": "Standard"}]}"#,
                    auth: ("api-key", "it-key")
                )
            ]
        ),
        Case(
            serviceName: "klaviyo",
            secrets: ["private_api_key": "pk_live"],
            answers: [
                Answer(
                    path: "/api/accounts",
                    body:
                        #"{"data": [{"type": "account", "id": "XyZ123", "attributes": {"contact_information": {"organization_name": "Acme"}}}], "links": {"self": "x"}}"#,
                    auth: ("authorization", "Klaviyo-API-Key pk_live")
                )
            ]
        ),
        Case(
            serviceName: "linkedin",
            secrets: ["access_token": "li-token"],
            answers: [
                Answer(
                    path: "/rest/adAccountUsers",
                    body:
                        #"{"elements": [{"account": "urn:li:sponsoredAccount:123", "role": "ACCOUNT_MANAGER", "user": "urn:li:person:abc"}], "paging": {"start": 0, "count": 10, "total": 1}}"#,
                    auth: bearer("li-token")
                )
            ]
        ),
        Case(
            serviceName: "mailchimp",
            secrets: ["api_key": "0123456789abcdef-us6"],
            answers: [
                Answer(
                    path: "/3.0/",
                    body: #"{"account_id": "8d3a3db4d97663a9074efcc16", "account_name": "Acme", "email": "ops@acme.com"}"#,
                    auth: basic("destinations", "0123456789abcdef-us6")
                )
            ]
        ),
        Case(
            serviceName: "marketo",
            details: ["endpoint_url": "https://123-ABC-456.mktorest.com", "client_id": "mk-client"],
            secrets: ["client_secret": "mk-secret"],
            answers: [
                Answer(
                    path: "/identity/oauth/token",
                    body: #"{"access_token": "mk-token", "token_type": "bearer", "expires_in": 3599, "scope": "api@acme.com"}"#
                ),
                Answer(
                    path: "/rest/v1/leads/describe.json",
                    body: #"{"requestId": "e42b#14272d07d78", "result": [], "success": true}"#,
                    auth: bearer("mk-token")
                ),
            ]
        ),
        Case(
            serviceName: "mixpanel",
            details: ["project_id": "3141", "project_token": "tok", "service_account_username": "sync.sa"],
            secrets: ["service_account_secret": "mp-secret"],
            answers: [Answer(path: "/lookup-tables", body: #"{"code": 200, "status": "ok", "results": []}"#, auth: basic("sync.sa", "mp-secret"))]
        ),
        Case(
            serviceName: "outreach",
            secrets: ["access_token": "or-token"],
            answers: [
                Answer(
                    path: "/api/v2/users",
                    body: #"{"data": [{"type": "user", "id": 1, "attributes": {"email": "rep@acme.com"}}], "links": {}}"#,
                    auth: bearer("or-token")
                )
            ]
        ),
        Case(
            serviceName: "pinterest",
            secrets: ["access_token": "pin-token"],
            answers: [
                Answer(
                    path: "/v5/user_account",
                    body: #"{"account_type": "BUSINESS", "id": "549755885175", "username": "acme"}"#,
                    auth: bearer("pin-token")
                )
            ]
        ),
        Case(
            serviceName: "pipedrive",
            details: ["company_domain": "acme"],
            secrets: ["api_token": "pd-token"],
            answers: [
                Answer(
                    path: "/api/v1/users/me",
                    body: #"{"success": true, "data": {"id": 1, "name": "Ops", "company_domain": "acme"}}"#,
                    auth: ("x-api-token", "pd-token")
                )
            ]
        ),
        Case(
            serviceName: "salesforce",
            details: ["instance_url": "https://acme.my.salesforce.com"],
            secrets: ["access_token": "sf-token"],
            answers: [
                Answer(
                    path: "/services/data/v62.0/limits",
                    body: #"{"DailyApiRequests": {"Max": 15000, "Remaining": 14998}}"#,
                    auth: bearer("sf-token")
                )
            ]
        ),
        Case(
            serviceName: "segment",
            secrets: ["write_key": "seg-key"],
            answers: [Answer(method: "POST", path: "/v1/batch", body: #"{"success": true}"#, auth: basic("seg-key", ""))]
        ),
        Case(
            serviceName: "sendgrid",
            secrets: ["api_key": "SG.key"],
            answers: [
                Answer(path: "/v3/scopes", body: #"{"scopes": ["marketing.read", "marketing.write", "user.profile.read"]}"#, auth: bearer("SG.key"))
            ]
        ),
        Case(
            serviceName: "zendesk",
            details: ["domain": "acme"],
            secrets: ["access_token": "zd-token"],
            answers: [
                Answer(path: "/api/v2/users/me.json", body: #"{"user": {"id": 35436, "name": "Ops", "role": "admin"}}"#, auth: bearer("zd-token"))
            ]
        ),
    ]

    static func run(
        _ serviceName: String,
        _ fake: FakeProvider,
        details: [String: JSONValue],
        secrets: [String: JSONValue]
    ) async throws -> [ConnectionTestStep] {
        let connector = try #require(Catalog.registry[serviceName])
        return try await connector.testConnection(DiscoveryTests.context(fake, details: details, secrets: secrets))
    }

    @Test func everyRegisteredConnectorHasACase() {
        let cased = Self.cases.map(\.serviceName)
        let registered = Set(Catalog.registry.declarations.map(\.serviceName))
        #expect(registered.subtracting(cased).isEmpty, "no connection-test case for \(registered.subtracting(cased).sorted())")
        #expect(Set(cased).subtracting(registered).isEmpty, "cases for unregistered types: \(Set(cased).subtracting(registered).sorted())")
        #expect(cased.count == Set(cased).count, "more than one case for a type")
    }

    @Test(arguments: cases)
    func passesWithGoodCredentials(_ testCase: Case) async throws {
        try await FakeProvider.run { fake in
            for answer in testCase.answers {
                fake.on(answer.method, answer.path) { _ in .json(answer.body, status: answer.status) }
            }
            let steps = try await Self.run(testCase.serviceName, fake, details: testCase.details, secrets: testCase.secrets)
            #expect(!steps.isEmpty)
            #expect(steps.allSatisfy { $0.status == .passed }, "\(steps)")
            for answer in testCase.answers {
                let calls = fake.calls(answer.method, answer.path)
                #expect(calls.count == 1, "\(answer.method) \(answer.path)")
                if let auth = answer.auth {
                    #expect(calls.first?.header(auth.name) == auth.value, "\(answer.path)")
                }
            }
        }
    }

    /// A bad key, token or secret per way of authenticating: the step says so in the provider's words,
    /// and the steps after it are skipped.
    @Test(arguments: [
        // A bearer token from OAuth.
        (
            "hubspot", "/account-info/v3/details",
            #"{"status": "error", "message": "Authentication credentials not found.", "category": "INVALID_AUTHENTICATION"}"#, 401,
            "Authentication credentials not found"
        ),
        // An API key in a header of its own.
        ("iterable", "/api/lists", #"{"msg": "Invalid API key", "code": "BadApiKey", "params": null}"#, 401, "Invalid API key"),
        // HTTP Basic.
        (
            "mailchimp", "/3.0/",
            #"{"type": "https://mailchimp.com/developer/marketing/docs/errors/", "title": "API Key Invalid", "status": 401, "detail": "Your API key may be invalid, or you've attempted to access the wrong datacenter."}"#,
            401, "Your API key may be invalid"
        ),
        // A client-credentials exchange.
        (
            "marketo", "/identity/oauth/token", #"{"error": "invalid_client", "error_description": "Bad client credentials"}"#, 401,
            "Bad client credentials"
        ),
        // A service account's signed assertion.
        ("google_sheets", "/token", #"{"error": "invalid_grant", "error_description": "Invalid JWT Signature."}"#, 400, "Invalid JWT Signature"),
    ])
    func badCredentialsFailInTheProvidersWords(_ serviceName: String, _ path: String, _ body: String, _ status: Int, _ words: String) async throws {
        let testCase = try #require(Self.cases.first { $0.serviceName == serviceName })
        try await FakeProvider.run { fake in
            for answer in testCase.answers {
                fake.on(answer.method, answer.path) { _ in answer.path == path ? .json(body, status: status) : .json(answer.body) }
            }
            let steps = try await Self.run(serviceName, fake, details: testCase.details, secrets: testCase.secrets)
            let failed = try #require(steps.first { $0.status != .passed })
            #expect(failed.status == .failed)
            #expect(failed.errorMessage?.contains(words) == true, "\(failed)")
            #expect(steps.drop { $0 != failed }.dropFirst().allSatisfy { $0.status == .skipped })
            for secret in testCase.secrets.values.compactMap(\.stringValue) {
                #expect(failed.errorMessage?.contains(secret) == false)
            }
        }
    }

    @Test func aKeyWithoutTheScopeItNeedsIsNamed() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v3/scopes") { _ in .json(#"{"scopes": ["mail.send", "user.profile.read"]}"#) }
            let steps = try await Self.run("sendgrid", fake, details: [:], secrets: ["api_key": "SG.key"])
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("Marketing") == true)
        }
    }

    @Test func amplitudeQuotesTheRefusalWithoutTheKey() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/2/httpapi") { _ in .json(#"{"code": 400, "error": "Invalid API key: amp-canary-key"}"#, status: 400) }
            let steps = try await Self.run("amplitude", fake, details: [:], secrets: ["api_key": "amp-canary-key"])
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("Invalid API key"))
            #expect(!message.contains("amp-canary-key"))
        }
    }

    @Test func marketoErrorsInsideA200AreFailures() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/identity/oauth/token") { _ in .json(#"{"access_token": "mk-token", "token_type": "bearer", "expires_in": 3599}"#) }
            fake.on("GET", "/rest/v1/leads/describe.json") { _ in
                .json(#"{"requestId": "1", "success": false, "errors": [{"code": "603", "message": "Access denied"}]}"#)
            }
            let steps = try await Self.run(
                "marketo",
                fake,
                details: ["endpoint_url": "https://x.mktorest.com", "client_id": "c"],
                secrets: ["client_secret": "s"]
            )
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("603 Access denied") == true)
        }
    }

    /// Reasons that are not the provider's: nobody listening, and TLS with a server that does not speak it.
    @Test func unreachableHostsAndTLSFailuresAreSaidPlainly() async throws {
        let http = HTTPRequest()
        // A port bound and held but never listened on: refused, and no other test's server can take it.
        let (held, port) = try boundLoopbackSocket()
        defer { close(held) }
        let unreachable = try await http.testConnection(
            ConnectorContext(
                details: ["base_url": .string("http://127.0.0.1:\(port)")],
                secrets: [:],
                http: try await AsyncHTTPProviderClient.shared()
            )
        )
        #expect(unreachable.first?.status == .failed)
        #expect(unreachable.first?.errorMessage?.hasPrefix("Cannot reach 127.0.0.1") == true, "\(unreachable)")
        try await FakeProvider.run { fake in
            let plainHTTPAsTLS = "https://127.0.0.1:\(fake.baseURL.port!)"
            let steps = try await http.testConnection(
                ConnectorContext(details: ["base_url": .string(plainHTTPAsTLS)], secrets: [:], http: try await AsyncHTTPProviderClient.shared())
            )
            #expect(steps.first?.status == .failed)
            #expect(steps.first?.errorMessage?.contains("TLS") == true, "\(steps)")
        }
    }
}
