import DestinationsCore
import TestSupport
import Testing

@Suite struct CredentialValidationTests {
    static let connector = ConnectorDeclaration(
        serviceName: "example",
        label: "Example",
        authMethod: .credentials,
        documentationSlug: "example",
        fields: [
            CredentialField(id: "instance_url", label: "URL", format: .url),
            CredentialField(id: "api_key", label: "Key", secret: true),
            CredentialField(id: "extra_key", label: "Extra", required: false, secret: true),
            CredentialField(id: "region", label: "Region", required: false, format: .choice(["us", "eu"])),
        ],
        objects: [.standard("User", "user"), .standard("Event", "event")]
    )

    static let oauthConnector = ConnectorDeclaration(
        serviceName: "oauthy",
        label: "OAuthy",
        authMethod: .oauth,
        documentationSlug: "oauthy",
        fields: [CredentialField(id: "domain", label: "Subdomain", format: .subdomain)],
        objects: []
    )

    @Test func splitsSecretsFromConnectionDetails() throws {
        let result = try Self.connector.validate(credentials: [
            "instance_url": "https://x.example.com", "api_key": "k", "region": "eu",
        ])
        #expect(result.details == ["instance_url": "https://x.example.com", "region": "eu"])
        #expect(result.secrets == ["api_key": "k"])
    }

    @Test func unknownKeyIsUnprocessableAndNamed() {
        do {
            _ = try Self.connector.validate(credentials: ["instance_url": "https://x.example.com", "api_key": "k", "pasword": "p"])
            Issue.record("accepted an unknown key")
        } catch {
            #expect(error.kind == .unprocessable)
            #expect(error.message.contains("\"pasword\""))
            #expect(error.message.contains("api_key"))
        }
    }

    @Test func wrongJSONTypeIsABadRequest() {
        do {
            _ = try Self.connector.validate(credentials: ["instance_url": "https://x.example.com", "api_key": .integer(5)])
            Issue.record("accepted a number")
        } catch {
            #expect(error.kind == .badRequest)
            #expect(error.message == "credentials.api_key must be a string, not a number")
        }
    }

    /// The Census Terraform provider sends every configured value that parses as JSON as that JSON: a
    /// project id "12345" arrives as 12345.
    @Test func aDigitsFieldTakesAWholeNumberAsItsDigits() throws {
        let connector = ConnectorDeclaration(
            serviceName: "numbered",
            label: "Numbered",
            authMethod: .credentials,
            documentationSlug: "numbered",
            fields: [
                CredentialField(id: "project_id", label: "Project", format: .digits), CredentialField(id: "api_key", label: "Key", secret: true),
            ],
            objects: [.standard("User", "user")]
        )
        for (sent, stored) in [(JSONValue.integer(12345), "12345"), (.number(5e3), "5000"), (.integer(0), "0")] {
            let validated = try connector.validate(credentials: ["project_id": sent, "api_key": "k"])
            #expect(validated.details["project_id"] == .string(stored))
        }
        for refused in [JSONValue.integer(-1), .number(1.5), .integer(FieldFormat.largestWholeNumber + 1), .bool(true)] {
            #expect(throws: APIError.self, "\(refused)") { try connector.validate(credentials: ["project_id": refused, "api_key": "k"]) }
        }
        // Other fields still take strings only.
        #expect(throws: APIError.self) { try connector.validate(credentials: ["project_id": "1", "api_key": .integer(5)]) }
    }

    @Test(
        arguments: [
            (["api_key": JSONValue.string("k")], "instance_url"),
            (["instance_url": "https://x.example.com"], "api_key"),
            (["instance_url": "https://x.example.com", "api_key": "   "], "api_key"),
            (["instance_url": "https://x.example.com", "api_key": .null], "api_key"),
        ] as [([String: JSONValue], String)]
    )
    func missingRequiredFieldIsNamed(_ credentials: [String: JSONValue], _ field: String) {
        do {
            _ = try Self.connector.validate(credentials: credentials)
            Issue.record("accepted \(credentials.keys)")
        } catch {
            #expect(error.kind == .unprocessable)
            #expect(error.message.hasPrefix("credentials.\(field) is required"))
        }
    }

    @Test(arguments: ["x.example.com", "ftp://x.example.com", "https://", "https:///path", "not a url"])
    func badURLsAreRefused(_ url: String) {
        do {
            _ = try Self.connector.validate(credentials: ["instance_url": .string(url), "api_key": "k"])
            Issue.record("accepted \(url)")
        } catch {
            #expect(error.kind == .unprocessable)
            #expect(error.message.contains("credentials.instance_url"))
        }
    }

    @Test func choicesAreEnforced() {
        #expect(throws: APIError.self) {
            try Self.connector.validate(credentials: ["instance_url": "https://x.example.com", "api_key": "k", "region": "mars"])
        }
    }

    @Test func changesMergeOverStoredValues() throws {
        let stored: [String: JSONValue] = ["instance_url": "https://x.example.com", "api_key": "old", "extra_key": "e"]
        let rotated = try Self.connector.validate(change: ["api_key": "new"], over: stored)
        #expect(rotated.secrets == ["api_key": "new", "extra_key": "e"])
        #expect(rotated.details == ["instance_url": "https://x.example.com"])
        let removed = try Self.connector.validate(change: ["extra_key": .null], over: stored)
        #expect(removed.secrets == ["api_key": "old"])
        #expect(throws: APIError.self) { try Self.connector.validate(change: ["api_key": .null], over: stored) }
        #expect(throws: APIError.self) { try Self.connector.validate(change: ["instance_url": "nope"], over: stored) }
    }

    @Test func oauthConnectorsNeedACodeAndKeepItOutOfStorage() throws {
        #expect(throws: APIError.self) { try Self.oauthConnector.validate(credentials: ["domain": "acme"]) }
        let result = try Self.oauthConnector.validate(credentials: ["oauth_code": "c", "state": "s", "domain": "acme"])
        #expect(result.oauthCode == "c")
        #expect(result.oauthState == "s")
        #expect(result.details == ["domain": "acme"])
        #expect(result.secrets.isEmpty)
        #expect(throws: APIError.self) { try Self.oauthConnector.validate(credentials: ["oauth_code": "c", "domain": "acme.zendesk.com"]) }
    }

    @Test func credentialsConnectorsRefuseAnOAuthCode() {
        #expect(throws: APIError.self) {
            try Self.connector.validate(credentials: ["instance_url": "https://x.example.com", "api_key": "k", "oauth_code": "c"])
        }
    }
}
