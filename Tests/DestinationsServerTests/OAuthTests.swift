import Crypto
import DestinationsCore
import DestinationsStorage
import Foundation
import HTTPTypes
import TestSupport
import Testing

@testable import DestinationsServer

/// The OAuth flow of each provider family against a fake OAuth provider.
@Suite("OAuth destinations")
struct OAuthTests {
    /// Points the type's OAuth client (and its API) at the fake.
    static func configure(
        _ type: String,
        _ oauth: FakeOAuth.Settings,
        sandbox: Bool = false
    ) -> @Sendable (inout ServerSettings, FakeProvider) -> Void {
        { settings, fake in
            var client = OAuthClient(
                clientID: oauth.clientID,
                clientSecret: oauth.clientSecret,
                authorizeURL: fake.baseURL.appendingPathComponent("oauth/authorize"),
                tokenURL: fake.baseURL.appendingPathComponent(String(oauth.tokenPath.dropFirst())),
                apiBaseURL: fake.baseURL
            )
            if sandbox {
                client.sandboxAuthorizeURL = fake.baseURL.appendingPathComponent("sandbox/authorize")
                client.sandboxTokenURL = fake.baseURL.appendingPathComponent("sandbox/token")
            }
            settings.oauthClients[type] = client
        }
    }

    /// PKCE (Airtable): the consent's S256 challenge is of the verifier the exchange sends, which the
    /// server derives again from the state rather than storing it.
    @Test(arguments: TestBackend.all)
    func airtableConsentCarriesAChallengeTheExchangeAnswers(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with { $0.authentication = .basic }
        try await TestServer(backend).run(configure: Self.configure("airtable", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            let connection = try await session.connectOAuth("airtable", oauth)
            #expect(connection.consent["code_challenge_method"] == "S256")
            let challenge = try #require(connection.consent["code_challenge"])
            #expect(connection.created.status == .created)
            let verifier = try #require(session.fake.calls("POST", "/oauth/token").first?.form["code_verifier"])
            #expect(verifier.count >= 43)
            #expect(Data(SHA256.hash(data: Data(verifier.utf8))).base64URLEncodedString() == challenge)
            #expect(!connection.consent.values.contains(verifier))
        }
    }

    @Test(arguments: TestBackend.all)
    func hubspotFromConsentToACreatedDestination(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings()
        try await TestServer(backend).run(configure: Self.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.hubspotTokenInfo(hubID: 4242)
            session.fake.hubspotSchemas([])
            let consent = try await session.authorizeURL("type=hubspot&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))")
            #expect(consent["_path"] == "/oauth/authorize")
            #expect(consent["client_id"] == settings.clientID)
            #expect(consent["redirect_uri"] == Session.oauthRedirect)
            #expect(consent["response_type"] == "code")
            #expect(consent["scope"]?.contains("crm.schemas.custom.read") == true)
            #expect(consent["state"]?.hasPrefix("ds1.") == true)
            let code = await oauth.consent(redirectURI: Session.oauthRedirect)
            // A Census client sends only the code.
            let outcomes = session.jobOutcomes()
            let create = try await session.create(type: "hubspot", credentials: ["oauth_code": "\(code)"])
            #expect(create.status == .created)
            let data = try create.json()["data"]
            #expect(data["connection_details"]["hub_id"].int == 4242)
            #expect(data["auth_status"].string == "authorized")
            let token = try #require(session.fake.calls("POST", "/oauth/token").last)
            #expect(token.form["redirect_uri"] == Session.oauthRedirect)
            #expect(token.form["client_secret"] == settings.clientSecret)
            // The first refresh used the new token.
            let id = try #require(data["id"].int)
            #expect(try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed)
            #expect(session.fake.calls("GET", "/crm/v3/schemas").last?.header("authorization") == "Bearer CANARY-access-token-2")
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored["access_token"] == "CANARY-access-token-2")
            #expect(stored["refresh_token"] == "CANARY-refresh-token-2")
            #expect(stored["access_token_expires_at"]?.stringValue != nil)
        }
    }

