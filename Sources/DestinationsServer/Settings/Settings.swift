import DestinationsCore
import DestinationsStorage
import Foundation
import Logging

/// Every setting the server reads, in the order the README lists them. Flags win over environment
/// variables, which win over an optional JSON file (`--config-file` / `CONFIG_FILE`).
public enum Settings {
    public static let host = Setting("host", flag: "--host", "listen address", default: "127.0.0.1")
    public static let port = Setting("port", flag: "--port", "listen port", default: 8080, rule: .within(0...65_535))
    public static let databaseURL = Setting(
        "database.url",
        flag: "--database",
        "database (file path, `sqlite://` or `postgres://` URL)",
        default: DatabaseLocation.defaultPath
    )
    public static let databasePoolSize = Setting("database.pool_size", "PostgreSQL connections per instance", default: 10, rule: .within(2...500))
    public static let databaseTimeout = Setting(
        "database.timeout_seconds",
        "seconds a PostgreSQL call may take before the request answers 503",
        default: 5.0,
        rule: .positive
    )
    public static let encryptionKey = Setting<String?>("encryption.key", "credentials key, base64 of 32 bytes", default: nil, isSecret: true)
    public static let encryptionKeyFile = Setting<String?>(
        "encryption.key.file",
        flag: "--encryption-key-file",
        "file holding that key",
        default: nil,
        defaultNote: "SQLite: generated beside the database (`<database>.key`, mode 0600); PostgreSQL: required"
    )
    public static let previousEncryptionKeys = Setting(
        "encryption.previous_keys",
        "earlier keys, still accepted for reading (comma-separated base64)",
        default: "",
        defaultNote: "",
        isSecret: true
    )
    public static let publicURL = Setting<String?>(
        "public.url",
        "base of absolute links (`next`)",
        default: nil,
        defaultNote: "the request's `Host`"
    )
    public static let trustProxy = Setting("proxy.trusted", "trust `X-Forwarded-Proto`/`-Host` for links", default: false)
    public static let logLevel = Setting("log.level", "log level (`trace` ... `critical`)", default: Logger.Level.info)
    public static let logFormat = Setting("log.format", "log lines as `text` or `json`", default: LogFormat.text)
    public static let shutdownGrace = Setting(
        "shutdown.grace_seconds",
        "seconds to finish requests and hand back jobs on SIGTERM/SIGINT",
        default: 30.0,
        rule: .notNegative
    )
    public static let idempotencyTTL = Setting(
        "idempotency.ttl_seconds",
        "seconds an `Idempotency-Key`'s response is kept",
        default: 86_400.0,
        rule: .positive
    )
    public static let idleTimeout = Setting(
        "http.idle_timeout_seconds",
        "seconds a connection may take to deliver a request's headers (or stay idle between requests) before it is closed",
        default: 30.0,
        rule: .positive
    )
    public static let bodyTimeout = Setting(
        "http.body_timeout_seconds",
        "seconds a request body may take to arrive in full (408 after)",
        default: 30.0,
        rule: .positive
    )
    public static let authCacheLifetime = Setting(
        "auth.cache_seconds",
        "seconds a token that authenticated is trusted without reading it again (the longest a revocation by the CLI or another "
            + "instance takes to bite; 0 reads it every time)",
        default: 1.0,
        rule: .within(0...60)
    )
    public static let connectLinkLifetime = Setting(
        "connect_links.ttl_seconds",
        "seconds a connect link can be used after it is made",
        default: 86_400.0,
        rule: .positive
    )
    public static let connectFrameAncestors = Setting(
        "connect_links.frame_ancestors",
        "origins that may frame the connect page and receive its messages (space-separated, e.g. `https://app.example.com`)",
        default: "",
        defaultNote: "none",
        rule: Rule(problem: "must be origins like https://app.example.com, separated by spaces") { value in
            value.split(separator: " ").allSatisfy { ServerSettings.isOrigin(String($0)) }
        }
    )
    public static let rateLimitEnabled = Setting("rate_limit.enabled", "rate limiting on or off", default: RateLimitSettings().enabled)
    public static let tokenRate = rate("rate_limit.requests_per_second", "per token: requests a second", RateLimitSettings().token.perSecond)
    public static let tokenBurst = burst("rate_limit.burst", "per token: burst", RateLimitSettings().token.burst)
    public static let workspaceRate = rate(
        "rate_limit.workspace_requests_per_second",
        "per workspace: requests a second",
        RateLimitSettings().workspace.perSecond
    )
    public static let workspaceBurst = burst("rate_limit.workspace_burst", "per workspace: burst", RateLimitSettings().workspace.burst)
    public static let providerRate = rate(
        "rate_limit.provider_requests_per_second",
        "per workspace, requests that call providers (refresh_objects, refresh_fields, test): a second",
        RateLimitSettings().provider.perSecond
    )
    public static let providerBurst = burst(
        "rate_limit.provider_burst",
        "per workspace, requests that call providers: burst",
        RateLimitSettings().provider.burst
    )
    public static let sqliteReaders = Setting("sqlite.readers", "SQLite reader connections", default: 4, rule: .within(1...64))
    public static let sqliteSynchronous = Setting(
        "sqlite.synchronous",
        "SQLite `synchronous` (`normal` survives a killed process, `full` also power loss)",
        default: SQLiteSynchronous.normal
    )
    public static let jobsConcurrency = Setting(
        "jobs.concurrency",
        "jobs run at once by this process",
        default: JobSettings().concurrency,
        rule: .within(1...4096)
    )
    public static let jobsProviderConcurrency = Setting<Int?>(
        "jobs.provider_concurrency",
        "jobs of one destination type run at once by this process (at most `JOBS_CONCURRENCY`)",
        default: nil,
        defaultNote: "half of `JOBS_CONCURRENCY`"
    )
    public static let jobsPollInterval = Setting(
        "jobs.poll_interval",
        "seconds between an idle worker's looks at the queue",
        default: JobSettings().pollInterval,
        rule: .positive
    )
    public static let jobsLease = Setting(
        "jobs.lease_seconds",
        "seconds a claimed job stays claimed without a heartbeat",
        default: JobSettings().leaseDuration,
        rule: Rule(problem: "must be at least 3") { $0 >= 3 }
    )
    public static let jobsMaxAttempts = Setting("jobs.max_attempts", "attempts per job", default: JobSettings().retry.maxAttempts, rule: .positive)
    public static let jobsRetryBase = Setting(
        "jobs.retry_base_seconds",
        "seconds before a job's first retry (doubling for each next one)",
        default: JobSettings().retry.baseDelay,
        rule: .notNegative
    )
    public static let webhooksConcurrency = Setting(
        "webhooks.concurrency",
        "webhook deliveries sent at once by this process (0: leave them to other instances)",
        default: WebhookSettings().concurrency,
        rule: .within(0...4096)
    )
    public static let webhooksPollInterval = Setting(
        "webhooks.poll_interval",
        "seconds between idle delivery workers' looks for due deliveries",
        default: WebhookSettings().pollInterval,
        rule: .positive
    )
    public static let webhooksTimeout = Setting(
        "webhooks.timeout_seconds",
        "seconds a webhook receiver has to answer",
        default: WebhookSettings().timeout,
        rule: .positive
    )
    public static let webhooksLease = Setting(
        "webhooks.lease_seconds",
        "seconds a claimed delivery stays claimed; a dead worker's are sent again after it (more than the timeout)",
        default: WebhookSettings().leaseDuration,
        rule: .positive
    )
    public static let webhooksRetryBase = Setting(
        "webhooks.retry_base_seconds",
        "seconds before a delivery's first retry (doubling, with jitter, up to an hour)",
        default: WebhookSettings().retryBase,
        rule: .notNegative
    )
    public static let webhooksRetryPeriod = Setting(
        "webhooks.retry_period_seconds",
        "seconds after an event its delivery is retried before it is marked failed",
        default: WebhookSettings().retryPeriod,
        rule: .notNegative
    )
    public static let outboundTimeout = Setting("outbound.timeout_seconds", "seconds each provider call may take", default: 30.0, rule: .positive)
    public static let allowPrivateNetworks = Setting(
        "outbound.allow_private_networks",
        "let provider calls reach loopback/private/link-local addresses",
        default: false
    )
    public static let outboundResolveTimeout = Setting(
        "outbound.resolve_timeout_seconds",
        "seconds a create or update waits for a user-supplied host's name before accepting it unjudged (the egress judges it "
            + "again when it dials)",
        default: 1.0,
        rule: Rule(problem: "must be positive and at most 60") { $0 > 0 && $0 <= 60 }
    )
    public static let outboundResolveCache = Setting(
        "outbound.resolve_cache_seconds",
        "seconds a name's addresses are remembered",
        default: 30.0,
        rule: .within(0...3600)
    )
    public static let outboundResolveNegativeCache = Setting(
        "outbound.resolve_negative_cache_seconds",
        "seconds a name that does not exist is remembered",
        default: 5.0,
        rule: .within(0...3600)
    )
    /// Per destination type: `<type>` is the service name (`braze`, `google_sheets` ...).
    public static let connectorBaseURL = Setting<String?>(
        "connectors.<type>.base_url",
        "a provider's API base URL, e.g. a staging fake (`<type>` is the type: `braze`, `google_sheets` ...)",
        default: nil,
        defaultNote: "the provider's real address, or the destination's own `instance_url`"
    )
    public static let oauthClientID = Setting<String?>(
        "connectors.<type>.oauth.client_id",
        "a type's OAuth client id (with its secret)",
        default: nil,
        defaultNote: "none: OAuth off for the type"
    )
    public static let oauthClientSecret = Setting<String?>(
        "connectors.<type>.oauth.client_secret",
        "a type's OAuth client secret (with its id)",
        default: nil,
        defaultNote: "none: OAuth off for the type",
        isSecret: true
    )
    public static let oauthAuthorizeURL = oauthEndpoint("authorize_url")
    public static let oauthTokenURL = oauthEndpoint("token_url")
    public static let oauthSandboxAuthorizeURL = oauthEndpoint("sandbox_authorize_url")
    public static let oauthSandboxTokenURL = oauthEndpoint("sandbox_token_url")
    public static let configFile = Setting<String?>(
        "config.file",
        flag: "--config-file",
        "a JSON file of settings, keys nested by dots (`{\"database\": {\"url\": \"...\"}}`)",
        default: nil
    )

