import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

@testable import DestinationsServer

/// The hosted connect page in a real browser (headless Chromium), with a screenshot of each state in
/// `screenshots/connect-page/`. Everything the browser loads is on loopback: the server, the fake
/// provider, and a parent page on the fake's origin.
@Suite("Connect page in a browser", .enabled(if: Browser.enabled), .serialized)
struct ConnectPageBrowserTests {
    /// A link made through the API, as its uri on the live server (the test client names no port).
    static func link(_ session: Session, _ body: String) async throws -> (id: Int64, uri: String) {
        let data = try await session.request(.post, "/api/v1/destination_connect_links", json: body).json()["data"]
        let uri = try #require(data["uri"].string)
        let path = uri[try #require(uri.range(of: "/connect/")).lowerBound...]
        return (try #require(data["id"].int), "http://127.0.0.1:\(try #require(session.port))\(path)")
    }

    static func live(_ clock: any WallClock = SystemClock()) throws -> TestServer {
        try TestServer(.sqlite, clock: clock, live: true)
    }

    static func brazeEvents(_ session: Session, acceptedKey: String) {
        session.fake.on("GET", "/events/list") { call in
            call.header("authorization") == "Bearer \(acceptedKey)"
                ? .json(#"{"message": "success"}"#) : .json(#"{"message": "Invalid API Key"}"#, status: 401)
        }
    }

    @Test func aCredentialsTypeIsFilledInTestedSavedAndRedirected() async throws {
        try await Self.live().run { session in
            Self.brazeEvents(session, acceptedKey: "CANARY-browser-key")
            session.fake.on("GET", "/landing") { _ in .json("<!doctype html><title>Landed</title><p>Landed", headers: ["Content-Type": "text/html"]) }
            let landing = session.fake.baseURL.appendingPathComponent("landing").absoluteString
            let (_, uri) = try await Self.link(session, #"{"type": "braze", "redirect_uri": "\#(landing)"}"#)
            let outcome = try await Browser.run([
                Browser.goto(uri), Browser.waitText("#title", "Connect Braze"), Browser.screenshot("01-credentials-form"),
                Browser.fill("#field-instance_url", session.fake.baseURL.absoluteString), Browser.fill("#field-api_key", "CANARY-browser-key"),
                Browser.eval("document.querySelector('#field-api_key').type", as: "secretInput"),
                Browser.eval("document.querySelector('label[for=field-api_key]').textContent", as: "label"),
                Browser.click("#submit"), Browser.waitURL("destination_id="), Browser.screenshot("02-redirected-with-the-id"),
            ])
            #expect(outcome.results["secretInput"] == "password")
            #expect(outcome.results["label"] == "REST API Key")
            let id = try await session.environment.database.read { db in
                try await db.raw("SELECT id FROM destinations").first(decodingColumn: "id", as: Int64.self)
            }
            let made = try #require(id)
            #expect(outcome.url == "\(landing)?destination_id=\(made)")
            #expect(try await StoredCredentials.read(session, id: made)["api_key"] == "CANARY-browser-key")
            let sealed = try await session.environment.database.read { db in
                try await db.raw("SELECT secrets FROM destinations").first(decodingColumn: "secrets", as: Data.self)
            }
            #expect(sealed.map { String(decoding: $0, as: UTF8.self).contains("CANARY-browser-key") } == false)
        }
    }

    @Test func aFailedTestIsShownInTheProvidersWordsAndTheFormChecksFirst() async throws {
        try await Self.live().run { session in
            Self.brazeEvents(session, acceptedKey: "the-right-key")
            let (_, uri) = try await Self.link(session, #"{"type": "braze"}"#)
            _ = try await Browser.run([
                Browser.goto(uri), Browser.waitText("#title", "Connect Braze"),
                // Checked in the page first, in the server's words.
                Browser.click("#submit"), Browser.waitText("#error-instance_url", "credentials.instance_url is required"),
                Browser.fill("#field-instance_url", "not a url"), Browser.fill("#field-api_key", "CANARY-wrong"), Browser.click("#submit"),
                Browser.waitText("#error-instance_url", "must be an absolute http or https URL"), Browser.screenshot("03-checked-in-the-page"),
                Browser.fill("#field-instance_url", session.fake.baseURL.absoluteString), Browser.click("#submit"),
                Browser.waitText("#status", "Invalid API Key"), Browser.screenshot("04-test-failed-nothing-saved"),
                Browser.viewport(375, 740), Browser.screenshot("05-phone-width"),
            ])
            let count = try await session.environment.database.read { db in
                try await db.raw("SELECT COUNT(*) AS n FROM destinations").first(decodingColumn: "n", as: Int.self)
            }
            #expect(count == 0)
        }
    }

    @Test func anOAuthTypeGoesThroughTheFakeProvidersConsent() async throws {
        let settings = FakeOAuth.Settings()
        try await Self.live().run(configure: OAuthTests.configure("hubspot", settings)) { session in
            let oauth = FakeOAuth(session.fake, settings)
            session.fake.hubspotTokenInfo(hubID: 5150)
            session.fake.on("GET", "/account-info/v3/details") { _ in .json(#"{"portalId": 5150}"#) }
            // The provider's consent: the user agrees at once and is sent back with a code.
            session.fake.on("GET", "/oauth/authorize") { call in
                let redirect = call.query["redirect_uri"] ?? ""
                let code = await oauth.consent(redirectURI: redirect)
                var back = URLComponents(string: redirect)
                back?.queryItems = [URLQueryItem(name: "code", value: code), URLQueryItem(name: "state", value: call.query["state"])]
                return .json("", status: 302, headers: ["Location": back?.string ?? redirect])
            }
            let (_, uri) = try await Self.link(session, #"{"type": "hubspot"}"#)
            _ = try await Browser.run([
                Browser.goto(uri), Browser.waitText("#submit", "Continue to HubSpot"), Browser.screenshot("06-oauth-start"),
                Browser.click("#submit"), Browser.waitText("#done", "Connected HubSpot"), Browser.screenshot("07-oauth-connected"),
            ])
            let status = try await session.environment.database.read { db in
                try await db.raw("SELECT auth_status FROM destinations").first(decodingColumn: "auth_status", as: String.self)
            }
            #expect(status == "authorized")
        }
    }

    @Test func expiredAndRevokedLinksAreRefused() async throws {
        let clock = MutableClock()
        try await Self.live(clock).run { session in
            let (revokedID, revoked) = try await Self.link(session, #"{"type": "braze"}"#)
            _ = try await session.request(.post, "/api/v1/destination_connect_links/\(revokedID)/revoke")
            let (_, expired) = try await Self.link(session, #"{"type": "braze"}"#)
            clock.advance(by: 86_401)
            let outcome = try await Browser.run([
                Browser.goto(revoked), Browser.waitText("#status", "revoked"), Browser.screenshot("08-revoked"),
                Browser.eval("document.querySelector('#form').hidden", as: "revokedFormHidden"),
                Browser.goto(expired), Browser.waitText("#status", "expired"), Browser.screenshot("09-expired"),
                Browser.eval("document.querySelector('#form').hidden", as: "expiredFormHidden"),
            ])
            #expect(outcome.results["revokedFormHidden"] == .bool(true))
            #expect(outcome.results["expiredFormHidden"] == .bool(true))
        }
    }

    @Test func aParentOnAnotherOriginHearsTheFlowsMessages() async throws {
        let framedByTheFake: @Sendable (inout ServerSettings, FakeProvider) -> Void = { settings, fake in
            settings.connectFrameOrigins = [fake.baseURL.absoluteString]
        }
        try await Self.live().run(configure: framedByTheFake) { session in
            Self.brazeEvents(session, acceptedKey: "framed-key")
            let (_, uri) = try await Self.link(session, #"{"type": "braze"}"#)
            let parent = """
                <!doctype html><title>Parent</title><script>window.received = [];
                addEventListener("message", (event) => window.received.push({origin: event.origin, data: event.data}));</script>
                <iframe id="connect" src="\(uri)" width="600" height="700"></iframe>
                """
            session.fake.on("GET", "/parent") { _ in .json(parent, headers: ["Content-Type": "text/html"]) }
            let outcome = try await Browser.run([
                Browser.goto(session.fake.baseURL.appendingPathComponent("parent").absoluteString),
                Browser.waitEval("window.received.length >= 1"),
                Browser.fill("#field-instance_url", session.fake.baseURL.absoluteString, frame: true),
                Browser.fill("#field-api_key", "framed-key", frame: true), Browser.click("#submit", frame: true),
                Browser.waitEval("window.received.length >= 2"), Browser.screenshot("10-framed-and-finished"),
                Browser.eval("window.received", as: "received"),
            ])
            let received = try #require(outcome.results["received"]?.array)
            let serverOrigin = "http://127.0.0.1:\(try #require(session.port))"
            #expect(received.allSatisfy { $0["origin"].string == serverOrigin })
            #expect(received.first?["data"] == .object(["message": "LOADED"]))
            let exited = received.last?["data"]
            #expect(exited?["message"].string == "EXITED_CONNECT_FLOW")
            #expect(exited?["data"]["status"].string == "created")
            #expect(exited?["data"]["details"]["name"].string == "Braze")
            #expect(exited?["data"]["details"]["id"].int != nil)
        }
    }
}