    @Test(arguments: TestBackend.all)
    func aCodeIsExchangedOnceAndARejectedCodeCreatesNothing(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings()
        try await TestServer(backend).run(configure: Self.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.hubspotTokenInfo(hubID: 1)
            _ = try await session.authorizeURL("type=hubspot&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))")
            _ = try await session.authorizeURL("type=hubspot&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))")
            let code = await oauth.consent(redirectURI: Session.oauthRedirect)
            let body = #"{"service_connection": {"type": "hubspot", "credentials": {"oauth_code": "\#(code)"}}}"#
            #expect(try await session.request(.post, "/api/v1/destinations", json: body).status == .created)
            let before = try await DatabaseSnapshot.take(session)
            // The same code again: the provider refuses it, in its own words.
            let reused = try await session.request(.post, "/api/v1/destinations", json: body)
            #expect(reused.status == .unprocessableContent)
            #expect(try reused.json()["message"].string?.contains("invalid or was already used") == true)
            #expect(try await DatabaseSnapshot.take(session).filter { !$0.hasPrefix("jobs") } == before.filter { !$0.hasPrefix("jobs") })
            // Each authorize_url serves one exchange: none is left now.
            let third = try await session.request(.post, "/api/v1/destinations", json: body)
            #expect(try third.json()["message"].string?.contains("No pending authorisation") == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func salesforceSandboxSwitchesHostsAndKeepsTheInstance(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with {
            $0.tokenPath = "/sandbox/token"
            $0.expiresIn = nil
            $0.extraFields = [
                "instance_url": "https://acme--sbx.sandbox.my.salesforce.com", "id": "https://test.salesforce.com/id/00D000000000001/005000000000001",
            ]
        }
        try await TestServer(backend).run(configure: Self.configure("salesforce", settings, sandbox: true)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            let blob = Session.percentEncoded(Data(#"{ "sandbox": true }"#.utf8).base64EncodedString())
            let consent = try await session.authorizeURL(
                "type=salesforce&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))&state=\(blob)"
            )
            #expect(consent["_path"] == "/sandbox/authorize")
            #expect(consent["scope"] == "api refresh_token")
            let code = await oauth.consent(redirectURI: Session.oauthRedirect)
            let create = try await session.create(
                type: "salesforce",
                credentials: ["oauth_code": "\(code)", "state": "eyAic2FuZGJveCI6IHRydWUgfQ=="]
            )
            #expect(create.status == .created)
            let details = try create.json()["data"]["connection_details"]
            #expect(details["instance_url"].string == "https://acme--sbx.sandbox.my.salesforce.com")
            #expect(details["sandbox"].bool == true)
            #expect(details["organization_id"].string == "00D000000000001")
            #expect(session.fake.calls("POST", "/sandbox/token").count == 1)
            #expect(session.fake.calls("POST", "/oauth/token").isEmpty)
        }
    }

    @Test(arguments: TestBackend.all)
    func zendeskNeedsItsDomainAndAuthenticatesWithJSON(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with {
            $0.authentication = .jsonBody
        }
        try await TestServer(backend).run(configure: Self.configure("zendesk", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            let missing = try await session.request(
                .get,
                "/api/v1/destinations/authorize_url?type=zendesk&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))"
            )
            #expect(missing.status == .unprocessableContent)
            #expect(try missing.json()["message"].string?.contains("domain") == true)
            let consent = try await session.authorizeURL("type=zendesk&domain=acme&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))")
            #expect(consent["scope"] == "read write")
            let code = await oauth.consent(redirectURI: Session.oauthRedirect)
            let wrongDomain = try await session.create(
                type: "zendesk",
                credentials: ["oauth_code": "\(code)", "domain": "other", "state": "\(consent["state"]!)"]
            )
            #expect(wrongDomain.status == .conflict)
            _ = try await session.authorizeURL("type=zendesk&domain=acme&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))")
            let create = try await session.create(type: "zendesk", credentials: ["oauth_code": "\(code)", "domain": "acme"])
            #expect(create.status == .created)
            #expect(try create.json()["data"]["connection_details"]["domain"].string == "acme")
        }
    }

    @Test(arguments: TestBackend.all)
    func pinterestAuthenticatesWithBasic(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with {
            $0.authentication = .basic
        }
        try await TestServer(backend).run(configure: Self.configure("pinterest", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            let connection = try await session.connectOAuth("pinterest", oauth, credentials: ["ad_account_id": "549755885175"])
            #expect(connection.consent["scope"] == "ads:read,ads:write,user_accounts:read")
            let create = connection.created
            #expect(create.status == .created)
            #expect(try create.json()["data"]["connection_details"]["ad_account_id"].string == "549755885175")
        }
    }

    @Test(arguments: TestBackend.all)
    func intercomTokensNeverExpire(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with {
            $0.accessTokenKey = "token"
            $0.expiresIn = nil
            $0.issuesRefreshTokens = false
        }
        try await TestServer(backend).run(configure: Self.configure("intercom", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            let connection = try await session.connectOAuth("intercom", oauth)
            #expect(connection.consent["scope"] == nil)
            let id = try connection.id()
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored == ["access_token": "CANARY-access-token-2"])
        }
    }

    @Test(arguments: TestBackend.all, ["google_ads", "linkedin", "outreach"])
    func theOtherProvidersConsentAndExchange(_ backend: TestBackend, _ type: String) async throws {
        let settings = FakeOAuth.Settings()
        try await TestServer(backend).run(configure: Self.configure(type, settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            let account: [String: JSONValue] =
                switch type {
                case "outreach": [:]
                case "google_ads": ["account_id": "7515011393", "developer_token": "dev-token"]
                default: ["ad_account_id": "7515011393"]
                }
            let connection = try await session.connectOAuth(type, oauth, credentials: account)
            #expect(connection.consent["scope"]?.isEmpty == false)
            if type == "google_ads" { #expect(connection.consent["access_type"] == "offline") }
            #expect(connection.created.status == .created, "\(String(buffer: connection.created.body))")
        }
    }

    @Test(arguments: TestBackend.all)
    func tamperedExpiredOrForeignStatesAreRefused(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings()
        let clock = MutableClock()
        try await TestServer(backend, clock: clock).run(configure: Self.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            func create(_ state: String, headers: HTTPFields? = nil) async throws -> TestResponseSummary {
                let code = await oauth.consent(redirectURI: Session.oauthRedirect)
                let response = try await session.create(
                    type: "hubspot",
                    credentials: ["oauth_code": "\(code)", "state": "\(state)"],
                    headers: headers
                )
                return TestResponseSummary(status: response.status, message: try response.json()["message"].string ?? "")
            }
            let state = try #require(
                try await session.authorizeURL("type=hubspot&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))")["state"]
            )
            // A flipped character in the signed payload.
            var tampered = Array(state)
            tampered[8] = tampered[8] == "A" ? "B" : "A"
            #expect(try await create(String(tampered)).status == .unprocessableContent)
            // Another workspace's token presenting this workspace's state.
            let stranger: HTTPFields = [.authorization: "Bearer \(try await session.otherWorkspaceToken())"]
            let foreign = try await create(state, headers: stranger)
            #expect(foreign.status == .unprocessableContent)
            #expect(foreign.message.contains("credentials.state"))
            // Ten minutes later, the state has expired.
            clock.advance(by: 601)
            let expired = try await create(state)
            #expect(expired.status == .unprocessableContent)
            #expect(session.fake.calls("POST", "/oauth/token").isEmpty)
            clock.advance(by: -601)
            // Untouched and in time, it works once.
            session.fake.hubspotTokenInfo(hubID: 1)
            let valid = try await create(state)
            #expect(valid.status == .created, "\(valid.message)")
            #expect(try await create(state).status == .unprocessableContent)
        }
    }

    @Test(arguments: TestBackend.all)
    func anExpiringTokenIsRefreshedBeforeTheProviderCallAndRotationIsKept(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with {
            $0.authentication = .jsonBody
            $0.expiresIn = 60
            $0.rotatesRefreshTokens = true
        }
        try await TestServer(backend).run(configure: Self.configure("zendesk", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.zendeskCustomObjects([])
            let outcomes = session.jobOutcomes()
            let id = try await session.connectOAuth("zendesk", oauth, query: "&domain=acme", credentials: ["domain": "acme"]).id()
            #expect(try await session.settled(try await session.firstJob(of: id), in: outcomes) == .completed)
            // The token lived 60 seconds, under the refresh margin: refreshed before the call.
            #expect(await oauth.refreshGrants == 1)
            let latest = try #require(await oauth.accessTokens.last)
            #expect(session.fake.calls("GET", "/api/v2/custom_objects").last?.header("authorization") == "Bearer \(latest)")
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored["access_token"]?.stringValue == latest)
            #expect(stored["refresh_token"] == "CANARY-refresh-token-3")
            // The rotated-out token no longer works at the provider; the stored one does.
            #expect(try await session.settled(try await session.refresh(id), in: outcomes) == .completed)
            #expect(await oauth.refreshGrants == 2)
            // The server's own refreshes are in the trail, by field name, with no actor.
            let trail = try await Self.auditTrail(session, id)
            #expect(trail.prefix(2).map(\.action) == ["destination.created", "oauth.authorized"])
            let refreshes = trail.filter { $0.action == "oauth.refresh" }
            #expect(refreshes.count == 2 && refreshes.allSatisfy { $0.outcome == "refreshed" && $0.tokenID == nil })
            #expect(refreshes.allSatisfy { $0.fields.contains("credentials.access_token") && $0.fields.contains("credentials.refresh_token") })
            #expect(!session.responseBodies.joined().contains("CANARY-refresh-token"))
        }
    }

    static func auditTrail(_ session: Session, _ id: Int64) async throws -> [(action: String?, outcome: String?, tokenID: Int64?, fields: [String])] {
        let events = try await session.request(.get, "/api/v1/audit_events?destination_id=\(id)&order=asc&per_page=100").json()["data"].array ?? []
        return events.map { ($0["action"].string, $0["outcome"].string, $0["token_id"].int, $0["changed_fields"].array?.compactMap(\.string) ?? []) }
    }

    @Test(arguments: TestBackend.all)
    func concurrentCallersRefreshOnce(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with {
            $0.expiresIn = 60
        }
        try await TestServer(backend).run(configure: Self.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.hubspotTokenInfo(hubID: 1)
            session.fake.hubspotSchemas([])
            let outcomes = session.jobOutcomes()
            let id = try await session.connectOAuth("hubspot", oauth).id()
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            let before = await oauth.refreshGrants
            // The token expires within the margin again: eight callers at once want it fresh.
            let principal = try await session.environment.access.authenticate(token: session.token).workspacePrincipal()
            let stored = try #require(
                try await SQLDestinationStore(database: session.environment.database).stored(workspace: principal.workspaceID, id: DestinationID(id))
            )
            let refresher = session.environment.tokenRefresher
            let box = try session.secretBox()
            let tokens = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<8 {
                    group.addTask { try await refresher.freshSecrets(stored, try box.openObject(stored.secrets))["access_token"]?.stringValue }
                }
                return try await group.reduce(into: Set<String?>()) { $0.insert($1) }
            }
            #expect(tokens.count == 1)
            #expect(await oauth.refreshGrants == before + 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func aRevokedRefreshTokenAsksForANewConsentWhichFixesIt(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings.with {
            $0.expiresIn = 60
        }
        try await TestServer(backend).run(configure: Self.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.hubspotTokenInfo(hubID: 7)
            session.fake.hubspotTokenInfo(hubID: 7)
            session.fake.hubspotSchemas([])
            let outcomes = session.jobOutcomes()
            let id = try await session.connectOAuth("hubspot", oauth).id()
            await oauth.revoke(refreshToken: "CANARY-refresh-token-2")
            guard case .failed(let message) = try await session.settled(try await session.firstJob(of: id), in: outcomes) else {
                Issue.record("the refresh did not fail")
                return
            }
            #expect(message.contains("authorize it again"))
            #expect(try await session.request(.get, "/api/v1/destinations/\(id)").json()["data"]["auth_status"].string == "reauthorization_required")
            // Further refreshes fail at once, without calling the provider.
            let tokenCalls = session.fake.calls("POST", "/oauth/token").count
            guard case .failed = try await session.settled(try await session.refresh(id), in: outcomes) else {
                Issue.record("refreshed")
                return
            }
            #expect(session.fake.calls("POST", "/oauth/token").count == tokenCalls)
            // A new consent, by PATCH, authorises the same destination again.
            _ = try await session.authorizeURL("type=hubspot&redirect_uri=\(Session.percentEncoded(Session.oauthRedirect))")
            let newCode = await oauth.consent(redirectURI: Session.oauthRedirect)
            let patch = try await session.update(id, credentials: ["oauth_code": "\(newCode)"])
            #expect(patch.status == .ok)
            #expect(try patch.json()["data"]["auth_status"].string == "authorized")
            #expect(try patch.json()["data"]["id"].int == id)
            #expect(try await StoredCredentials.read(session, id: id)["refresh_token"] == "CANARY-refresh-token-4")
            let trail = try await Self.auditTrail(session, id)
            let refusal = trail.first { $0.action == "oauth.refresh" }
            #expect(refusal?.outcome == "reauthorization_required")
            #expect(refusal?.fields == ["auth_status"])
            // The PATCH's two events, in its order; a job that refreshes the new token may add its own after them.
            let reauthorized = try #require(trail.lastIndex { $0.action == "oauth.authorized" })
            #expect(trail[..<reauthorized].last?.action == "destination.updated")
            #expect(trail[reauthorized...].dropFirst().allSatisfy { $0.action == "oauth.refresh" })
            #expect(trail.filter { $0.action == "oauth.authorized" }.count == 2)
        }
    }

    @Test(arguments: TestBackend.all)
    func authorizeURLValidatesItsParameters(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings()
        try await TestServer(backend).run(configure: Self.configure("hubspot", settings)) { session in
            let redirect = Session.percentEncoded(Session.oauthRedirect)
            let cases: [(String, HTTPResponse.Status, String)] = [
                ("type=hubspot", .badRequest, "redirect_uri"),
                ("redirect_uri=\(redirect)", .badRequest, "type"),
                ("type=hubspot&redirect_uri=not-a-url", .unprocessableContent, "redirect_uri"),
                ("type=hubspot&redirect_uri=ftp%3A%2F%2Fx.example.com", .unprocessableContent, "redirect_uri"),
                ("type=braze&redirect_uri=\(redirect)", .unprocessableContent, "does not use OAuth"),
                ("type=fax&redirect_uri=\(redirect)", .unprocessableContent, "valid types"),
                ("type=salesforce&redirect_uri=\(redirect)", .unprocessableContent, "connectors.salesforce.oauth.client_id"),
                ("type=zendesk&domain=acme&redirect_uri=\(redirect)", .unprocessableContent, "connectors.zendesk.oauth.client_secret"),
            ]
            for (query, status, mention) in cases {
                let response = try await session.request(.get, "/api/v1/destinations/authorize_url?\(query)")
                #expect(response.status == status, "\(query)")
                #expect(try response.json()["message"].string?.contains(mention) == true, "\(query): \(String(buffer: response.body))")
            }
            let unauthenticated = try await session.request(
                .get,
                "/api/v1/destinations/authorize_url?type=hubspot&redirect_uri=\(redirect)",
                headers: [:]
            )
            #expect(unauthenticated.status == .unauthorized)
        }
    }

    /// The domain is each type's own: a Zoho data centre, a Dynamics 365 environment host. One that does
    /// not fit the type is refused naming it, and leaves no pending authorisation behind.
    @Test(arguments: TestBackend.all)
    func authorizeURLTakesTheDomainAsTheTypeDefinesIt(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings()
        let configure: @Sendable (inout ServerSettings, FakeProvider) -> Void = { server, fake in
            Self.configure("zoho_crm", settings)(&server, fake)
            Self.configure("microsoft_dynamics", settings)(&server, fake)
        }
        try await TestServer(backend).run(configure: configure) { session in
            let redirect = Session.percentEncoded(Session.oauthRedirect)
            let refused: [(String, String)] = [
                ("type=zoho_crm&domain=acme&redirect_uri=\(redirect)", "domain must be one of: au, ca, cn, eu, in, jp, sa, us"),
                ("type=microsoft_dynamics&domain=acme&redirect_uri=\(redirect)", "domain acme is not a Dynamics 365 environment host"),
                ("type=microsoft_dynamics&domain=acme&redirect_uri=hTTp%3A%2F%2F%5BeA%5D%3A0935%3F%25D2.", "domain acme"),
                ("type=microsoft_dynamics&redirect_uri=\(redirect)", "domain is required for microsoft_dynamics"),
            ]
            for (query, message) in refused {
                let response = try await session.request(.get, "/api/v1/destinations/authorize_url?\(query)")
                #expect(response.status == .unprocessableContent, "\(query)")
                #expect(try response.json()["message"].string?.contains(message) == true, "\(query): \(String(buffer: response.body))")
            }
            let noPending = try await session.create(type: "microsoft_dynamics", credentials: ["oauth_code": "c", "domain": "acme.crm.dynamics.com"])
            #expect(noPending.status == .conflict, "a refused authorize_url wrote a pending authorisation")
            let zoho = try await session.authorizeURL("type=zoho_crm&domain=eu&redirect_uri=\(redirect)")
            #expect(zoho["client_id"] == settings.clientID)
            let dynamics = try await session.authorizeURL("type=microsoft_dynamics&domain=acme.crm4.dynamics.com&redirect_uri=\(redirect)")
            #expect(dynamics["scope"] == "https://acme.crm4.dynamics.com/user_impersonation offline_access")
        }
    }

    @Test(arguments: TestBackend.all)
    func noTokenCodeOrClientSecretLeaves(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings()
        let server = try TestServer(backend)
        let bodies = try await server.run(configure: Self.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.hubspotTokenInfo(hubID: 1)
            session.fake.hubspotSchemas([])
            let outcomes = session.jobOutcomes()
            let connection = try await session.connectOAuth("hubspot", oauth)
            let (id, code) = (try connection.id(), connection.code)
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            try await session.create(type: "hubspot", credentials: ["oauth_code": "\(code)"])
            try await session.request(.get, "/api/v1/destinations/\(id)")
            try await session.request(.get, "/api/v1/destinations")
            return (session.responseBodies, code)
        }
        let (responses, code) = bodies
        let logs = server.logs.all
        let database = try await server.databaseBytes()
        for secret in ["CANARY-access-token", "CANARY-refresh-token", settings.clientSecret, code] {
            #expect(!responses.contains { $0.contains(secret) }, "\(secret) in a response")
            #expect(!logs.contains { $0.contains(secret) }, "\(secret) in the logs: \(logs.filter { $0.contains(secret) }.prefix(2))")
            #expect(database.range(of: Data(secret.utf8)) == nil, "\(secret) in the database file")
        }
    }
}
