import Configuration
import DestinationsConnectors
import DestinationsCore
import DestinationsStorage
import Foundation
import Logging
import SystemPackage

/// Everything the server reads from configuration, validated once at start.
///
/// Keys (flag / environment variable / JSON file path):
/// `host` (`--host`, `HOST`), `port` (`--port`, `PORT`), `database.url` (`--database`, `DATABASE_URL`),
/// `encryption.key` (`ENCRYPTION_KEY`), `encryption.key.file` (`--encryption-key-file`, `ENCRYPTION_KEY_FILE`),
/// `encryption.previous_keys` (`ENCRYPTION_PREVIOUS_KEYS`), `public.url` (`PUBLIC_URL`),
/// `proxy.trusted` (`PROXY_TRUSTED`), `log.level` (`LOG_LEVEL`), `log.format` (`LOG_FORMAT`),
/// `shutdown.grace_seconds` (`SHUTDOWN_GRACE_SECONDS`), `idempotency.ttl_seconds` (`IDEMPOTENCY_TTL_SECONDS`),
/// `auth.cache_seconds` (`AUTH_CACHE_SECONDS`), `http.idle_timeout_seconds` (`HTTP_IDLE_TIMEOUT_SECONDS`),
/// `http.body_timeout_seconds` (`HTTP_BODY_TIMEOUT_SECONDS`),
/// `rate_limit.enabled`, `rate_limit.requests_per_second`, `rate_limit.burst`, `rate_limit.workspace_requests_per_second`,
/// `rate_limit.workspace_burst`, `rate_limit.provider_requests_per_second`, `rate_limit.provider_burst`
/// (`RATE_LIMIT_...`), `sqlite.readers` (`SQLITE_READERS`),
/// `sqlite.synchronous` (`SQLITE_SYNCHRONOUS`), `database.pool_size` (`DATABASE_POOL_SIZE`),
/// `database.timeout_seconds` (`DATABASE_TIMEOUT_SECONDS`), `jobs.concurrency`, `jobs.poll_interval`,
/// `jobs.lease_seconds`, `jobs.max_attempts`, `jobs.retry_base_seconds` (`JOBS_...`),
/// `jobs.provider_concurrency`, `outbound.allow_private_networks`, `outbound.timeout_seconds`,
/// `outbound.resolve_timeout_seconds`, `outbound.resolve_cache_seconds`, `outbound.resolve_negative_cache_seconds`
/// (`OUTBOUND_...`),
/// `connectors.<type>.base_url` (`CONNECTORS_<TYPE>_BASE_URL`), `connectors.<type>.oauth.client_id`,
/// `.client_secret`, `.authorize_url`, `.token_url`, `.sandbox_authorize_url`, `.sandbox_token_url`
/// (`CONNECTORS_<TYPE>_OAUTH_...`).
public struct ServerSettings: Sendable {
    public var host: String
    public var port: Int
    public var database: DatabaseLocation
    public var encryption: EncryptionKeySource
    public var previousEncryptionKeys: [String]
    /// The base of absolute links (`next`), e.g. `https://destinations.example.com`; the request's
    /// Host otherwise.
    public var publicURL: String?
    /// Whether `X-Forwarded-Proto`/`X-Forwarded-Host` may be believed when building links.
    public var trustProxy: Bool
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Seconds that in-flight requests get to finish after SIGTERM/SIGINT before they are cut.
    public var shutdownGrace: Double
    /// Seconds an `Idempotency-Key` and its stored response are kept.
    public var idempotencyTTL: Double
    /// Seconds a token that authenticated is trusted without reading it again: the longest a revocation by
    /// the CLI or another instance takes to bite.
    public var authCacheLifetime: Double
    /// Seconds a connection may go without delivering a whole request head (or anything, between
    /// requests) before it is closed: what a client trickling its headers gets.
    public var idleTimeout: Double
    /// Seconds a request body may take to arrive in full (408 after).
    public var bodyTimeout: Double
    public var rateLimits: RateLimitSettings
    public var sqliteReaders: Int
    public var sqliteSynchronous: SQLiteSynchronous
    /// PostgreSQL connections this instance may hold.
    public var databasePoolSize: Int
    /// Seconds a PostgreSQL call may take before the request fails with 503.
    public var databaseTimeout: Double
    public var jobs: JobSettings
    /// Whether provider calls may reach loopback, private and link-local addresses.
    public var allowPrivateNetworks: Bool
    /// Seconds each provider call may take.
    public var outboundTimeout: Double
    /// Seconds a request (create, update) waits for a user-supplied host's name before accepting it unjudged:
    /// the egress judges it again, on the address it dials.
    public var outboundResolveTimeout: Double
    /// Seconds a host name's addresses are remembered, and a name that does not exist.
    public var outboundResolveCache: Double
    public var outboundResolveNegativeCache: Double
    /// `connectors.<type>.base_url`: where each provider's API is reached instead of its real address.
    public var connectorBaseURLs: [String: URL]
    /// `connectors.<type>.oauth.*`: the OAuth clients registered with providers, by type.
    public var oauthClients: [String: OAuthClient]

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        database: DatabaseLocation = .sqlite(path: DatabaseLocation.defaultPath),
        encryption: EncryptionKeySource = .besideDatabase,
        previousEncryptionKeys: [String] = [],
        publicURL: String? = nil,
        trustProxy: Bool = false,
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .text,
        shutdownGrace: Double = 30,
        idempotencyTTL: Double = 24 * 3600,
        authCacheLifetime: Double = 1,
        idleTimeout: Double = 30,
        bodyTimeout: Double = 30,
        rateLimits: RateLimitSettings = RateLimitSettings(),
        sqliteReaders: Int = 4,
        sqliteSynchronous: SQLiteSynchronous = .normal,
        databasePoolSize: Int = 10,
        databaseTimeout: Double = 5,
        jobs: JobSettings = JobSettings(),
        allowPrivateNetworks: Bool = false,
        outboundTimeout: Double = 30,
        outboundResolveTimeout: Double = 1,
        outboundResolveCache: Double = 30,
        outboundResolveNegativeCache: Double = 5,
        connectorBaseURLs: [String: URL] = [:],
        oauthClients: [String: OAuthClient] = [:]
    ) {
        self.host = host
        self.port = port
        self.database = database
        self.encryption = encryption
        self.previousEncryptionKeys = previousEncryptionKeys
        self.publicURL = publicURL
        self.trustProxy = trustProxy
        self.logLevel = logLevel
        self.logFormat = logFormat
        self.shutdownGrace = shutdownGrace
        self.idempotencyTTL = idempotencyTTL
        self.authCacheLifetime = authCacheLifetime
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.rateLimits = rateLimits
        self.sqliteReaders = sqliteReaders
        self.sqliteSynchronous = sqliteSynchronous
        self.databasePoolSize = databasePoolSize
        self.databaseTimeout = databaseTimeout
        self.jobs = jobs
        self.allowPrivateNetworks = allowPrivateNetworks
        self.outboundTimeout = outboundTimeout
        self.outboundResolveTimeout = outboundResolveTimeout
        self.outboundResolveCache = outboundResolveCache
        self.outboundResolveNegativeCache = outboundResolveNegativeCache
        self.connectorBaseURLs = connectorBaseURLs
        self.oauthClients = oauthClients
    }

    /// - Parameter connectorTypes: the service names whose `connectors.<type>.base_url` to read.
    public init(reader: ConfigReader, connectorTypes: [String] = Catalog.registry.declarations.map(\.serviceName)) throws(SettingsError) {
        try self.init(
            reader: reader,
            connectorTypes: connectorTypes,
            oauthTypes: Catalog.registry.connectors.filter { $0.oauth != nil }.map(\.declaration.serviceName)
        )
    }

    init(reader: ConfigReader, connectorTypes: [String], oauthTypes: [String]) throws(SettingsError) {
        self.init()
        host = reader.string(forKey: "host", default: host)
        port = reader.int(forKey: "port", default: port)
        guard (0...65_535).contains(port) else { throw .invalid("port", "must be between 0 and 65535") }
        do {
            database = try DatabaseLocation(reader.string(forKey: "database.url", default: DatabaseLocation.defaultPath))
        } catch {
            throw .invalid("database.url (--database, DATABASE_URL)", error.description)
        }
        if let key = reader.string(forKey: "encryption.key", isSecret: true) {
            encryption = .inline(base64: key)
        } else if let file = reader.string(forKey: "encryption.key.file") {
            encryption = .file(path: file)
        }
        previousEncryptionKeys = reader.string(forKey: "encryption.previous_keys", isSecret: true, default: "")
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        publicURL = try reader.string(forKey: "public.url").map { url throws(SettingsError) in
            guard let parsed = URLComponents(string: url), ["http", "https"].contains(parsed.scheme), parsed.host != nil else {
                throw .invalid("public.url (PUBLIC_URL)", "must be an absolute http or https URL")
            }
            return url.hasSuffix("/") ? String(url.dropLast()) : url
        }
        trustProxy = reader.bool(forKey: "proxy.trusted", default: trustProxy)
        let level = reader.string(forKey: "log.level", default: logLevel.rawValue)
        guard let parsedLevel = Logger.Level(rawValue: level.lowercased()) else {
            throw .invalid("log.level (LOG_LEVEL)", "must be one of " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", "))
        }
        logLevel = parsedLevel
        let format = reader.string(forKey: "log.format", default: logFormat.rawValue)
        guard let parsedFormat = LogFormat(rawValue: format.lowercased()) else {
            throw .invalid("log.format (LOG_FORMAT)", "must be text or json")
        }
        logFormat = parsedFormat
        shutdownGrace = reader.double(forKey: "shutdown.grace_seconds", default: shutdownGrace)
        guard shutdownGrace >= 0 else { throw .invalid("shutdown.grace_seconds (SHUTDOWN_GRACE_SECONDS)", "must not be negative") }
        idempotencyTTL = reader.double(forKey: "idempotency.ttl_seconds", default: idempotencyTTL)
        guard idempotencyTTL > 0 else { throw .invalid("idempotency.ttl_seconds (IDEMPOTENCY_TTL_SECONDS)", "must be positive") }
        authCacheLifetime = reader.double(forKey: "auth.cache_seconds", default: authCacheLifetime)
        guard (0...60).contains(authCacheLifetime) else { throw .invalid("auth.cache_seconds (AUTH_CACHE_SECONDS)", "must be between 0 and 60") }
        idleTimeout = reader.double(forKey: "http.idle_timeout_seconds", default: idleTimeout)
        guard idleTimeout > 0 else { throw .invalid("http.idle_timeout_seconds (HTTP_IDLE_TIMEOUT_SECONDS)", "must be positive") }
        bodyTimeout = reader.double(forKey: "http.body_timeout_seconds", default: bodyTimeout)
        guard bodyTimeout > 0 else { throw .invalid("http.body_timeout_seconds (HTTP_BODY_TIMEOUT_SECONDS)", "must be positive") }
        rateLimits = try RateLimitSettings(reader: reader)
        sqliteReaders = reader.int(forKey: "sqlite.readers", default: sqliteReaders)
        guard (1...64).contains(sqliteReaders) else { throw .invalid("sqlite.readers", "must be between 1 and 64") }
        let synchronous = reader.string(forKey: "sqlite.synchronous", default: sqliteSynchronous.rawValue)
        guard let parsedSynchronous = SQLiteSynchronous(rawValue: synchronous.uppercased()) else {
            throw .invalid("sqlite.synchronous", "must be normal or full")
        }
        sqliteSynchronous = parsedSynchronous
        databasePoolSize = reader.int(forKey: "database.pool_size", default: databasePoolSize)
        guard (2...500).contains(databasePoolSize) else { throw .invalid("database.pool_size (DATABASE_POOL_SIZE)", "must be between 2 and 500") }
        databaseTimeout = reader.double(forKey: "database.timeout_seconds", default: databaseTimeout)
        guard databaseTimeout > 0 else { throw .invalid("database.timeout_seconds (DATABASE_TIMEOUT_SECONDS)", "must be positive") }
        jobs.concurrency = reader.int(forKey: "jobs.concurrency", default: jobs.concurrency)
        guard (1...4096).contains(jobs.concurrency) else { throw .invalid("jobs.concurrency (JOBS_CONCURRENCY)", "must be between 1 and 4096") }
        jobs.providerConcurrency = reader.int(forKey: "jobs.provider_concurrency", default: JobSettings.defaultProviderConcurrency(jobs.concurrency))
        guard (1...jobs.concurrency).contains(jobs.providerConcurrency) else {
            throw .invalid("jobs.provider_concurrency (JOBS_PROVIDER_CONCURRENCY)", "must be between 1 and jobs.concurrency (\(jobs.concurrency))")
        }
        jobs.pollInterval = reader.double(forKey: "jobs.poll_interval", default: jobs.pollInterval)
        jobs.leaseDuration = reader.double(forKey: "jobs.lease_seconds", default: jobs.leaseDuration)
        guard jobs.pollInterval > 0, jobs.leaseDuration >= 3 else {
            throw .invalid("jobs.poll_interval / jobs.lease_seconds", "must be positive (the lease at least 3 seconds)")
        }
        jobs.retry.maxAttempts = reader.int(forKey: "jobs.max_attempts", default: jobs.retry.maxAttempts)
        jobs.retry.baseDelay = reader.double(forKey: "jobs.retry_base_seconds", default: jobs.retry.baseDelay)
        guard jobs.retry.maxAttempts >= 1, jobs.retry.baseDelay >= 0 else {
            throw .invalid("jobs.max_attempts / jobs.retry_base_seconds", "must be at least 1 / not negative")
        }
        allowPrivateNetworks = reader.bool(forKey: "outbound.allow_private_networks", default: allowPrivateNetworks)
        outboundTimeout = reader.double(forKey: "outbound.timeout_seconds", default: outboundTimeout)
        guard outboundTimeout > 0 else { throw .invalid("outbound.timeout_seconds (OUTBOUND_TIMEOUT_SECONDS)", "must be positive") }
        outboundResolveTimeout = reader.double(forKey: "outbound.resolve_timeout_seconds", default: outboundResolveTimeout)
        guard outboundResolveTimeout > 0, outboundResolveTimeout <= 60 else {
            throw .invalid("outbound.resolve_timeout_seconds (OUTBOUND_RESOLVE_TIMEOUT_SECONDS)", "must be positive and at most 60")
        }
        outboundResolveCache = reader.double(forKey: "outbound.resolve_cache_seconds", default: outboundResolveCache)
        guard (0...3600).contains(outboundResolveCache) else {
            throw .invalid("outbound.resolve_cache_seconds (OUTBOUND_RESOLVE_CACHE_SECONDS)", "must be between 0 and 3600")
        }
        outboundResolveNegativeCache = reader.double(forKey: "outbound.resolve_negative_cache_seconds", default: outboundResolveNegativeCache)
        guard (0...3600).contains(outboundResolveNegativeCache) else {
            throw .invalid("outbound.resolve_negative_cache_seconds (OUTBOUND_RESOLVE_NEGATIVE_CACHE_SECONDS)", "must be between 0 and 3600")
        }
        for type in connectorTypes {
            let key = "connectors.\(type).base_url"
            guard let value = reader.string(forKey: ConfigKey(key)) else { continue }
            guard let url = URL(string: value.hasSuffix("/") ? String(value.dropLast()) : value), ["http", "https"].contains(url.scheme),
                url.host != nil
            else {
                throw .invalid("\(key) (CONNECTORS_\(type.uppercased())_BASE_URL)", "must be an absolute http or https URL")
            }
            connectorBaseURLs[type] = url
        }
        for type in oauthTypes {
            let prefix = "connectors.\(type).oauth"
            let id = reader.string(forKey: ConfigKey("\(prefix).client_id"))
            let secret = reader.string(forKey: ConfigKey("\(prefix).client_secret"), isSecret: true)
            switch (id, secret) {
            case (nil, nil):
                continue
            case (let id?, let secret?):
                var client = OAuthClient(clientID: id, clientSecret: secret, apiBaseURL: connectorBaseURLs[type])
                client.authorizeURL = try Self.url(reader, "\(prefix).authorize_url")
                client.tokenURL = try Self.url(reader, "\(prefix).token_url")
                client.sandboxAuthorizeURL = try Self.url(reader, "\(prefix).sandbox_authorize_url")
                client.sandboxTokenURL = try Self.url(reader, "\(prefix).sandbox_token_url")
                oauthClients[type] = client
            case (nil, _):
                throw .invalid("\(prefix).client_id", "is missing (\(prefix).client_secret is set)")
            case (_, nil):
                throw .invalid("\(prefix).client_secret", "is missing (\(prefix).client_id is set)")
            }
        }
    }

    private static func url(_ reader: ConfigReader, _ key: String) throws(SettingsError) -> URL? {
        guard let value = reader.string(forKey: ConfigKey(key)) else { return nil }
        guard let url = URL(string: value), ["http", "https"].contains(url.scheme), url.host != nil else {
            throw .invalid(key, "must be an absolute http or https URL")
        }
        return url
    }
}

extension ServerSettings: CustomStringConvertible, CustomDebugStringConvertible {
    // Holds keys and client secrets: say only what is safe.
    public var description: String {
        "ServerSettings(\(host):\(port), \(database), \(encryption), OAuth clients for \(oauthClients.keys.sorted()))"
    }

    public var debugDescription: String { description }
}

public enum SettingsError: Error, CustomStringConvertible {
    case invalid(String, String)

    public var description: String {
        switch self {
        case .invalid(let key, let problem): "configuration \(key) \(problem)"
        }
    }
}

extension ConfigReader {
    /// The reader the executable uses: explicit values first (its flags), then the environment, then an
    /// optional JSON file (`--config-file`, `CONFIG_FILE`).
    public static func layered(overrides: [AbsoluteConfigKey: ConfigValue], configFile: String?) async throws -> ConfigReader {
        let environment = EnvironmentVariablesProvider()
        var providers: [any ConfigProvider] = [InMemoryProvider(name: "flags", values: overrides), environment]
        let file = configFile ?? ConfigReader(provider: environment).string(forKey: "config.file")
        if let file {
            providers.append(try await FileProvider<JSONSnapshot>(filePath: FilePath(file)))
        }
        return ConfigReader(providers: providers)
    }
}
