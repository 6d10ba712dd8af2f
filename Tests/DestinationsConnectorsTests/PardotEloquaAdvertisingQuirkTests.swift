import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

@Suite("Pardot, Eloqua and Microsoft Advertising quirks")
struct PardotEloquaAdvertisingQuirkTests {
    static let eloquaSite =
        #"{"site": {"id": 42, "name": "MyTestInstall"}, "user": {"id": 314, "username": "jane.smith"}, "urls": {"base": "https://secure.p03.eloqua.com", "apis": {}}}"#

    // MARK: Pardot

    /// Every call carries the business unit beside the Salesforce token, and a page token travels with
    /// `fields` alone (v5 refuses a limit beside it).
    @Test func pardotSendsTheBusinessUnitOnEveryCall() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/api/v5/objects/prospects") { _ in .json(#"{"values": [{"id": 1001}]}"#) }
            fake.on("GET", "/api/v5/objects/lists") { call in
                call.query["nextPageToken"] == nil
                    ? .json(#"{"values": [{"id": 1, "name": "Newsletter", "isDynamic": false}], "nextPageToken": "tok-2"}"#)
                    : .json(#"{"values": []}"#)
            }
            let context = try await DiscoveryTests.context(fake, details: ["business_unit_id": "0Uv5A000000PAzxSAG"], secrets: ["access_token": "sf"])
            let steps = try await Pardot().testConnection(context)
            #expect(steps.map(\.status) == [.passed])
            _ = try await Pardot().discoverObjects(context)
            #expect(fake.calls().count == 3)
            for call in fake.calls() {
                #expect(call.header("pardot-business-unit-id") == "0Uv5A000000PAzxSAG", "\(call.path)")
                #expect(call.header("authorization") == "Bearer sf", "\(call.path)")
            }
            #expect(fake.calls("GET", "/api/v5/objects/prospects").first?.query == ["fields": "id", "limit": "1"])
            #expect(fake.calls("GET", "/api/v5/objects/lists").last?.query == ["fields": "id,name,isDynamic", "nextPageToken": "tok-2"])
        }
    }