    /// In the README's order.
    public static let all: [any SettingDescription] =
        [
            host, port, databaseURL, databasePoolSize, databaseTimeout, encryptionKey, encryptionKeyFile, previousEncryptionKeys,
            publicURL, trustProxy, logLevel, logFormat, shutdownGrace, idempotencyTTL, idleTimeout, bodyTimeout, authCacheLifetime,
            connectLinkLifetime, connectFrameAncestors,
            rateLimitEnabled, tokenRate, tokenBurst, workspaceRate, workspaceBurst, providerRate, providerBurst, sqliteReaders,
            sqliteSynchronous, jobsConcurrency, jobsProviderConcurrency, jobsPollInterval, jobsLease, jobsMaxAttempts, jobsRetryBase,
            webhooksConcurrency, webhooksPollInterval, webhooksTimeout, webhooksLease, webhooksRetryBase, webhooksRetryPeriod,
            outboundTimeout, allowPrivateNetworks, outboundResolveTimeout, outboundResolveCache, outboundResolveNegativeCache,
            connectorBaseURL, oauthClientID, oauthClientSecret,
            oauthAuthorizeURL, oauthTokenURL, oauthSandboxAuthorizeURL, oauthSandboxTokenURL, configFile,
        ]

    /// The README's configuration table: `swift run destinations settings` prints it.
    public static var markdownTable: String {
        let rows = all.map { setting in
            let flag = setting.flag.map { "`\($0)`" } ?? ""
            return "| \(setting.summary) | \(flag) | `\(setting.environmentVariable)` | `\(setting.key)` | \(setting.defaultText) |"
        }
        return (["| setting | flag | environment | file key | default |", "|---|---|---|---|---|"] + rows).joined(separator: "\n")
    }

    private static func oauthEndpoint(_ name: String) -> Setting<String?> {
        Setting(
            "connectors.<type>.oauth.\(name)",
            "a type's OAuth \(name.replacingOccurrences(of: "_", with: " ")), e.g. a staging fake",
            default: nil,
            defaultNote: "the provider's"
        )
    }

    private static func rate(_ key: String, _ summary: String, _ value: Double) -> Setting<Double> {
        Setting(key, summary, default: value, rule: .positive)
    }

    private static func burst(_ key: String, _ summary: String, _ value: Double) -> Setting<Double> {
        Setting(key, summary, default: value, rule: Rule(problem: "must be at least 1") { $0 >= 1 })
    }
}
