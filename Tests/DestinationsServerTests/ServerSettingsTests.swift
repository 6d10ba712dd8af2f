import Configuration
import DestinationsCore
import DestinationsStorage
import Foundation
import Logging
import TestSupport
import Testing

@testable import DestinationsServer

/// `ServerSettings(reader:)` through in-memory configuration: the defaults, the environment variable of
/// every key, and each value it refuses.
@Suite("Server settings")
struct ServerSettingsTests {
    static func fromEnvironment(_ variables: [String: String]) throws(SettingsError) -> ServerSettings {
        try ServerSettings(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: variables)))
    }

    @Test func withNothingSetTheServerRunsOnTheDeclaredDefaults() throws {
        let read = try Self.fromEnvironment([:])
        let memberwise = ServerSettings()
        #expect(read.host == "127.0.0.1" && memberwise.host == read.host)
        #expect(read.port == 8080 && memberwise.port == read.port)
        #expect(read.database == .sqlite(path: DatabaseLocation.defaultPath))
        #expect(read.encryption == .besideDatabase)
        #expect(read.previousEncryptionKeys.isEmpty && read.publicURL == nil && !read.trustProxy)
        #expect(read.logLevel == .info && read.logFormat == .text)
        #expect(read.shutdownGrace == 30 && read.idempotencyTTL == 86_400 && read.authCacheLifetime == 1)
        #expect(read.idleTimeout == 30 && read.bodyTimeout == 30)
        #expect(read.rateLimits == RateLimitSettings())
        #expect(read.sqliteReaders == 4 && read.sqliteSynchronous == .normal)
        #expect(read.databasePoolSize == 10 && read.databaseTimeout == 5)
        #expect(read.jobs.concurrency == 512 && read.jobs.providerConcurrency == 256)
        #expect(read.jobs.pollInterval == 1 && read.jobs.leaseDuration == 60)
        #expect(read.jobs.retry.maxAttempts == 5 && read.jobs.retry.baseDelay == 2)
        #expect(!read.allowPrivateNetworks && read.outboundTimeout == 30)
        #expect(read.outboundResolveTimeout == 1 && read.outboundResolveCache == 30 && read.outboundResolveNegativeCache == 5)
        #expect(read.connectorBaseURLs.isEmpty && read.oauthClients.isEmpty)
    }

    /// The variable each key is documented under is the one read: set through it, the value arrives.
    @Test func everyKeyIsReadFromItsDocumentedVariable() throws {
        let read = try Self.fromEnvironment([
            "HOST": "0.0.0.0", "PORT": "9090", "DATABASE_URL": "sqlite:///tmp/elsewhere.sqlite", "DATABASE_POOL_SIZE": "20",
            "DATABASE_TIMEOUT_SECONDS": "7", "ENCRYPTION_KEY_FILE": "/run/key", "ENCRYPTION_PREVIOUS_KEYS": "a, b",
            "PUBLIC_URL": "https://destinations.test/", "PROXY_TRUSTED": "true", "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json",
            "SHUTDOWN_GRACE_SECONDS": "3", "IDEMPOTENCY_TTL_SECONDS": "60", "HTTP_IDLE_TIMEOUT_SECONDS": "11", "HTTP_BODY_TIMEOUT_SECONDS": "12",
            "AUTH_CACHE_SECONDS": "0", "RATE_LIMIT_ENABLED": "false", "RATE_LIMIT_REQUESTS_PER_SECOND": "1", "RATE_LIMIT_BURST": "2",
            "RATE_LIMIT_WORKSPACE_REQUESTS_PER_SECOND": "3", "RATE_LIMIT_WORKSPACE_BURST": "4", "RATE_LIMIT_PROVIDER_REQUESTS_PER_SECOND": "5",
            "RATE_LIMIT_PROVIDER_BURST": "6", "SQLITE_READERS": "2", "SQLITE_SYNCHRONOUS": "full", "JOBS_CONCURRENCY": "40",
            "JOBS_PROVIDER_CONCURRENCY": "30", "JOBS_POLL_INTERVAL": "0.5", "JOBS_LEASE_SECONDS": "90", "JOBS_MAX_ATTEMPTS": "2",
            "JOBS_RETRY_BASE_SECONDS": "0", "OUTBOUND_TIMEOUT_SECONDS": "9", "OUTBOUND_ALLOW_PRIVATE_NETWORKS": "true",
            "OUTBOUND_RESOLVE_TIMEOUT_SECONDS": "2", "OUTBOUND_RESOLVE_CACHE_SECONDS": "0", "OUTBOUND_RESOLVE_NEGATIVE_CACHE_SECONDS": "1",
            "CONNECTORS_GOOGLE_SHEETS_BASE_URL": "http://127.0.0.1:9/", "CONNECTORS_HUBSPOT_OAUTH_CLIENT_ID": "id",
            "CONNECTORS_HUBSPOT_OAUTH_CLIENT_SECRET": "secret", "CONNECTORS_HUBSPOT_OAUTH_TOKEN_URL": "http://127.0.0.1:9/token",
        ])
        #expect(read.host == "0.0.0.0" && read.port == 9090)
        #expect(read.database == .sqlite(path: "/tmp/elsewhere.sqlite") && read.databasePoolSize == 20 && read.databaseTimeout == 7)
        #expect(read.encryption == .file(path: "/run/key") && read.previousEncryptionKeys == ["a", "b"])
        #expect(read.publicURL == "https://destinations.test" && read.trustProxy)
        #expect(read.logLevel == .debug && read.logFormat == .json)
        #expect(read.shutdownGrace == 3 && read.idempotencyTTL == 60 && read.idleTimeout == 11 && read.bodyTimeout == 12)
        #expect(read.authCacheLifetime == 0)
        #expect(
            read.rateLimits
                == RateLimitSettings(
                    enabled: false,
                    token: RateLimit(perSecond: 1, burst: 2),
                    workspace: RateLimit(perSecond: 3, burst: 4),
                    provider: RateLimit(perSecond: 5, burst: 6)
                )
        )
        #expect(read.sqliteReaders == 2 && read.sqliteSynchronous == .full)
        #expect(read.jobs.concurrency == 40 && read.jobs.providerConcurrency == 30 && read.jobs.pollInterval == 0.5)
        #expect(read.jobs.leaseDuration == 90 && read.jobs.retry.maxAttempts == 2 && read.jobs.retry.baseDelay == 0)
        #expect(read.outboundTimeout == 9 && read.allowPrivateNetworks)
        #expect(read.outboundResolveTimeout == 2 && read.outboundResolveCache == 0 && read.outboundResolveNegativeCache == 1)
        #expect(read.connectorBaseURLs["google_sheets"] == URL(string: "http://127.0.0.1:9"))
        #expect(read.oauthClients["hubspot"]?.clientID == "id")
        #expect(read.oauthClients["hubspot"]?.tokenURL == URL(string: "http://127.0.0.1:9/token"))
    }

    @Test func anInlineKeyWinsOverAKeyFile() throws {
        let read = try Self.fromEnvironment(["ENCRYPTION_KEY": "a2V5", "ENCRYPTION_KEY_FILE": "/run/key"])
        #expect(read.encryption == .inline(base64: "a2V5"))
    }

    @Test func aProvidersShareFollowsTheConcurrencyUnlessSet() throws {
        #expect(try Self.fromEnvironment(["JOBS_CONCURRENCY": "10"]).jobs.providerConcurrency == 5)
        #expect(try Self.fromEnvironment(["JOBS_CONCURRENCY": "1"]).jobs.providerConcurrency == 1)
    }

    /// Each refusal names the key and the variable, and says what is wrong; a secret's value is never quoted.
    @Test(
        arguments: [
            ("PORT", "70000", "must be between 0 and 65535"),
            ("PORT", "http", #"must be a whole number, not "http""#),
            ("DATABASE_URL", " ", "database.url (--database, DATABASE_URL)"),
            ("DATABASE_URL", "mysql://db", "database.url (--database, DATABASE_URL)"),
            ("DATABASE_POOL_SIZE", "1", "must be between 2 and 500"),
            ("DATABASE_TIMEOUT_SECONDS", "0", "must be positive"),
            ("PUBLIC_URL", "ftp://destinations.test", "must be an absolute http or https URL"),
            ("PROXY_TRUSTED", "maybe", "must be true or false"),
            ("LOG_LEVEL", "loud", "must be one of trace, debug, info, notice, warning, error, critical"),
            ("LOG_FORMAT", "xml", "must be one of text, json"),
            ("SHUTDOWN_GRACE_SECONDS", "-1", "must not be negative"),
            ("IDEMPOTENCY_TTL_SECONDS", "0", "must be positive"),
            ("HTTP_IDLE_TIMEOUT_SECONDS", "0", "must be positive"),
            ("HTTP_BODY_TIMEOUT_SECONDS", "soon", "must be a number"),
            ("AUTH_CACHE_SECONDS", "61", "must be between 0 and 60"),
            ("RATE_LIMIT_ENABLED", "on", "must be true or false"),
            ("RATE_LIMIT_REQUESTS_PER_SECOND", "0", "must be positive"),
            ("RATE_LIMIT_BURST", "0.5", "must be at least 1"),
            ("RATE_LIMIT_WORKSPACE_REQUESTS_PER_SECOND", "-1", "must be positive"),
            ("RATE_LIMIT_WORKSPACE_BURST", "0", "must be at least 1"),
            ("RATE_LIMIT_PROVIDER_REQUESTS_PER_SECOND", "0", "must be positive"),
            ("RATE_LIMIT_PROVIDER_BURST", "0", "must be at least 1"),
            ("SQLITE_READERS", "0", "must be between 1 and 64"),
            ("SQLITE_SYNCHRONOUS", "off", "must be one of normal, full"),
            ("JOBS_CONCURRENCY", "0", "must be between 1 and 4096"),
            ("JOBS_PROVIDER_CONCURRENCY", "0", "must be between 1 and jobs.concurrency (512)"),
            ("JOBS_PROVIDER_CONCURRENCY", "513", "must be between 1 and jobs.concurrency (512)"),
            ("JOBS_POLL_INTERVAL", "0", "must be positive"),
            ("JOBS_LEASE_SECONDS", "2", "must be at least 3"),
            ("JOBS_MAX_ATTEMPTS", "0", "must be at least 1"),
            ("JOBS_RETRY_BASE_SECONDS", "-1", "must not be negative"),
            ("OUTBOUND_TIMEOUT_SECONDS", "0", "must be positive"),
            ("OUTBOUND_ALLOW_PRIVATE_NETWORKS", "yes please", "must be true or false"),
            ("OUTBOUND_RESOLVE_TIMEOUT_SECONDS", "0", "must be positive and at most 60"),
            ("OUTBOUND_RESOLVE_TIMEOUT_SECONDS", "61", "must be positive and at most 60"),
            ("OUTBOUND_RESOLVE_CACHE_SECONDS", "-1", "must be between 0 and 3600"),
            ("OUTBOUND_RESOLVE_NEGATIVE_CACHE_SECONDS", "4000", "must be between 0 and 3600"),
            ("CONNECTORS_BRAZE_BASE_URL", "braze.test", "must be an absolute http or https URL"),
            ("CONNECTORS_HUBSPOT_OAUTH_CLIENT_ID", "id", "is missing (connectors.hubspot.oauth.client_id is set)"),
            ("CONNECTORS_HUBSPOT_OAUTH_CLIENT_SECRET", "CANARY-client-secret", "is missing (connectors.hubspot.oauth.client_secret is set)"),
        ]
    )
    func aValueOutsideItsRuleIsRefusedNamingTheSetting(_ variable: String, _ value: String, _ problem: String) throws {
        let error = try #require(throws: SettingsError.self) { try Self.fromEnvironment([variable: value]) }
        let message = "\(error)"
        #expect(message.contains(problem), "\(message)")
        // The variable that was set or, where half of a pair is missing, the missing one.
        #expect(message.contains("(\(variable))") || message.contains(", \(variable))") || problem.hasPrefix("is missing"), "\(message)")
        #expect(message.hasPrefix("configuration "), "\(message)")
        #expect(!message.contains("CANARY"))
    }

    @Test func aRefusedOAuthEndpointNamesItsOwnVariable() throws {
        let error = try #require(throws: SettingsError.self) {
            try Self.fromEnvironment([
                "CONNECTORS_HUBSPOT_OAUTH_CLIENT_ID": "id", "CONNECTORS_HUBSPOT_OAUTH_CLIENT_SECRET": "CANARY-secret",
                "CONNECTORS_HUBSPOT_OAUTH_SANDBOX_TOKEN_URL": "token",
            ])
        }
        #expect(
            "\(error)"
                == "configuration connectors.hubspot.oauth.sandbox_token_url (CONNECTORS_HUBSPOT_OAUTH_SANDBOX_TOKEN_URL) must be an absolute http or https URL"
        )
    }

    @Test func theReadmesTableIsTheDeclaredList() throws {
        #expect(
            try ReadmeBlock.text("settings") == Settings.markdownTable,
            "run `swift run destinations settings` and paste its table into README.md"
        )
    }

    @Test func everyDeclaredKeyHasItsOwnVariable() {
        let variables = Settings.all.map(\.environmentVariable)
        #expect(Set(variables).count == variables.count)
        #expect(Settings.all.allSatisfy { $0.environmentVariable == $0.key.uppercased().replacingOccurrences(of: ".", with: "_") })
    }
}