    @Test func pardotQuotesTheRefusalOfAnInactiveToken() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/api/v5/objects/prospects") { _ in
                .json(#"{"code": 184, "message": "access_token is invalid, unknown, or malformed: Inactive token"}"#, status: 401)
            }
            let steps = try await Pardot().testConnection(
                DiscoveryTests.context(fake, details: ["business_unit_id": "0Uv5A000000PAzxSAG"], secrets: ["access_token": "sf-expired"])
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("access_token is invalid, unknown, or malformed") == true, "\(steps)")
        }
    }

    /// The connected app must grant `pardot_api`; a sandbox logs in at test.salesforce.com.
    @Test func pardotConsentAsksForThePardotScope() throws {
        let oauth = try #require(Pardot().oauth)
        let client = OAuthClient(clientID: "client-id", clientSecret: "s")
        let production = try oauth.consentURL(client: client, redirectURI: "https://app.example.com/cb", state: "s", extras: OAuthExtras())
        #expect(production.host == "login.salesforce.com")
        #expect(OAuthQuirkSupport.query(production)["scope"] == "pardot_api refresh_token")
        let sandbox = try oauth.consentURL(client: client, redirectURI: "https://app.example.com/cb", state: "s", extras: OAuthExtras(sandbox: true))
        #expect(sandbox.host == "test.salesforce.com")
    }

    // MARK: Oracle Eloqua

    /// Eloqua answers a token it will not take at /id with HTTP 200 and the string "Not authenticated.".
    @Test func eloquaNotAuthenticatedInA200IsAFailure() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/id") { _ in .json(#""Not authenticated.""#) }
            let steps = try await OracleEloqua().testConnection(
                DiscoveryTests.context(fake, details: ["base_url": "https://secure.p03.eloqua.com"], secrets: ["access_token": "elq-disabled"])
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains(#"Oracle Eloqua says "Not authenticated.""#) == true, "\(steps)")
        }
    }

    /// An instance moved to another pod since the authorisation: the stored API host no longer serves it.
    @Test func eloquaSaysWhenTheInstanceMovedPods() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/id") { _ in .json(Self.eloquaSite) }
            let steps = try await OracleEloqua().testConnection(
                DiscoveryTests.context(fake, details: ["base_url": "https://secure.p01.eloqua.com"], secrets: ["access_token": "elq"])
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("https://secure.p03.eloqua.com") == true, "\(steps)")
            #expect(steps.first?.errorMessage?.contains("authorize again") == true)
        }
    }

    /// The code exchange authenticates the client with HTTP Basic, then /id names the pod, kept as
    /// `base_url`; a refresh token works once, so every refresh answers a new one.
    @Test func eloquaExchangeUsesBasicThenLooksUpTheBaseURL() async throws {
        try await FakeProvider.run { fake in
            let provider = FakeOAuth(
                fake,
                .with {
                    $0.tokenPath = "/auth/oauth2/token"
                    $0.authentication = .basic
                    $0.expiresIn = 28800
                    $0.rotatesRefreshTokens = true
                }
            )
            fake.on("GET", "/id") { _ in .json(Self.eloquaSite) }
            let oauth = try #require(OracleEloqua().oauth)
            let consent = try oauth.consentURL(
                client: OAuthQuirkSupport.client(fake),
                redirectURI: "https://app.example.com/cb",
                state: "s",
                extras: OAuthExtras()
            )
            #expect(OAuthQuirkSupport.query(consent)["scope"] == "full")
            let code = await provider.consent(redirectURI: "https://app.example.com/cb")
            let tokens = try await oauth.exchange(
                code: code,
                redirectURI: "https://app.example.com/cb",
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake, tokenPath: "/auth/oauth2/token"),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            #expect(tokens.details["base_url"] == "https://secure.p03.eloqua.com")
            #expect(tokens.details["site_name"] == "MyTestInstall")
            #expect(fake.calls("GET", "/id").first?.header("authorization") == "Bearer \(tokens.accessToken)")
            let refreshed = try await oauth.refresh(
                refreshToken: try #require(tokens.refreshToken),
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake, tokenPath: "/auth/oauth2/token"),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            #expect(refreshed.refreshToken != nil && refreshed.refreshToken != tokens.refreshToken)
        }
    }

    /// Every later call, token included, goes to the host /id names: it must be Eloqua's.
    @Test func eloquaRefusesAnAPIHostOutsideEloqua() async throws {
        try await FakeProvider.run { fake in
            let provider = FakeOAuth(
                fake,
                .with {
                    $0.tokenPath = "/auth/oauth2/token"
                    $0.authentication = .basic
                }
            )
            fake.on("GET", "/id") { _ in .json(#"{"site": {"id": 42, "name": "X"}, "urls": {"base": "https://eloqua.com.attacker.example"}}"#) }
            let code = await provider.consent(redirectURI: "https://app.example.com/cb")
            await #expect(throws: ProviderFailure.self) {
                _ = try await #require(OracleEloqua().oauth).exchange(
                    code: code,
                    redirectURI: "https://app.example.com/cb",
                    extras: OAuthExtras(),
                    client: OAuthQuirkSupport.client(fake, tokenPath: "/auth/oauth2/token"),
                    http: try await AsyncHTTPProviderClient.shared(),
                    now: Date()
                )
            }
        }
    }

    // MARK: Microsoft Advertising

    /// GetUser in its REST form: a JSON POST with no user id, the token and the developer token.
    @Test func microsoftAdvertisingGetUserRequestShape() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/CustomerManagement/v13/User/Query") { _ in
                .json(#"{"User": {"Id": "145000000", "UserName": "ops@acme.com"}, "CustomerRoles": [{"CustomerId": "251186883", "RoleId": 41}]}"#)
            }
            let steps = try await MicrosoftAdvertising().testConnection(
                DiscoveryTests.context(
                    fake,
                    details: ["customer_id": "251186883", "account_id": "149137000"],
                    secrets: ["access_token": "ms-token", "developer_token": "ms-dev-token"]
                )
            )
            #expect(steps.map(\.status) == [.passed], "\(steps)")
            let call = try #require(fake.calls("POST", "/CustomerManagement/v13/User/Query").first)
            #expect(call.header("authorization") == "Bearer ms-token")
            #expect(call.header("developertoken") == "ms-dev-token")
            #expect(call.header("content-type") == "application/json")
            let body = try JSONDecoder().decode(JSONValue.self, from: call.body)
            #expect(body == .object(["UserId": .null]))
        }
    }

    /// Microsoft's REST fault is quoted, the status still deciding what kind of failure it is.
    @Test func microsoftAdvertisingQuotesTheApplicationFault() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/CustomerManagement/v13/User/Query") { _ in
                .json(
                    #"{"ApplicationFault": {"Type": "ApiFaultDetail", "TrackingId": "6b1c0e1a", "OperationErrors": [{"Code": 105, "ErrorCode": "InvalidCredentials", "Message": "Authentication failed. Either supplied credentials are invalid or the account is inactive"}], "BatchErrors": []}}"#,
                    status: 401
                )
            }
            let steps = try await MicrosoftAdvertising().testConnection(
                DiscoveryTests.context(
                    fake,
                    details: ["customer_id": "251186883", "account_id": "149137000"],
                    secrets: ["access_token": "ms-expired", "developer_token": "ms-dev-token"]
                )
            )
            #expect(steps.map(\.status) == [.failed])
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("HTTP 401"), "\(message)")
            #expect(message.contains("105 InvalidCredentials Authentication failed"), "\(message)")
            #expect(!message.contains("ms-dev-token") && !message.contains("ms-expired"))
        }
    }

    @Test func microsoftAdvertisingUserOutsideTheCustomerFails() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/CustomerManagement/v13/User/Query") { _ in
                .json(
                    #"{"User": {"Id": "145000000"}, "CustomerRoles": [{"CustomerId": "999", "AccountIds": ["111"], "LinkedAccountIds": null, "RoleId": 41}]}"#
                )
            }
            let steps = try await MicrosoftAdvertising().testConnection(
                DiscoveryTests.context(
                    fake,
                    details: ["customer_id": "251186883", "account_id": "149137000"],
                    secrets: ["access_token": "ms", "developer_token": "dev"]
                )
            )
            #expect(steps.map(\.status) == [.failed])
            #expect(steps.first?.errorMessage?.contains("no role in customer 251186883") == true, "\(steps)")
        }
    }

    /// Customer lists are asked of the ad account: the customer and account headers, type CustomerList.
    @Test func microsoftAdvertisingAsksTheAccountForItsCustomerLists() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/CampaignManagement/v13/Audiences/QueryByIds") { _ in .json(#"{"Audiences": [], "PartialErrors": []}"#) }
            _ = try await MicrosoftAdvertising().discoverObjects(
                DiscoveryTests.context(
                    fake,
                    details: ["customer_id": "251186883", "account_id": "149137000"],
                    secrets: ["access_token": "ms", "developer_token": "dev"]
                )
            )
            let call = try #require(fake.calls("POST", "/CampaignManagement/v13/Audiences/QueryByIds").first)
            #expect(call.header("customerid") == "251186883")
            #expect(call.header("customeraccountid") == "149137000")
            #expect(call.header("developertoken") == "dev")
            #expect(try JSONDecoder().decode(JSONValue.self, from: call.body) == .object(["AudienceIds": .null, "Type": "CustomerList"]))
        }
    }

    /// Consent asks for the Microsoft Advertising scope and offline access at the `common` tenant; a
    /// refresh names the scopes again, and its new refresh token replaces the old.
    @Test func microsoftAdvertisingConsentAndRefreshNameTheScopes() async throws {
        try await FakeProvider.run { fake in
            let oauth = try #require(MicrosoftAdvertising().oauth)
            let consent = try oauth.consentURL(
                client: OAuthClient(clientID: "client-id", clientSecret: "s"),
                redirectURI: "https://app.example.com/cb",
                state: "s",
                extras: OAuthExtras()
            )
            #expect(consent.host == "login.microsoftonline.com" && consent.path == "/common/oauth2/v2.0/authorize")
            #expect(OAuthQuirkSupport.query(consent)["scope"] == "https://ads.microsoft.com/msads.manage offline_access")
            let provider = FakeOAuth(
                fake,
                .with {
                    $0.rotatesRefreshTokens = true
                    $0.expiresIn = 3600
                }
            )
            let code = await provider.consent(redirectURI: "https://app.example.com/cb")
            let tokens = try await oauth.exchange(
                code: code,
                redirectURI: "https://app.example.com/cb",
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            let refreshed = try await oauth.refresh(
                refreshToken: try #require(tokens.refreshToken),
                extras: OAuthExtras(),
                client: OAuthQuirkSupport.client(fake),
                http: try await AsyncHTTPProviderClient.shared(),
                now: Date()
            )
            #expect(refreshed.refreshToken != nil && refreshed.refreshToken != tokens.refreshToken)
            #expect(fake.calls("POST", "/oauth/token").last?.form["scope"] == "https://ads.microsoft.com/msads.manage offline_access")
        }
    }
}
