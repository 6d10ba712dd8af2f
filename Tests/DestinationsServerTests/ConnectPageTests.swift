import DestinationsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// The hosted connect page over HTTP, as its script uses it: the form, the CSRF check, the connection
/// test before anything is saved, single use, expiry and revocation, OAuth through the provider's consent.
/// (ConnectPageBrowserTests drives the same page in Chromium.)
@Suite("Connect page")
struct ConnectPageTests {
    /// A link of the session's workspace, and its key.
    static func link(_ session: Session, _ body: String) async throws -> (id: Int64, key: String) {
        let created = try await session.request(.post, "/api/v1/destination_connect_links", json: body)
        let data = try created.json()["data"]
        let uri = try #require(data["uri"].string)
        return (try #require(data["id"].int), String(uri[uri.range(of: "/connect/")!.upperBound...]))
    }

    /// The page, as a browser gets it, and the token its form's description carries.
    static func open(_ session: Session, _ key: String) async throws -> (TestResponse, csrf: String) {
        let page = try await session.request(.get, "/connect/\(key)", headers: [:])
        let form = try await session.request(.get, "/connect/\(key)/form", headers: [:])
        return (page, form.status == .ok ? try form.json()["csrf_token"].string ?? "" : "")
    }

    static func submit(_ session: Session, _ key: String, csrf: String, _ credentials: String) async throws -> TestResponse {
        try await session.request(
            .post,
            "/connect/\(key)",
            json: #"{"credentials": \#(credentials)}"#,
            headers: [ConnectPage.csrfHeader: csrf]
        )
    }

    static func destinations(_ session: Session) async throws -> Int {
        try await session.environment.database.read { db in
            try await db.raw("SELECT COUNT(*) AS n FROM destinations").first(decodingColumn: "n", as: Int.self)
        } ?? -1
    }

    @Test(arguments: TestBackend.all)
    func aCredentialsTypeIsTestedThenSavedOnceAndTheRedirectCarriesItsID(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", "/events/list") { _ in .json(#"{"message": "success", "events": []}"#) }
            let (linkID, key) = try await Self.link(session, #"{"type": "braze", "redirect_uri": "https://app.example/done?from=census"}"#)
            let (page, csrf) = try await Self.open(session, key)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType]?.hasPrefix("text/html") == true)
            let policy = try #require(page.headers[.contentSecurityPolicy])
            #expect(policy.contains("default-src 'none'"))
            #expect(policy.contains("frame-ancestors 'none'"))
            #expect(page.headers[ConnectPage.referrerPolicy] == "no-referrer")
            #expect(!csrf.isEmpty)

            let form = try await session.request(.get, "/connect/\(key)/form", headers: [:]).json()
            #expect(form["label"].string == "Braze")
            #expect(form["auth_method"].string == "credentials")
            let fields = try #require(form["fields"].array)
            #expect(fields.compactMap { $0["id"].string } == ["instance_url", "api_key", "data_import_key"])
            let apiKey = try #require(fields.first { $0["id"].string == "api_key" })
            #expect(apiKey["secret"] == .bool(true))
            #expect(apiKey["required_message"].string == "credentials.api_key is required (REST API Key) for braze")
            #expect(
                fields.first { $0["id"].string == "instance_url" }?["format_message"].string
                    == "credentials.instance_url must be an absolute http or https URL"
            )

