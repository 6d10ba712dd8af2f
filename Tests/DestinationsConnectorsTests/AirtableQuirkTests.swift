import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// What sets Airtable apart: PKCE at consent and exchange, Basic client authentication, refresh tokens
/// that rotate, scopes read from whoami, tables addressed as `{baseId}/{tableId}` across offset pages of
/// bases, and computed fields that cannot be written.
@Suite("Airtable quirks")
struct AirtableQuirkTests {
    /// RFC 7636 appendix B: a code verifier and its S256 challenge.
    static let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    static let challenge = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

    /// `GET /v0/meta/bases/{baseId}/tables` as Airtable's documentation answers it.
    static let apartmentHuntingSchema =
        #"{"tables": [{"description": "Apartments to track.", "fields": [{"description": "Name of the apartment", "id": "fld1VnoyuotSTyxW1", "name": "Name", "type": "singleLineText"}, {"id": "fldoaIqdn5szURHpw", "name": "Pictures", "options": {"isReversed": false}, "type": "multipleAttachments"}, {"id": "fldumZe00w09RYTW6", "name": "District", "options": {"inverseLinkFieldId": "fldWnCJlo2z6ttT8Y", "isReversed": false, "linkedTableId": "tblK6MZHez0ZvBChZ", "prefersSingleRecordLink": true}, "type": "multipleRecordLinks"}], "id": "tbltp8DGLhqbUmjK1", "name": "Apartments", "primaryFieldId": "fld1VnoyuotSTyxW1", "views": [{"id": "viwQpsuEDqHFqegkp", "name": "Grid view", "type": "grid"}]}, {"fields": [{"id": "fldEVzvQOoULO38yl", "name": "Name", "type": "singleLineText"}, {"description": "Apartments that belong to this district", "id": "fldWnCJlo2z6ttT8Y", "name": "Apartments", "options": {"inverseLinkFieldId": "fldumZe00w09RYTW6", "isReversed": false, "linkedTableId": "tbltp8DGLhqbUmjK1", "prefersSingleRecordLink": false}, "type": "multipleRecordLinks"}], "id": "tblK6MZHez0ZvBChZ", "name": "Districts", "primaryFieldId": "fldEVzvQOoULO38yl", "views": [{"id": "viwi3KXvrKug2mIBS", "name": "Grid view", "type": "grid"}]}]}"#

    /// A table whose primary field is a formula, with computed and writable fields of several types.
    static let projectTrackerSchema =
        #"{"tables": [{"id": "tblTasks00000001", "name": "Tasks", "primaryFieldId": "fldTaskName000001", "fields": [{"id": "fldTaskName000001", "name": "Task", "type": "formula", "options": {"isValid": true, "formula": "{Key} & ' ' & {Notes}", "referencedFieldIds": ["fldTaskKey0000001"], "result": {"type": "singleLineText"}}}, {"id": "fldTaskKey0000001", "name": "Key", "type": "singleLineText"}, {"id": "fldTaskEmail00001", "name": "Owner email", "type": "email"}, {"id": "fldTaskNotes00001", "name": "Notes", "type": "multilineText"}, {"id": "fldTaskCount00001", "name": "Subtasks", "type": "count", "options": {"isValid": true, "recordLinkFieldId": "fldTaskLinks00001"}}, {"id": "fldTaskLookup0001", "name": "Owner team", "type": "multipleLookupValues", "options": {"isValid": true, "fieldIdInLinkedTable": "fldTeam000000001", "recordLinkFieldId": "fldTaskLinks00001"}}, {"id": "fldTaskNumber0001", "name": "Number", "type": "autoNumber"}, {"id": "fldTaskCreated001", "name": "Created", "type": "createdTime", "options": {"result": {"type": "dateTime"}}}, {"id": "fldTaskStatus0001", "name": "Status", "type": "singleSelect", "options": {"choices": [{"id": "selTodo000000001", "name": "To do", "color": "redLight2"}]}}], "views": [{"id": "viwTasks00000001", "name": "Grid view", "type": "grid"}]}]}"#

