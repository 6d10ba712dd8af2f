import Configuration
import DestinationsConnectors
import DestinationsCore
import DestinationsStorage
import Foundation
import Logging
import SystemPackage

/// Everything the server reads from configuration, validated once at start. The keys, their
/// environment variables, defaults and rules are declared once, in `Settings`.
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
    /// Seconds a connect link can be used after it is made.
    public var connectLinkLifetime: Double
    /// Origins that may frame the connect page (its CSP `frame-ancestors`) and receive its messages.
    public var connectFrameOrigins: [String]
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
    public var webhooks: WebhookSettings
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
        host: String = Settings.host.defaultValue,
        port: Int = Settings.port.defaultValue,
        database: DatabaseLocation = .sqlite(path: Settings.databaseURL.defaultValue),
        encryption: EncryptionKeySource = .besideDatabase,
        previousEncryptionKeys: [String] = [],
        publicURL: String? = Settings.publicURL.defaultValue,
        trustProxy: Bool = Settings.trustProxy.defaultValue,
        logLevel: Logger.Level = Settings.logLevel.defaultValue,
        logFormat: LogFormat = Settings.logFormat.defaultValue,
        shutdownGrace: Double = Settings.shutdownGrace.defaultValue,
        idempotencyTTL: Double = Settings.idempotencyTTL.defaultValue,
        authCacheLifetime: Double = Settings.authCacheLifetime.defaultValue,
        connectLinkLifetime: Double = Settings.connectLinkLifetime.defaultValue,
        connectFrameOrigins: [String] = [],
        idleTimeout: Double = Settings.idleTimeout.defaultValue,
        bodyTimeout: Double = Settings.bodyTimeout.defaultValue,
        rateLimits: RateLimitSettings = RateLimitSettings(),
        sqliteReaders: Int = Settings.sqliteReaders.defaultValue,
        sqliteSynchronous: SQLiteSynchronous = Settings.sqliteSynchronous.defaultValue,
        databasePoolSize: Int = Settings.databasePoolSize.defaultValue,
        databaseTimeout: Double = Settings.databaseTimeout.defaultValue,
        jobs: JobSettings = JobSettings(),
        webhooks: WebhookSettings = WebhookSettings(),
        allowPrivateNetworks: Bool = Settings.allowPrivateNetworks.defaultValue,
        outboundTimeout: Double = Settings.outboundTimeout.defaultValue,
        outboundResolveTimeout: Double = Settings.outboundResolveTimeout.defaultValue,
        outboundResolveCache: Double = Settings.outboundResolveCache.defaultValue,
        outboundResolveNegativeCache: Double = Settings.outboundResolveNegativeCache.defaultValue,
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
        self.connectLinkLifetime = connectLinkLifetime
        self.connectFrameOrigins = connectFrameOrigins
        self.idleTimeout = idleTimeout
        self.bodyTimeout = bodyTimeout
        self.rateLimits = rateLimits
        self.sqliteReaders = sqliteReaders
        self.sqliteSynchronous = sqliteSynchronous
        self.databasePoolSize = databasePoolSize
        self.databaseTimeout = databaseTimeout
        self.jobs = jobs
        self.webhooks = webhooks
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
        host = try reader.value(Settings.host)
        port = try reader.value(Settings.port)
        let databaseURL = try reader.value(Settings.databaseURL)
        do {
            database = try DatabaseLocation(databaseURL)
        } catch {
            throw Settings.databaseURL.invalid(error.description)
        }
        if let key = reader.value(Settings.encryptionKey) {
            encryption = .inline(base64: key)
        } else if let file = reader.value(Settings.encryptionKeyFile) {
            encryption = .file(path: file)
        }
        previousEncryptionKeys = try reader.value(Settings.previousEncryptionKeys)
            .split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        publicURL = try Self.url(reader, Settings.publicURL, trailingSlash: false).map(\.absoluteString)
        trustProxy = try reader.value(Settings.trustProxy)
        logLevel = try reader.value(Settings.logLevel)
        logFormat = try reader.value(Settings.logFormat)
        shutdownGrace = try reader.value(Settings.shutdownGrace)
        idempotencyTTL = try reader.value(Settings.idempotencyTTL)
        authCacheLifetime = try reader.value(Settings.authCacheLifetime)
        connectLinkLifetime = try reader.value(Settings.connectLinkLifetime)
        connectFrameOrigins = try reader.value(Settings.connectFrameAncestors).split(separator: " ").map(String.init)
        idleTimeout = try reader.value(Settings.idleTimeout)
        bodyTimeout = try reader.value(Settings.bodyTimeout)
        rateLimits = try RateLimitSettings(reader: reader)
        sqliteReaders = try reader.value(Settings.sqliteReaders)
        sqliteSynchronous = try reader.value(Settings.sqliteSynchronous)
        databasePoolSize = try reader.value(Settings.databasePoolSize)
        databaseTimeout = try reader.value(Settings.databaseTimeout)
        jobs.concurrency = try reader.value(Settings.jobsConcurrency)
        jobs.providerConcurrency = try reader.value(Settings.jobsProviderConcurrency) ?? JobSettings.defaultProviderConcurrency(jobs.concurrency)
        guard (1...jobs.concurrency).contains(jobs.providerConcurrency) else {
            throw Settings.jobsProviderConcurrency.invalid("must be between 1 and jobs.concurrency (\(jobs.concurrency))")
        }
        jobs.pollInterval = try reader.value(Settings.jobsPollInterval)
        jobs.leaseDuration = try reader.value(Settings.jobsLease)
        jobs.retry.maxAttempts = try reader.value(Settings.jobsMaxAttempts)
        jobs.retry.baseDelay = try reader.value(Settings.jobsRetryBase)
        webhooks.concurrency = try reader.value(Settings.webhooksConcurrency)
        webhooks.pollInterval = try reader.value(Settings.webhooksPollInterval)
        webhooks.timeout = try reader.value(Settings.webhooksTimeout)
        webhooks.leaseDuration = try reader.value(Settings.webhooksLease)
        guard webhooks.leaseDuration > webhooks.timeout else {
            throw Settings.webhooksLease.invalid("must be more than webhooks.timeout_seconds (\(webhooks.timeout))")
        }
        webhooks.retryBase = try reader.value(Settings.webhooksRetryBase)
        webhooks.retryPeriod = try reader.value(Settings.webhooksRetryPeriod)
        allowPrivateNetworks = try reader.value(Settings.allowPrivateNetworks)
        outboundTimeout = try reader.value(Settings.outboundTimeout)
        outboundResolveTimeout = try reader.value(Settings.outboundResolveTimeout)
        outboundResolveCache = try reader.value(Settings.outboundResolveCache)
        outboundResolveNegativeCache = try reader.value(Settings.outboundResolveNegativeCache)
        for type in connectorTypes {
            connectorBaseURLs[type] = try Self.url(reader, Settings.connectorBaseURL.of(type), trailingSlash: false)
        }
        for type in oauthTypes {
            let (idSetting, secretSetting) = (Settings.oauthClientID.of(type), Settings.oauthClientSecret.of(type))
            switch (reader.value(idSetting), reader.value(secretSetting)) {
            case (nil, nil):
                continue
            case (let id?, let secret?):
                var client = OAuthClient(clientID: id, clientSecret: secret, apiBaseURL: connectorBaseURLs[type])
                client.authorizeURL = try Self.url(reader, Settings.oauthAuthorizeURL.of(type))
                client.tokenURL = try Self.url(reader, Settings.oauthTokenURL.of(type))
                client.sandboxAuthorizeURL = try Self.url(reader, Settings.oauthSandboxAuthorizeURL.of(type))
                client.sandboxTokenURL = try Self.url(reader, Settings.oauthSandboxTokenURL.of(type))
                oauthClients[type] = client
            case (nil, _):
                throw idSetting.invalid("is missing (\(secretSetting.key) is set)")
            case (_, nil):
                throw secretSetting.invalid("is missing (\(idSetting.key) is set)")
            }
        }
    }

    /// The setting's absolute http(s) URL, nil when unset; `trailingSlash: false` drops one the value ends in.
    private static func url(_ reader: ConfigReader, _ setting: Setting<String?>, trailingSlash: Bool = true) throws(SettingsError) -> URL? {
        guard var value = reader.value(setting) else { return nil }
        if !trailingSlash, value.hasSuffix("/") { value.removeLast() }
        guard let components = URLComponents(string: value), ["http", "https"].contains(components.scheme), components.host?.isEmpty == false,
            let url = URL(string: value)
        else { throw setting.invalid("must be an absolute http or https URL") }
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

extension ServerSettings {
    /// `scheme://host[:port]` and nothing more, as CSP and postMessage name an origin.
    static func isOrigin(_ value: String) -> Bool {
        guard let components = URLComponents(string: value), let scheme = components.scheme, ["http", "https"].contains(scheme),
            components.host?.isEmpty == false, components.path.isEmpty, components.query == nil, components.fragment == nil,
            components.user == nil
        else { return false }
        return true
    }
}