            let credentials = #"{"instance_url": "\#(session.fake.baseURL.absoluteString)", "api_key": "CANARY-page-key", "data_import_key": ""}"#
            // Without the page's token, or with another link's, or from another site: refused, nothing saved.
            let (_, otherKey) = try await Self.link(session, #"{"type": "braze"}"#)
            let otherToken = try await Self.open(session, otherKey).csrf
            #expect(try await Self.submit(session, key, csrf: otherToken, credentials).status == .forbidden)
            let forged = try await session.request(.post, "/connect/\(key)", json: #"{"credentials": \#(credentials)}"#, headers: [:])
            #expect(forged.status == .forbidden)
            let otherSite = try await session.request(
                .post,
                "/connect/\(key)",
                json: #"{"credentials": \#(credentials)}"#,
                headers: [ConnectPage.csrfHeader: csrf, .origin: "https://evil.example"]
            )
            #expect(otherSite.status == .forbidden)
            #expect(try await Self.destinations(session) == 0)

            let made = try await Self.submit(session, key, csrf: csrf, credentials)
            #expect(made.status == .created)
            let id = try #require(try made.json()["data"]["id"].int)
            #expect(try made.json()["data"]["name"].string == "Braze")
            #expect(try made.json()["redirect"].string == "https://app.example/done?from=census&destination_id=\(id)")
            #expect(session.fake.calls("GET", "/events/list").last?.header("authorization") == "Bearer CANARY-page-key")
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored["api_key"] == "CANARY-page-key")
            #expect(stored["data_import_key"] == nil)

            // Used once: the link says so, and the page refuses it now.
            let link = try await session.request(.get, "/api/v1/destination_connect_links/\(linkID)").json()["data"]
            #expect(link["destination_id"].int == id)
            let again = try await Self.submit(session, key, csrf: csrf, credentials)
            #expect(again.status == .gone)
            #expect(try again.json()["message"].string?.contains("already used") == true)
            #expect(try await Self.open(session, key).0.status == .gone)
            #expect(try await Self.destinations(session) == 1)
            let trail = try await session.request(.get, "/api/v1/audit_events?per_page=100").json()["data"].array ?? []
            #expect(
                trail.contains { $0["action"].string == "connect_link.used" && $0["destination_id"].int == id && $0["connect_link_id"].int == linkID }
            )
            #expect(trail.contains { $0["action"].string == "destination.created" && $0["token_id"] == .null && $0["connect_link_id"].int == linkID })
            // The key is a bearer secret: no log line has it.
            #expect(session.logs.all.contains { $0.contains("/connect/[key]") })
            #expect(!session.logs.all.joined(separator: "\n").contains(key))
            let metrics = String(buffer: try await session.request(.get, "/metrics", headers: [:]).body)
            // Two pages opened while usable (this link's and the other one's), one completed.
            #expect(metrics.contains("destinations_connect_links_opened_total 2"))
            #expect(metrics.contains("destinations_connect_links_completed_total 1"))
        }
    }

    @Test(arguments: TestBackend.all)
    func aFailedTestIsShownInTheProvidersWordsAndNothingIsSaved(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", "/events/list") { _ in .json(#"{"message": "Invalid API Key"}"#, status: 401) }
            let (_, key) = try await Self.link(session, #"{"type": "braze"}"#)
            let (_, csrf) = try await Self.open(session, key)
            let credentials = #"{"instance_url": "\#(session.fake.baseURL.absoluteString)", "api_key": "CANARY-wrong-key"}"#
            let refused = try await Self.submit(session, key, csrf: csrf, credentials)
            #expect(refused.status == .unprocessableContent)
            let body = try refused.json()
            #expect(body["message"].string?.contains("Invalid API Key") == true)
            #expect(body["steps"].array?.first?["status"].string == "failed")
            #expect(!String(buffer: refused.body).contains("CANARY-wrong-key"))
            #expect(try await Self.destinations(session) == 0)
            // The link is still good for another try; a missing field is named in the server's words.
            let missing = try await Self.submit(session, key, csrf: csrf, #"{"instance_url": "\#(session.fake.baseURL.absoluteString)"}"#)
            #expect(missing.status == .unprocessableContent)
            #expect(try missing.json()["message"].string == "credentials.api_key is required (REST API Key) for braze")
        }
    }

    @Test(arguments: TestBackend.all)
    func expiredRevokedAndUnknownLinksAreRefusedSayingWhy(_ backend: TestBackend) async throws {
        let clock = MutableClock()
        try await TestServer(backend, clock: clock).run { session in
            let (revokedID, revoked) = try await Self.link(session, #"{"type": "braze"}"#)
            #expect(try await session.request(.post, "/api/v1/destination_connect_links/\(revokedID)/revoke").status == .ok)
            let (_, expiring) = try await Self.link(session, #"{"type": "braze"}"#)
            clock.advance(by: 86_401)
            for (key, status, words) in [
                (revoked, HTTPResponse.Status.gone, "revoked"), (expiring, .gone, "expired"), ("not-a-key", .notFound, "does not exist"),
            ] {
                #expect(try await Self.open(session, key).0.status == status)
                let form = try await session.request(.get, "/connect/\(key)/form", headers: [:])
                #expect(form.status == status)
                #expect(try form.json()["message"].string?.contains(words) == true)
            }
        }
    }

    @Test(arguments: TestBackend.all)
    func anOAuthTypeGoesThroughTheProvidersConsentAndBack(_ backend: TestBackend) async throws {
        let settings = FakeOAuth.Settings()
        try await TestServer(backend, publicURL: "http://connect.test").run(configure: OAuthTests.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.hubspotTokenInfo(hubID: 77)
            session.fake.on("GET", "/account-info/v3/details") { _ in .json(#"{"portalId": 77}"#) }
            let (_, key) = try await Self.link(session, #"{"type": "hubspot"}"#)
            let (_, csrf) = try await Self.open(session, key)
            let form = try await session.request(.get, "/connect/\(key)/form", headers: [:]).json()
            #expect(form["auth_method"].string == "oauth")
            #expect(form["fields"].array?.isEmpty == true)

            let authorize = try await session.request(.get, "/connect/\(key)/authorize", headers: [:])
            #expect(authorize.status == .found)
            let consent = try #require(authorize.headers[.location].flatMap(URLComponents.init(string:)))
            let callback = "http://connect.test/connect/\(key)/callback"
            #expect(consent.queryItems?.first { $0.name == "redirect_uri" }?.value == callback)
            let state = try #require(consent.queryItems?.first { $0.name == "state" }?.value)
            let code = await oauth.consent(redirectURI: callback)

            let made = try await Self.submit(session, key, csrf: csrf, #"{"oauth_code": "\#(code)", "state": "\#(state)"}"#)
            #expect(made.status == .created, "\(String(buffer: made.body))")
            let id = try #require(try made.json()["data"]["id"].int)
            #expect(try made.json()["redirect"] == .null)
            let stored = try await StoredCredentials.read(session, id: id)
            #expect(stored["access_token"]?.stringValue?.hasPrefix("CANARY-access-token") == true)
        }
    }

    @Test(arguments: TestBackend.all)
    func aReauthorizationLinkChangesTheCredentialsOnlyWhenTheyPassTheTest(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            let accepted = LockedValue<Set<String>>(["Bearer braze-key", "Bearer CANARY-new-key"])
            session.fake.on("GET", "/events/list") { call in
                accepted.value.contains(call.header("authorization") ?? "")
                    ? .json(#"{"message": "success"}"#) : .json(#"{"message": "Invalid API Key"}"#, status: 401)
            }
            let outcomes = session.jobOutcomes()
            let id = try await session.createBraze()
            // The create's first refresh changes the destination; a reconnect racing it is refused (409) by design.
            _ = try await session.settled(try await session.firstJob(of: id), in: outcomes)
            let created = try await session.request(.post, "/api/v1/destinations/\(id)/connect_links", json: "{}")
            let uri = try #require(try created.json()["data"]["uri"].string)
            let key = String(uri[uri.range(of: "/connect/")!.upperBound...])
            let (_, csrf) = try await Self.open(session, key)
            let form = try await session.request(.get, "/connect/\(key)/form", headers: [:]).json()
            #expect(form["reauthorizes"] == .bool(true))

            let refused = try await Self.submit(session, key, csrf: csrf, #"{"api_key": "CANARY-bad-key"}"#)
            #expect(refused.status == .unprocessableContent)
            #expect(try await StoredCredentials.read(session, id: id)["api_key"] == "braze-key")

            let made = try await Self.submit(session, key, csrf: csrf, #"{"api_key": "CANARY-new-key"}"#)
            #expect(made.status == .created, "\(String(buffer: made.body))")
            #expect(try made.json()["data"]["id"].int == id)
            #expect(try await StoredCredentials.read(session, id: id)["api_key"] == "CANARY-new-key")
            #expect(try await Self.submit(session, key, csrf: csrf, #"{"api_key": "CANARY-new-key"}"#).status == .gone)
            #expect(try await Self.destinations(session) == 1)
        }
    }

    @Test(arguments: TestBackend.all)
    func aConfigurationIsTestedWithoutSavingAnything(_ backend: TestBackend) async throws {
        try await TestServer(backend).run { session in
            session.fake.on("GET", "/events/list") { call in
                call.header("authorization") == "Bearer good"
                    ? .json(#"{"message": "success"}"#) : .json(#"{"message": "Invalid API Key"}"#, status: 401)
            }
            func test(_ key: String) async throws -> TestResponse {
                try await session.request(
                    .post,
                    "/api/v1/destinations/test",
                    json: Session.serviceConnection(
                        type: "braze",
                        credentials: ["api_key": "\(key)", "instance_url": "\(session.fake.baseURL.absoluteString)"]
                    )
                )
            }
            let passed = try await test("good")
            #expect(passed.status == .ok)
            #expect(try passed.json()["data"]["test_succeeded"] == .bool(true))
            #expect(try passed.json()["data"]["steps"].array?.first?["status"].string == "passed")
            let failed = try await test("CANARY-bad")
            #expect(failed.status == .ok)
            #expect(try failed.json()["data"]["test_succeeded"] == .bool(false))
            #expect(try failed.json()["data"]["steps"].array?.first?["error"]["message"].string?.contains("Invalid API Key") == true)
            #expect(!String(buffer: failed.body).contains("CANARY-bad"))
            // Bad input is refused as a create refuses it; nothing was ever stored.
            let bad = try await session.request(
                .post,
                "/api/v1/destinations/test",
                json: Session.serviceConnection(type: "braze", credentials: ["api_key": "k"])
            )
            #expect(bad.status == .unprocessableContent)
            #expect(try bad.json()["message"].string?.contains("instance_url") == true)
            #expect(try await Self.destinations(session) == 0)
            let trail = try await session.request(.get, "/api/v1/audit_events").json()["data"].array ?? []
            #expect(trail.allSatisfy { $0["action"].string != "destination.created" })
        }
    }
}
