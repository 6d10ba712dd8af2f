import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// The quirks of TikTok (errors inside a 200, its own OAuth exchange), Zoho CRM (`status: error`, data
/// centres, `api_domain`), GA4 (validation messages instead of errors) and Snapchat's consent URL.
@Suite("TikTok, Snapchat, GA4 and Zoho quirks")
struct TikTokZohoAnalyticsQuirkTests {
    static func context(_ fake: FakeProvider, details: [String: JSONValue], secrets: [String: JSONValue]) async throws -> ConnectorContext {
        try await DiscoveryTests.context(fake, details: details, secrets: secrets)
    }

    @Test func tiktokErrorsInsideA200FailTheTest() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/open_api/v1.3/advertiser/info/") { _ in
                .json(#"{"code": 40105, "message": "Access token is incorrect or has been revoked.", "request_id": "1", "data": {}}"#)
            }
            let steps = try await TikTok().testConnection(
                Self.context(fake, details: ["advertiser_id": "123"], secrets: ["access_token": "tt-canary-token"])
            )
            #expect(steps.map(\.status) == [.failed])
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("Access token is incorrect"))
            #expect(message.contains("40105"))
            #expect(!message.contains("tt-canary-token"))
        }
    }

    @Test func tiktokSendsTheAdvertiserIdAsAJSONArray() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/open_api/v1.3/advertiser/info/") { _ in
                .json(#"{"code": 0, "message": "OK", "request_id": "1", "data": {"list": [{"advertiser_id": "123", "name": "Acme"}]}}"#)
            }
            _ = try await TikTok().testConnection(Self.context(fake, details: ["advertiser_id": "123"], secrets: ["access_token": "tt"]))
            #expect(fake.calls("GET", "/open_api/v1.3/advertiser/info/").first?.query["advertiser_ids"] == #"["123"]"#)
        }
    }

    @Test func tiktokConsentURLNamesTheAppAndNoScope() throws {
        let url = try TikTokOAuth().consentURL(
            client: OAuthClient(clientID: "app-1", clientSecret: "s"),
            redirectURI: "https://app.example.com/cb",
            state: "st",
            extras: OAuthExtras()
        )
        let query = Dictionary(
            uniqueKeysWithValues: (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
        )
        #expect(url.host == "business-api.tiktok.com")
        #expect(url.path == "/portal/auth")
        #expect(query == ["app_id": "app-1", "redirect_uri": "https://app.example.com/cb", "state": "st"])
    }

    @Test func tiktokExchangeGivesALongTermTokenWithoutRefresh() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/open_api/v1.3/oauth2/access_token/") { call in
                let body = (try? JSONSerialization.jsonObject(with: call.body)) as? [String: String] ?? [:]
                guard body == ["app_id": "app-1", "secret": "CANARY-secret", "auth_code": "auth-1"] else {
                    return .json(#"{"code": 40001, "message": "Invalid app_id or secret", "request_id": "1", "data": {}}"#)
                }
                return .json(
                    #"{"code": 0, "message": "OK", "request_id": "2", "data": {"access_token": "tt-long-term", "advertiser_ids": ["7244443234628403202"], "scope": [4]}}"#
                )
            }
            let client = OAuthClient(
                clientID: "app-1",
                clientSecret: "CANARY-secret",
                tokenURL: fake.baseURL.appendingPathComponent("open_api/v1.3/oauth2/access_token/")
            )
            let http = try await AsyncHTTPProviderClient.shared()
            let tokens = try await TikTokOAuth().exchange(
                code: "auth-1",
                redirectURI: "https://app.example.com/cb",
                extras: OAuthExtras(),
                client: client,
                http: http,
                now: Date()
            )
            #expect(tokens.accessToken == "tt-long-term")
            #expect(tokens.refreshToken == nil)
            #expect(tokens.expiresAt == nil)
            #expect(tokens.details["advertiser_ids"] == .array([.string("7244443234628403202")]))
            #expect(TikTokOAuth().refreshes == false)
            // TikTok's refusal comes with HTTP 200 and a code.
            await #expect(throws: ProviderFailure.permanent("TikTok says Invalid app_id or secret (code 40001)")) {
                _ = try await TikTokOAuth().exchange(
                    code: "wrong",
                    redirectURI: "https://app.example.com/cb",
                    extras: OAuthExtras(),
                    client: client,
                    http: http,
                    now: Date()
                )
            }
        }
    }

    @Test func zohoStatusErrorInsideA200FailsTheTest() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/crm/v8/org") { _ in
                .json(#"{"code": "OAUTH_SCOPE_MISMATCH", "details": {}, "message": "invalid oauth scope to access this URL", "status": "error"}"#)
            }
            let steps = try await ZohoCRM().testConnection(
                Self.context(fake, details: ["domain": "us", "api_domain": "https://www.zohoapis.com"], secrets: ["access_token": "zc"])
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("OAUTH_SCOPE_MISMATCH") == true)
        }
    }

    @Test func zohoRejectedTokenIsSaidInZohosWords() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/crm/v8/org") { call in
                call.header("authorization") == "Zoho-oauthtoken zc"
                    ? .json(#"{"org": []}"#)
                    : .json(#"{"code": "INVALID_TOKEN", "details": {}, "message": "invalid oauth token", "status": "error"}"#, status: 401)
            }
            let steps = try await ZohoCRM().testConnection(
                Self.context(fake, details: ["domain": "us", "api_domain": "https://www.zohoapis.com"], secrets: ["access_token": "zc-stale"])
            )
            #expect(steps.first?.status == .failed)
            #expect(steps.first?.errorMessage?.contains("invalid oauth token") == true)
        }
    }

    @Test func zohoConsentGoesToTheDataCentresAccountsServer() throws {
        let url = try ZohoOAuth.provider.consentURL(
            client: OAuthClient(clientID: "1000.ABC", clientSecret: "s"),
            redirectURI: "https://app.example.com/cb",
            state: "st",
            extras: OAuthExtras(domain: "eu")
        )
        let query = Dictionary(
            uniqueKeysWithValues: (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
        )
        #expect(url.host == "accounts.zoho.eu")
        #expect(url.path == "/oauth/v2/auth")
        #expect(query["scope"] == ZohoOAuth.scopes.joined(separator: ","))
        #expect(query["access_type"] == "offline")
        #expect(ZohoOAuth.provider.needsDomain)
        #expect(throws: ProviderFailure.self) {
            _ = try ZohoOAuth.provider.consentURL(
                client: OAuthClient(clientID: "1000.ABC", clientSecret: "s"),
                redirectURI: "https://app.example.com/cb",
                state: "st",
                extras: OAuthExtras(domain: "mars")
            )
        }
    }

    @Test func zohoKeepsTheApiDomainOfTheTokenAnswer() async throws {
        try await FakeProvider.run { fake in
            let settings = FakeOAuth.Settings.with {
                $0.expiresIn = 3600
                $0.extraFields = ["api_domain": "https://www.zohoapis.eu"]
            }
            let provider = FakeOAuth(fake, settings)
            let redirect = "https://app.example.com/cb"
            let code = await provider.consent(redirectURI: redirect)
            let tokens = try await ZohoOAuth.provider.exchange(
                code: code,
                redirectURI: redirect,
                extras: OAuthExtras(domain: "eu"),
                client: OAuthClient(
                    clientID: settings.clientID,
                    clientSecret: settings.clientSecret,
                    tokenURL: fake.baseURL.appendingPathComponent(String(settings.tokenPath.dropFirst()))
                ),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            #expect(tokens.details["api_domain"] == .string("https://www.zohoapis.eu"))
            #expect(tokens.refreshToken != nil)
        }
    }

    @Test func ga4ValidationMessagesFailTheTest() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/debug/mp/collect") { _ in
                .json(
                    #"{"validationMessages": [{"fieldPath": "measurement_id", "description": "Unable to find non-empty parameter [measurement_id] value in request.", "validationCode": "VALUE_REQUIRED"}]}"#
                )
            }
            let steps = try await GoogleAnalyticsFour().testConnection(
                Self.context(fake, details: ["connection_type": "gtag", "app_id": "G-ABC123"], secrets: ["api_secret": "ga4-secret"])
            )
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("Unable to find non-empty parameter") == true)
            let call = try #require(fake.calls("POST", "/debug/mp/collect").first)
            #expect(call.query["measurement_id"] == "G-ABC123")
            #expect(call.query["api_secret"] == "ga4-secret")
        }
    }

    @Test func ga4FirebaseStreamsAreValidatedWithAnAppInstance() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/debug/mp/collect") { _ in .json(#"{"validationMessages": []}"#) }
            let steps = try await GoogleAnalyticsFour().testConnection(
                Self.context(
                    fake,
                    details: ["connection_type": "firebase", "app_id": "1:1234567890:android:321abc456def7890"],
                    secrets: ["api_secret": "ga4-secret"]
                )
            )
            #expect(steps.allSatisfy { $0.status == .passed })
            let call = try #require(fake.calls("POST", "/debug/mp/collect").first)
            #expect(call.query["firebase_app_id"] == "1:1234567890:android:321abc456def7890")
            let body = try #require((try? JSONSerialization.jsonObject(with: call.body)) as? [String: Any])
            #expect(body["app_instance_id"] is String)
        }
    }

    @Test func ga4UniversalAnalyticsIdsAreRefusedWithoutACall() async throws {
        try await FakeProvider.run { fake in
            let steps = try await GoogleAnalyticsFour().testConnection(
                Self.context(fake, details: ["connection_type": "gtag", "app_id": "UA-12345-1"], secrets: ["api_secret": "ga4-secret"])
            )
            #expect(steps.map(\.status) == [.failed, .skipped])
            #expect(fake.calls().isEmpty)
        }
    }

    @Test func snapchatAsksForTheMarketingScope() throws {
        let provider = try #require(Snapchat().oauth)
        let url = try provider.consentURL(
            client: OAuthClient(clientID: "snap-client", clientSecret: "s"),
            redirectURI: "https://app.example.com/cb",
            state: "st",
            extras: OAuthExtras()
        )
        let query = Dictionary(
            uniqueKeysWithValues: (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") }
        )
        #expect(url.host == "accounts.snapchat.com")
        #expect(url.path == "/login/oauth2/authorize")
        #expect(query["scope"] == "snapchat-marketing-api")
        #expect(query["response_type"] == "code")
    }
}
