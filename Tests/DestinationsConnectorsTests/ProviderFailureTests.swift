import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

/// How provider answers and network trouble become failures a user can act on.
@Suite("Provider failures")
struct ProviderFailureTests {
    static func brazeContext(_ fake: FakeProvider, http: AsyncHTTPProviderClient? = nil, key: String = "braze-key") async throws -> ConnectorContext {
        ConnectorContext(
            details: ["instance_url": .string(fake.baseURL.absoluteString)],
            secrets: ["api_key": .string(key)],
            http: try await Self.client(http)
        )
    }

    private static func client(_ given: AsyncHTTPProviderClient?) async throws -> AsyncHTTPProviderClient {
        if let given { return given }
        return try await .shared()
    }

    static func failure(_ body: () async throws -> Void) async -> ProviderFailure? {
        do {
            try await body()
            return nil
        } catch {
            return error as? ProviderFailure
        }
    }

    @Test func badCredentialsArePermanentAndQuoteTheProvider() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/catalogs", replies: [.json(#"{"message": "Unknown or missing REST API Key"}"#, status: 401)])
            let failure = await Self.failure { _ = try await Braze().discoverObjects(Self.brazeContext(fake)) }
            guard case .permanent(let message)? = failure else {
                Issue.record("\(String(describing: failure))")
                return
            }
            #expect(message.contains("HTTP 401"))
            #expect(message.contains("Unknown or missing REST API Key"))
        }
    }

    @Test func aMissingPermissionIsNamed() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/catalogs", replies: [.json(#"{"errors": [{"message": "This API key lacks catalogs.get"}]}"#, status: 403)])
            let failure = await Self.failure { _ = try await Braze().discoverObjects(Self.brazeContext(fake)) }
            #expect(failure?.message.contains("permission") == true)
            #expect(failure?.message.contains("catalogs.get") == true)
        }
    }

    @Test func rateLimitsAreTransientWithTheProvidersRetryAfter() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/catalogs", replies: [.json(#"{"message": "slow down"}"#, status: 429, headers: ["Retry-After": "7"])])
            let failure = await Self.failure { _ = try await Braze().discoverObjects(Self.brazeContext(fake)) }
            #expect(failure == .transient("Braze asked us to slow down (HTTP 429): slow down", retryAfter: 7))
        }
    }

    @Test func serverErrorsAreTransient() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/catalogs", replies: [.json("oops", status: 503)])
            let failure = await Self.failure { _ = try await Braze().discoverObjects(Self.brazeContext(fake)) }
            guard case .transient(let message, _)? = failure else {
                Issue.record("\(String(describing: failure))")
                return
            }
            #expect(message.contains("HTTP 503"))
        }
    }

    @Test func aSlowProviderTimesOut() async throws {
        try await AsyncHTTPProviderClient.with(timeout: 0.3) { impatient in
            try await FakeProvider.run { fake in
                fake.on("GET", "/catalogs", replies: [FakeProvider.Reply(body: #"{"catalogs": []}"#, delay: .seconds(1))])
                let failure = await Self.failure { _ = try await Braze().discoverObjects(Self.brazeContext(fake, http: impatient)) }
                guard case .transient(let message, _)? = failure else {
                    Issue.record("\(String(describing: failure))")
                    return
                }
                #expect(message.contains("did not answer"))
            }
        }
    }

    @Test func anUnexpectedShapeIsPermanent() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/catalogs", replies: [.json(#"{"items": 3}"#)])
            let failure = await Self.failure { _ = try await Braze().discoverObjects(Self.brazeContext(fake)) }
            guard case .permanent(let message)? = failure else {
                Issue.record("\(String(describing: failure))")
                return
            }
            #expect(message.contains("shape"))
        }
    }

    @Test func secretsEchoedByAProviderAreBlankedOut() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/catalogs", replies: [.json(#"{"message": "Invalid key CANARY-echoed-key-55f1"}"#, status: 401)])
            let failure = await Self.failure { _ = try await Braze().discoverObjects(Self.brazeContext(fake, key: "CANARY-echoed-key-55f1")) }
            #expect(failure?.message.contains("CANARY") == false)
            #expect(failure?.message.contains("[redacted]") == true)
        }
    }

    @Test func anUnreachableHostIsTransient() async throws {
        // A port nothing listens on; the client keeps trying to connect until its timeout.
        try await AsyncHTTPProviderClient.with(timeout: 0.5) { impatient in
            let context = ConnectorContext(details: ["instance_url": "http://127.0.0.1:9"], secrets: ["api_key": "k"], http: impatient)
            let failure = await Self.failure { _ = try await Braze().discoverObjects(context) }
            guard case .transient(let message, _)? = failure else {
                Issue.record("\(String(describing: failure))")
                return
            }
            #expect(message.contains("127.0.0.1"))
        }
    }

    @Test(arguments: [("5", 5.0), ("0", 0), ("-3", 0), ("", nil), ("soon", nil)] as [(String, Double?)])
    func retryAfterSeconds(_ header: String, _ seconds: Double?) {
        #expect(ProviderAPI.retryAfter(header) == seconds)
    }

    @Test func retryAfterAsADate() throws {
        let inTenSeconds = Date().addingTimeInterval(10)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let seconds = try #require(ProviderAPI.retryAfter(formatter.string(from: inTenSeconds)))
        #expect((8...10).contains(seconds))
    }

    @Test func linkHeaders() {
        #expect(
            ProviderAPI.nextLink(#"<https://x.example.com/catalogs?cursor=abc>; rel="next", <https://x.example.com/catalogs>; rel="prev""#)?
                .absoluteString == "https://x.example.com/catalogs?cursor=abc"
        )
        #expect(ProviderAPI.nextLink(#"<https://x.example.com/catalogs>; rel="prev""#) == nil)
        #expect(ProviderAPI.nextLink(nil) == nil)
    }
}
