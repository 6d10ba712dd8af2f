import Crypto
import CryptoExtras
import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// The request signing schemes, against the providers' published examples and their own verification.
@Suite("Request signing")
struct SigningTests {
    static let awsExample = AWSSignatureV4(
        accessKeyID: "AKIAIOSFODNN7EXAMPLE",
        secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region: "us-east-1",
        service: "s3"
    )
    static let may24th2013 = Date(timeIntervalSince1970: 1_369_353_600)

    static func authorization(_ request: ProviderRequest) -> String? {
        awsExample.signed(request, at: may24th2013).headers.first { $0.name == "Authorization" }?.value
    }

    /// The GetObject example of the S3 signing documentation (sig-v4-header-based-auth).
    @Test func awsSignatureV4MatchesTheGetObjectExample() throws {
        let request = ProviderRequest(
            url: try #require(URL(string: "https://examplebucket.s3.amazonaws.com/test.txt")),
            headers: [("Range", "bytes=0-9")],
            hostSource: .configured
        )
        #expect(
            Self.authorization(request)
                == "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
        )
    }

    /// The ListObjects example: the query is signed in its canonical order.
    @Test func awsSignatureV4MatchesTheListObjectsExample() throws {
        let request = ProviderRequest(
            url: try #require(URL(string: "https://examplebucket.s3.amazonaws.com/?max-keys=2&prefix=J")),
            hostSource: .configured
        )
        #expect(
            Self.authorization(request)?.hasSuffix(
                "SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"
            ) == true
        )
    }

    /// S3's connection test sends a signed, empty PutObject; temporary credentials add their token, signed.
    @Test func s3SignsItsPutWithTheSessionToken() async throws {
        try await FakeProvider.run { fake in
            fake.on("PUT", "/acme-exports/destinations-connection-test") { _ in .json("") }
            let steps = try await ConnectionTestTests.run(
                "s3",
                fake,
                details: ["bucket": "acme-exports", "region": "eu-west-1", "access_key_id": "ASIAEXAMPLE"],
                secrets: ["secret_access_key": "s3-secret", "session_token": "s3-session"]
            )
            #expect(steps.map(\.status) == [.passed])
            let call = try #require(fake.calls("PUT").first)
            #expect(call.body.isEmpty)
            #expect(call.header("x-amz-security-token") == "s3-session")
            #expect(call.header("x-amz-content-sha256") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
            let authorization = try #require(call.header("authorization"))
            #expect(authorization.hasPrefix("AWS4-HMAC-SHA256 Credential=ASIAEXAMPLE/"))
            #expect(authorization.contains("/eu-west-1/s3/aws4_request, SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token, "))
            #expect(!authorization.contains("s3-secret"))
        }
    }

    /// S3 errors are XML; the step quotes their code and message.
    @Test func s3QuotesItsXMLError() async throws {
        try await FakeProvider.run { fake in
            fake.on("PUT", "/acme-exports/destinations-connection-test") { _ in
                FakeProvider.Reply(
                    status: 403,
                    headers: ["Content-Type": "application/xml"],
                    body:
                        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided. Check your key and signing method.</Message><RequestId>4442587FB7D0A2F9</RequestId></Error>"
                )
            }
            let steps = try await ConnectionTestTests.run(
                "s3",
                fake,
                details: ["bucket": "acme-exports", "region": "us-east-1", "access_key_id": "AKIAEXAMPLE"],
                secrets: ["secret_access_key": "s3-secret"]
            )
            #expect(steps.first?.status == .failed)
            #expect(
                steps.first?.errorMessage?.contains("SignatureDoesNotMatch: The request signature we calculated does not match") == true,
                "\(steps)"
            )
        }
    }

    /// Snowflake's key-pair JWT: upper-case account (without a locator's region) and user, the public
    /// key's fingerprint in `iss`, under an hour, and a signature the public key verifies.
    @Test func snowflakeKeyPairTokenNamesTheKeyAndVerifies() throws {
        let key = ConnectionTestTests.serviceAccountKey
        let now = Date(timeIntervalSince1970: 1_700_000_000)
        let token = try Snowflake.keyPairToken(account: "xy12345.us-east-1", user: "census", privateKeyPEM: key.pemRepresentation, now: now)
        let parts = token.split(separator: ".").map(String.init)
        try #require(parts.count == 3)
        let claims = try JSONDecoder().decode(JSONValue.self, from: try #require(Data(base64URL: parts[1])))
        let fingerprint = "SHA256:" + Data(SHA256.hash(data: key.publicKey.derRepresentation)).base64EncodedString()
        #expect(claims["iss"].stringValue == "XY12345.CENSUS.\(fingerprint)")
        #expect(claims["sub"].stringValue == "XY12345.CENSUS")
        #expect(claims["iat"] == .integer(1_700_000_000))
        #expect(claims["exp"] == .integer(1_700_000_000 + 3_540))
        let signature = _RSA.Signing.RSASignature(rawRepresentation: try #require(Data(base64URL: parts[2])))
        #expect(key.publicKey.isValidSignature(signature, for: Data("\(parts[0]).\(parts[1])".utf8), padding: .insecurePKCS1v1_5))
    }

    /// A key that is not a PEM RSA key is named, and never quoted.
    @Test func aBadPrivateKeyIsNamedNotQuoted() async throws {
        try await FakeProvider.run { fake in
            let steps = try await ConnectionTestTests.run(
                "snowflake",
                fake,
                details: ["account": "xy12345", "user": "census", "warehouse": "W", "database": "D"],
                secrets: ["private_key": "-----BEGIN PRIVATE KEY-----\nnot-a-key-canary\n-----END PRIVATE KEY-----"]
            )
            let message = try #require(steps.first?.errorMessage)
            #expect(message.contains("private_key is not an unencrypted PEM RSA private key"))
            #expect(!message.contains("not-a-key-canary"))
            #expect(fake.calls().isEmpty)
        }
    }

    /// Snowflake's SQL API errors (a JWT it cannot verify) come back in its own words.
    @Test func snowflakeQuotesItsRefusal() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/api/v2/statements") { _ in
                .json(#"{"code": "390144", "message": "JWT token is invalid. [f1e2d3c4-0000-4000-8000-000000000000]"}"#, status: 401)
            }
            let steps = try await ConnectionTestTests.run(
                "snowflake",
                fake,
                details: ["account": "xy12345", "user": "census", "warehouse": "W", "database": "D"],
                secrets: ["private_key": .string(ConnectionTestTests.serviceAccountKey.pemRepresentation)]
            )
            #expect(steps.first?.status == .failed)
            #expect(steps.first?.errorMessage?.contains("JWT token is invalid") == true)
            let body = try JSONDecoder().decode(JSONValue.self, from: try #require(fake.calls("POST").first?.body))
            #expect(body["warehouse"].stringValue == "W")
            #expect(body["database"].stringValue == "D")
        }
    }

    /// Marketing Cloud's client-credentials grant is a JSON body; a business unit is its `account_id`.
    @Test func marketingCloudAsksForATokenWithJSON() async throws {
        try await FakeProvider.run { fake in
            fake.on("POST", "/v2/token") { _ in
                .json(#"{"error": "invalid_client", "error_description": "Client authentication failed."}"#, status: 401)
            }
            let steps = try await ConnectionTestTests.run(
                "salesforce_marketing_cloud",
                fake,
                details: ["auth_base_uri": "https://mc1.auth.marketingcloudapis.com", "client_id": "sfmc-client", "account_id": "514000001"],
                secrets: ["client_secret": "sfmc-secret-canary"]
            )
            #expect(steps.map(\.status) == [.failed, .skipped])
            #expect(steps.first?.errorMessage?.contains("Client authentication failed") == true)
            let body = try JSONDecoder().decode(JSONValue.self, from: try #require(fake.calls("POST").first?.body))
            #expect(
                body
                    == .object([
                        "grant_type": "client_credentials", "client_id": "sfmc-client", "client_secret": "sfmc-secret-canary",
                        "account_id": "514000001",
                    ])
            )
        }
    }

    /// The secret goes only to a Marketing Cloud host: another one is refused before any call.
    @Test func marketingCloudRefusesAnotherAuthenticationHost() async throws {
        let steps = try await SalesforceMarketingCloud().testConnection(
            ConnectorContext(
                details: ["auth_base_uri": "https://127.0.0.1:9", "client_id": "c"],
                secrets: ["client_secret": "s"],
                http: try await AsyncHTTPProviderClient.shared()
            )
        )
        #expect(steps.first?.errorMessage?.contains("Authentication Base URI") == true, "\(steps)")
    }
}
