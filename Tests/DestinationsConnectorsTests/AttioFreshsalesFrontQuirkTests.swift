import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// What sets these providers apart from the common cases: Attio's 200 for a dead token and its scopes,
/// Attio's attribute flags, the Freshsales bundle alias, Front's consent and token exchange.
@Suite("Attio, Freshsales and Front quirks")
struct AttioFreshsalesFrontQuirkTests {
    /// Attio attributes in the shape of `GET /v2/objects/{object}/attributes`, writable and not unique.
    static func attioAttributes(_ slugs: [String]) -> String {
        let items = slugs.map { slug in
            #"{"id": {"workspace_id": "14beef7a-99f7-4534-a87e-70b564330a4c", "object_id": "97052eb9-e65e-443f-a297-f2d9a4a7f795", "attribute_id": "41252299-f8c7-4b5e-99c9-4ff8321d2f96"}, "title": "\#(slug)", "description": null, "api_slug": "\#(slug)", "type": "text", "is_system_attribute": false, "is_writable": true, "is_required": false, "is_unique": false, "is_multiselect": false, "is_default_value_enabled": false, "is_archived": false, "default_value": null, "relationship": null, "created_at": "2022-11-21T13:22:49.061Z", "config": {"currency": {"default_currency_code": null, "display_type": null}, "record_reference": {"allowed_object_ids": null}}}"#
        }
        return #"{"data": ["# + items.joined(separator: ", ") + "]}"
    }

    @Test func attioSaysAnInactiveTokenWithHTTP200() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v2/self") { _ in .json(#"{"active": false}"#) }
            let steps = try await ConnectionTestTests.run("attio", fake, details: [:], secrets: ["api_token": "attio-revoked"])
            #expect(steps.map(\.status) == [.failed, .skipped])
            #expect(steps.first?.errorMessage?.contains("not active") == true, "\(steps)")
        }
    }

    @Test func attioNamesTheScopeATokenLacks() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v2/self") { _ in
                .json(
                    #"{"active": true, "scope": "record_permission:read object_configuration:read", "client_id": "c", "token_type": "Bearer", "exp": null, "iat": 1732924800, "sub": "w", "aud": "c", "iss": "attio.com", "authorized_by_workspace_member_id": null, "workspace_id": "w", "workspace_name": "Acme", "workspace_slug": "acme", "workspace_logo_url": null}"#
                )
            }
            let steps = try await ConnectionTestTests.run("attio", fake, details: [:], secrets: ["api_token": "attio-read-only"])
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("record_permission:read-write") == true, "\(steps)")
            #expect(steps.last?.errorMessage?.contains("object_configuration") == false, "\(steps)")
        }
    }

    @Test func attioAttributeFlagsBecomeFieldFlags() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v2/objects/companies/attributes") { _ in
                .json(
                    #"{"data": [{"id": {"workspace_id": "w", "object_id": "o", "attribute_id": "a1"}, "title": "Domains", "api_slug": "domains", "type": "domain", "is_system_attribute": true, "is_writable": true, "is_required": false, "is_unique": true, "is_multiselect": true, "is_archived": false}, {"id": {"workspace_id": "w", "object_id": "o", "attribute_id": "a2"}, "title": "Record ID", "api_slug": "record_id", "type": "text", "is_system_attribute": true, "is_writable": false, "is_required": false, "is_unique": true, "is_multiselect": false, "is_archived": false}, {"id": {"workspace_id": "w", "object_id": "o", "attribute_id": "a3"}, "title": "Name", "api_slug": "name", "type": "text", "is_system_attribute": true, "is_writable": true, "is_required": true, "is_unique": false, "is_multiselect": false, "is_archived": false}, {"id": {"workspace_id": "w", "object_id": "o", "attribute_id": "a4"}, "title": "Old", "api_slug": "old", "type": "text", "is_system_attribute": false, "is_writable": true, "is_required": false, "is_unique": false, "is_multiselect": false, "is_archived": true}]}"#
                )
            }
            let fields = try await Attio().discoverFields(of: "companies", DiscoveryTests.context(fake, secrets: ["api_token": "at"]))
            #expect(fields.map(\.fullName) == ["domains", "record_id", "name"])
            #expect(fields.map(\.identifier) == [true, true, false])
            #expect(fields.map(\.createable) == [true, false, true])
            #expect(fields.map(\.required) == [false, false, true])
            let call = try #require(fake.calls("GET", "/v2/objects/companies/attributes").first)
            #expect(call.header("authorization") == "Bearer at")
            #expect(call.query["limit"] == "100")
        }
    }

    @Test func freshsalesTakesTheBundleAliasAsCopiedAndOnlyFreshworksHosts() {
        let expected = "https://acme.myfreshworks.com/crm/sales"
        #expect(Freshsales.bundleURL("acme.myfreshworks.com/crm/sales")?.absoluteString == expected)
        #expect(Freshsales.bundleURL("https://acme.myfreshworks.com/crm/sales/")?.absoluteString == expected)
        #expect(Freshsales.bundleURL("acme")?.absoluteString == expected)
        #expect(Freshsales.bundleURL("acme.freshsales.io")?.absoluteString == "https://acme.freshsales.io")
        #expect(Freshsales.bundleURL("intranet.example.com/crm/sales") == nil)
        #expect(Freshsales.bundleURL("myfreshworks.com.evil.example") == nil)
        let urls = Freshsales().userSuppliedURLs(in: ["domain": "acme.myfreshworks.com/crm/sales"])
        #expect(urls.map(\.field) == ["domain"])
        #expect(urls.first?.url.host == "acme.myfreshworks.com")
    }

    @Test func frontConsentCarriesNoScope() throws {
        let oauth = try #require(Front().oauth)
        let url = try oauth.consentURL(
            client: OAuthClient(clientID: "client-id", clientSecret: "front-secret"),
            redirectURI: "https://app.example.com/callback",
            state: "state-1",
            extras: OAuthExtras()
        )
        let query = Dictionary(
            (URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []).map { ($0.name, $0.value ?? "") },
            uniquingKeysWith: { $1 }
        )
        #expect(url.host == "app.frontapp.com")
        #expect(url.path == "/oauth/authorize")
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "client-id")
        #expect(query["state"] == "state-1")
        #expect(query["scope"] == nil)
    }

    @Test func frontExchangesWithBasicClientAuthAndKeepsTokensAnHour() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/oauth/token") { _ in
                .json(#"{"access_token": "front-access", "refresh_token": "front-refresh", "expires_at": 1764504000, "token_type": "Bearer"}"#)
            }
            let client = OAuthClient(
                clientID: "client-id",
                clientSecret: "front-secret",
                tokenURL: fake.baseURL.appendingPathComponent("oauth/token")
            )
            let now = Date(timeIntervalSince1970: 1_764_500_400)
            let tokens = try await #require(Front().oauth).exchange(
                code: "code-1",
                redirectURI: "https://app.example.com/callback",
                extras: OAuthExtras(),
                client: client,
                http: try await AsyncHTTPProviderClient.shared(),
                now: now
            )
            #expect(tokens.accessToken == "front-access")
            #expect(tokens.refreshToken == "front-refresh")
            #expect(tokens.expiresAt == now.addingTimeInterval(3600))
            let call = try #require(fake.calls("POST", "/oauth/token").first)
            #expect(call.header("authorization") == "Basic \(Data("client-id:front-secret".utf8).base64EncodedString())")
            #expect(call.form["grant_type"] == "authorization_code")
            #expect(call.form["code"] == "code-1")
            #expect(call.form["client_secret"] == nil)
        }
    }
}
