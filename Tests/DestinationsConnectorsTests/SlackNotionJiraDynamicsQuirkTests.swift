import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

@Suite("Slack, Notion, Jira and Dynamics quirks")
struct SlackNotionJiraDynamicsQuirkTests {
    @Test func slackSaysWhyA200IsAFailure() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/auth.test") { _ in .json(#"{"ok": false, "error": "invalid_auth"}"#) }
            let steps = try await Slack().testConnection(DiscoveryTests.context(fake, secrets: ["access_token": "xoxb-revoked"]))
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("Slack says invalid_auth") == true, "\(steps)")
            #expect(steps.first?.errorMessage?.contains("Authorize Slack again") == true)
        }
    }

    @Test func slackChannelListingFailsOnAnErrorInside200() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/conversations.list") { _ in .json(#"{"ok": false, "error": "missing_scope", "needed": "groups:read"}"#) }
            await #expect(throws: ProviderFailure.permanent("Slack says missing_scope (conversations.list)")) {
                _ = try await Slack().discoverObjects(DiscoveryTests.context(fake, secrets: ["access_token": "xoxb"]))
            }
        }
    }

    @Test func slackConsentCommaSeparatesBotScopesAndTheExchangeUsesBasic() async throws {
        try await FakeProvider.run { fake in
            let oauth = try #require(Slack().oauth)
            let consent = try oauth.consentURL(
                client: OAuthQuirkSupport.client(fake),
                redirectURI: "https://app.example.com/cb",
                state: "s",
                extras: OAuthExtras()
            )
            #expect(consent.host == "slack.com" && consent.path == "/oauth/v2/authorize")
            #expect(OAuthQuirkSupport.query(consent)["scope"]?.split(separator: ",").contains("chat:write") == true)
            #expect(OAuthQuirkSupport.query(consent)["scope"]?.contains(" ") == false)
            let provider = FakeOAuth(
                fake,
                .with {
                    $0.tokenPath = "/api/oauth.v2.access"
                    $0.authentication = .basic
                    $0.expiresIn = nil
                }
            )
            let code = await provider.consent(redirectURI: "https://app.example.com/cb")
            let tokens = try await oauth.exchange(
                code: code,
                redirectURI: "https://app.example.com/cb",
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake, tokenPath: "/api/oauth.v2.access"),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            // Without token rotation the bot token never expires.
            #expect(tokens.expiresAt == nil)
            #expect(await provider.isLive(accessToken: tokens.accessToken))
        }
    }

    @Test func notionSendsItsVersionAndConsentsWithoutScope() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v1/users/me") { _ in .json(#"{"object": "user", "id": "b1", "type": "bot", "bot": {}}"#) }
            let steps = try await Notion().testConnection(DiscoveryTests.context(fake, secrets: ["access_token": "ntn"]))
            #expect(steps.map(\.status) == [.passed])
            #expect(fake.calls("GET", "/v1/users/me").first?.header("notion-version") == Notion.version)
            let oauth = try #require(Notion().oauth)
            let consent = try oauth.consentURL(
                client: OAuthQuirkSupport.client(fake),
                redirectURI: "https://app.example.com/cb",
                state: "s",
                extras: OAuthExtras()
            )
            #expect(OAuthQuirkSupport.query(consent)["owner"] == "user")
            #expect(OAuthQuirkSupport.query(consent)["scope"] == nil)
        }
    }

    /// Notion's token endpoint: the client in HTTP Basic, the grant as JSON.
    @Test func notionExchangesWithBasicAndAJSONBody() async throws {
        try await FakeProvider.run { fake in
            let basic = "Basic " + Data("client-id:CANARY-client-secret-8d2e".utf8).base64EncodedString()
            fake.on("POST", "/v1/oauth/token") { call in
                let body = (try? JSONSerialization.jsonObject(with: call.body)) as? [String: Any] ?? [:]
                guard call.header("authorization") == basic, body["grant_type"] as? String == "authorization_code", body["code"] as? String == "c1",
                    body["client_secret"] == nil
                else { return .json(#"{"object": "error", "status": 400, "code": "invalid_request", "message": "bad token request"}"#, status: 400) }
                return .json(
                    #"{"access_token": "ntn_new", "token_type": "bearer", "refresh_token": "nrt_1", "bot_id": "b1", "workspace_id": "w1", "workspace_name": "Acme", "owner": {"type": "workspace", "workspace": true}}"#
                )
            }
            let tokens = try await #require(Notion().oauth).exchange(
                code: "c1",
                redirectURI: "https://app.example.com/cb",
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake, tokenPath: "/v1/oauth/token"),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            #expect(tokens.accessToken == "ntn_new")
            #expect(tokens.refreshToken == "nrt_1")
            #expect(tokens.details["workspace_id"] == "w1")
        }
    }

    @Test func jiraConsentAsksForTheAtlassianAudienceAndOfflineAccess() throws {
        let consent = try #require(Jira().oauth).consentURL(
            client: OAuthClient(clientID: "client-id", clientSecret: "s"),
            redirectURI: "https://app.example.com/cb",
            state: "s",
            extras: OAuthExtras()
        )
        let query = OAuthQuirkSupport.query(consent)
        #expect(consent.host == "auth.atlassian.com")
        #expect(query["audience"] == "api.atlassian.com")
        #expect(query["prompt"] == "consent")
        #expect(query["scope"]?.split(separator: " ").contains("offline_access") == true)
    }

    /// After the exchange, the cloud id of the consented site is looked up and kept with the destination.
    @Test func jiraLooksUpTheCloudIdAfterTheExchange() async throws {
        try await FakeProvider.run { fake in
            let provider = FakeOAuth(fake, .with { $0.rotatesRefreshTokens = true })
            fake.on("GET", "/oauth/token/accessible-resources") { _ in
                .json(
                    #"[{"id": "1324a887-45db-1bf4-1e99-ef0ff456d421", "name": "Acme", "url": "https://acme.atlassian.net", "scopes": ["read:jira-work", "write:jira-work"], "avatarUrl": "https://x/a.png"}]"#
                )
            }
            let code = await provider.consent(redirectURI: "https://app.example.com/cb")
            let tokens = try await #require(Jira().oauth).exchange(
                code: code,
                redirectURI: "https://app.example.com/cb",
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            #expect(tokens.details["cloud_id"] == "1324a887-45db-1bf4-1e99-ef0ff456d421")
            #expect(tokens.details["site_url"] == "https://acme.atlassian.net")
            #expect(fake.calls("GET", "/oauth/token/accessible-resources").first?.header("authorization") == "Bearer \(tokens.accessToken)")
            // Atlassian rotates the refresh token: the refreshed one replaces it.
            let refreshed = try await #require(Jira().oauth).refresh(
                refreshToken: try #require(tokens.refreshToken),
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            #expect(refreshed.refreshToken != nil && refreshed.refreshToken != tokens.refreshToken)
        }
    }

    @Test func jiraWithoutASiteIsRefused() async throws {
        try await FakeProvider.run { fake in
            let provider = FakeOAuth(fake)
            fake.on("GET", "/oauth/token/accessible-resources") { _ in .json("[]") }
            let code = await provider.consent(redirectURI: "https://app.example.com/cb")
            await #expect(throws: ProviderFailure.self) {
                _ = try await #require(Jira().oauth).exchange(
                    code: code,
                    redirectURI: "https://app.example.com/cb",
                    extras: OAuthExtras(),
                    client: OAuthQuirkSupport.client(fake),
                    http: try await AsyncHTTPProviderClient.shared(),
                    now: Date()
                )
            }
        }
    }

    /// Dataverse's 401 has no body; the reason is in WWW-Authenticate, and the step quotes it.
    @Test func dynamicsQuotesWWWAuthenticateForAnEmptyUnauthorized() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/api/data/v9.2/WhoAmI") { _ in
                FakeProvider.Reply(
                    status: 401,
                    headers: ["WWW-Authenticate": #"Bearer error="invalid_token", error_description="IDX10214: Audience validation failed""#],
                    body: ""
                )
            }
            let steps = try await MicrosoftDynamics().testConnection(
                DiscoveryTests.context(fake, details: ["domain": "acme.crm.dynamics.com"], secrets: ["access_token": "dyn-wrong-audience"])
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("IDX10214: Audience validation failed") == true, "\(steps)")
            #expect(fake.calls("GET", "/api/data/v9.2/WhoAmI").first?.header("odata-version") == "4.0")
        }
    }

    /// The token's audience is the environment: the scopes name the host given as the domain.
    @Test func dynamicsConsentNamesTheEnvironment() throws {
        let oauth = try #require(MicrosoftDynamics().oauth)
        let consent = try oauth.consentURL(
            client: OAuthClient(clientID: "client-id", clientSecret: "s"),
            redirectURI: "https://app.example.com/cb",
            state: "s",
            extras: OAuthExtras(domain: "acme.crm4.dynamics.com")
        )
        #expect(consent.host == "login.microsoftonline.com")
        #expect(OAuthQuirkSupport.query(consent)["scope"] == "https://acme.crm4.dynamics.com/user_impersonation offline_access")
        #expect(throws: ProviderFailure.self) {
            _ = try oauth.consentURL(
                client: OAuthClient(clientID: "client-id", clientSecret: "s"),
                redirectURI: "https://app.example.com/cb",
                state: "s",
                extras: OAuthExtras(domain: "attacker.example.com")
            )
        }
    }
}