    @Test func consentCarriesTheS256ChallengeOfTheVerifierAndTheScopes() throws {
        let url = try #require(Airtable().oauth).consentURL(
            client: OAuthClient(clientID: "client-id", clientSecret: "at-secret"),
            redirectURI: "https://app.example.com/cb",
            state: "st",
            extras: OAuthExtras(codeVerifier: Self.verifier)
        )
        let query = OAuthQuirkSupport.query(url)
        #expect(url.host == "airtable.com")
        #expect(url.path == "/oauth2/v1/authorize")
        #expect(query["code_challenge"] == Self.challenge)
        #expect(query["code_challenge_method"] == "S256")
        #expect(query["scope"] == "data.records:read data.records:write schema.bases:read")
        #expect(query["response_type"] == "code")
        #expect(query["client_id"] == "client-id")
        #expect(query["redirect_uri"] == "https://app.example.com/cb")
        #expect(query["state"] == "st")
        // The verifier itself stays with us until the exchange.
        #expect(query["code_verifier"] == nil)
        #expect(!url.absoluteString.contains(Self.verifier))
    }

    @Test func consentWithoutAVerifierIsRefused() throws {
        let oauth = try #require(Airtable().oauth)
        #expect(throws: ProviderFailure.self) {
            _ = try oauth.consentURL(
                client: OAuthClient(clientID: "client-id", clientSecret: "at-secret"),
                redirectURI: "https://app.example.com/cb",
                state: "st",
                extras: OAuthExtras()
            )
        }
    }

    @Test func exchangeSendsTheVerifierAndAuthenticatesTheClientWithBasic() async throws {
        try await FakeProvider.run { fake in
            let provider = FakeOAuth(
                fake,
                .with {
                    $0.tokenPath = "/oauth2/v1/token"
                    $0.authentication = .basic
                    $0.expiresIn = 3600
                }
            )
            let redirect = "https://app.example.com/cb"
            let code = await provider.consent(redirectURI: redirect)
            let client = OAuthClient(
                clientID: provider.settings.clientID,
                clientSecret: provider.settings.clientSecret,
                tokenURL: fake.baseURL.appendingPathComponent("oauth2/v1/token")
            )
            let now = Date(timeIntervalSince1970: 1_764_500_400)
            let tokens = try await #require(Airtable().oauth).exchange(
                code: code,
                redirectURI: redirect,
                extras: OAuthExtras(codeVerifier: Self.verifier),
                client: client,
                http: try await AsyncHTTPProviderClient.shared(),
                now: now
            )
            let issued = await provider.accessTokens.last
            #expect(tokens.accessToken == issued)
            #expect(tokens.refreshToken != nil)
            #expect(tokens.expiresAt == now.addingTimeInterval(3600))
            let call = try #require(fake.calls("POST", "/oauth2/v1/token").first)
            let credentials = Data("\(provider.settings.clientID):\(provider.settings.clientSecret)".utf8).base64EncodedString()
            #expect(call.header("authorization") == "Basic \(credentials)")
            #expect(call.form["grant_type"] == "authorization_code")
            #expect(call.form["code"] == code)
            #expect(call.form["redirect_uri"] == redirect)
            #expect(call.form["code_verifier"] == Self.verifier)
            #expect(call.form["client_secret"] == nil)
        }
    }

    @Test func refreshTakesTheRotatedTokenAndTheOldOneIsThenRefused() async throws {
        try await FakeProvider.run { fake in
            let provider = FakeOAuth(
                fake,
                .with {
                    $0.tokenPath = "/oauth2/v1/token"
                    $0.authentication = .basic
                    $0.expiresIn = 3600
                    $0.rotatesRefreshTokens = true
                }
            )
            let oauth = try #require(Airtable().oauth)
            let redirect = "https://app.example.com/cb"
            let client = OAuthClient(
                clientID: provider.settings.clientID,
                clientSecret: provider.settings.clientSecret,
                tokenURL: fake.baseURL.appendingPathComponent("oauth2/v1/token")
            )
            let http = try await AsyncHTTPProviderClient.shared()
            let now = Date(timeIntervalSince1970: 1_764_500_400)
            let code = await provider.consent(redirectURI: redirect)
            let first = try await oauth.exchange(
                code: code,
                redirectURI: redirect,
                extras: OAuthExtras(codeVerifier: Self.verifier),
                client: client,
                http: http,
                now: now
            )
            let original = try #require(first.refreshToken)
            #expect(oauth.refreshes)
            // The refresher knows no verifier, and a refresh needs none.
            let refreshed = try await oauth.refresh(refreshToken: original, extras: OAuthExtras(), client: client, http: http, now: now)
            let rotated = try #require(refreshed.refreshToken)
            #expect(rotated != original)
            #expect(refreshed.accessToken != first.accessToken)
            let call = try #require(fake.calls("POST", "/oauth2/v1/token").last)
            #expect(call.form["grant_type"] == "refresh_token")
            #expect(call.form["refresh_token"] == original)
            #expect(call.form["code_verifier"] == nil)
            await #expect(throws: OAuthFailure.self) {
                _ = try await oauth.refresh(refreshToken: original, extras: OAuthExtras(), client: client, http: http, now: now)
            }
            _ = try await oauth.refresh(refreshToken: rotated, extras: OAuthExtras(), client: client, http: http, now: now)
        }
    }

    @Test func connectionTestNamesTheScopeTheAuthorisationLacks() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v0/meta/whoami") { _ in .json(#"{"id": "usrL2PNC5o3H4lBEi", "scopes": ["data.records:read", "schema.bases:read"]}"#) }
            let steps = try await ConnectionTestTests.run("airtable", fake, details: [:], secrets: ["access_token": "at-read-only"])
            #expect(steps.map(\.status) == [.passed, .failed])
            #expect(steps.last?.errorMessage?.contains("data.records:write") == true, "\(steps)")
            #expect(steps.last?.errorMessage?.contains("schema.bases:read") == false, "\(steps)")
        }
    }

    @Test func connectionTestTakesATokenWhoseScopesAirtableDoesNotList() async throws {
        try await FakeProvider.run { fake in
            // Airtable lists scopes for OAuth tokens only (a personal access token answers just its user).
            fake.on("GET", "/v0/meta/whoami") { _ in .json(#"{"email": "foo@bar.com", "id": "usrL2PNC5o3H4lBEi"}"#) }
            let steps = try await ConnectionTestTests.run("airtable", fake, details: [:], secrets: ["access_token": "pat-token"])
            #expect(steps.map(\.status) == [.passed, .passed], "\(steps)")
        }
    }

    @Test func aRejectedTokenIsReportedInAirtablesWords() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v0/meta/whoami") { _ in
                .json(#"{"error": {"type": "UNAUTHORIZED", "message": "Invalid authentication token"}}"#, status: 401)
            }
            let steps = try await ConnectionTestTests.run("airtable", fake, details: [:], secrets: ["access_token": "at-revoked"])
            #expect(steps.map(\.status) == [.failed, .skipped])
            #expect(steps.first?.errorMessage?.contains("Invalid authentication token") == true, "\(steps)")
        }
    }

    @Test func basesArePagedByOffsetAndLabelledWithTheirTables() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v0/meta/bases") { call in
                call.query["offset"] == nil
                    ? .json(
                        #"{"bases": [{"id": "appLkNDICXNqxSDhG", "name": "Apartment Hunting", "permissionLevel": "create"}], "offset": "itr23sEjsdfEr3282/appSW9R5uCNmRmfl6"}"#
                    )
                    : .json(#"{"bases": [{"id": "appSW9R5uCNmRmfl6", "name": "Project Tracker", "permissionLevel": "edit"}]}"#)
            }
            fake.on("GET", "/v0/meta/bases/appLkNDICXNqxSDhG/tables") { _ in .json(Self.apartmentHuntingSchema) }
            fake.on("GET", "/v0/meta/bases/appSW9R5uCNmRmfl6/tables") { _ in .json(Self.projectTrackerSchema) }
            let objects = try await Airtable().discoverObjects(DiscoveryTests.context(fake, secrets: ["access_token": "at"]))
            #expect(objects.map(\.label) == ["Apartment Hunting / Apartments", "Apartment Hunting / Districts", "Project Tracker / Tasks"])
            #expect(objects.allSatisfy { !$0.allowCustomFields })
            let pages = fake.calls("GET", "/v0/meta/bases")
            #expect(pages.count == 2)
            #expect(pages.last?.query["offset"] == "itr23sEjsdfEr3282/appSW9R5uCNmRmfl6")
            #expect(fake.calls().allSatisfy { $0.header("authorization") == "Bearer at" })
        }
    }

    @Test func computedFieldsAreReadOnlyAndShortTextFieldsAreKeys() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/v0/meta/bases/appSW9R5uCNmRmfl6/tables") { _ in .json(Self.projectTrackerSchema) }
            let fields = try await Airtable().discoverFields(
                of: "appSW9R5uCNmRmfl6/tblTasks00000001",
                DiscoveryTests.context(fake, secrets: ["access_token": "at"])
            )
            #expect(
                fields.map(\.fullName) == [
                    "fldTaskName000001", "fldTaskKey0000001", "fldTaskEmail00001", "fldTaskNotes00001", "fldTaskCount00001",
                    "fldTaskLookup0001", "fldTaskNumber0001", "fldTaskCreated001", "fldTaskStatus0001",
                ]
            )
            #expect(fields.map(\.label) == ["Task", "Key", "Owner email", "Notes", "Subtasks", "Owner team", "Number", "Created", "Status"])
            // The primary field is a formula here: neither writable nor a key.
            #expect(fields.map(\.identifier) == [false, true, true, false, false, false, false, false, false])
            #expect(fields.map(\.createable) == [false, true, true, true, false, false, false, false, true])
            #expect(fields.map(\.updateable) == fields.map(\.createable))
        }
    }

    @Test func anObjectThatIsNotATableOfItsBaseIsRefused() async throws {
        try await FakeProvider.run { fake in
            let context = try await DiscoveryTests.context(fake, secrets: ["access_token": "at"])
            for object in ["appLkNDICXNqxSDhG", "appLkNDICXNqxSDhG/tbl/../x", "app../tbltp8DGLhqbUmjK1", "/tbltp8DGLhqbUmjK1"] {
                await #expect(throws: ProviderFailure.self, "\(object)") {
                    _ = try await Airtable().discoverFields(of: object, context)
                }
            }
            fake.on("GET", "/v0/meta/bases/appLkNDICXNqxSDhG/tables") { _ in .json(Self.apartmentHuntingSchema) }
            await #expect(throws: ProviderFailure.self) {
                _ = try await Airtable().discoverFields(of: "appLkNDICXNqxSDhG/tblNoSuchTable001", context)
            }
            // Only the well-formed name reached Airtable.
            #expect(fake.calls().count == 1)
        }
    }
}
