import DestinationsConnectors
import DestinationsCore
import DestinationsStorage
import Foundation
import Logging

/// The opened database and the use cases wired over it: what the HTTP server and the CLI commands share.
public struct ServerEnvironment: Sendable {
    public let settings: ServerSettings
    public let database: any Database
    public let destinations: DestinationService
    public let access: AccessService
    public let workspaces: WorkspaceService
    public let connectLinks: ConnectLinkService
    public let connectPage: ConnectPageService
    public let webhooks: WebhookService
    public let jobs: JobService
    public let oauth: OAuthService
    public let audit: AuditService
    public let logger: Logger
    /// What `GET /metrics` shows.
    public let metrics: ServerMetrics
    /// Seals and opens credentials with the configured keys.
    public let secretBox: any SecretBox
    let jobQueue: any JobQueue
    let idempotency: any IdempotencyStore
    let rateLimitBuckets: any RateLimitBuckets
    let jobRunner: JobRunner
    let tokenRefresher: TokenRefresher
    let wakeup: JobWakeup
    let jobOutcomes = JobOutcomes()
    let providerHTTP: AsyncHTTPProviderClient
    let webhookQueue: any WebhookDeliveryQueue
    /// Webhook deliveries' own connections and deadline, apart from the providers'.
    let webhookHTTP: AsyncHTTPProviderClient
    let clock: any WallClock

    /// Opens (creating if needed) the database, applies pending migrations and loads the encryption key.
    /// Call `close()` when done, unless the environment is handed to `buildApplication`, which closes it
    /// on shutdown.
    /// - Parameter resolver: how host names of outbound calls become addresses (tests put their own).
    public static func open(
        settings: ServerSettings,
        logger: Logger,
        clock: any WallClock = SystemClock(),
        resolver: any NameResolver = SystemNameResolver()
    ) async throws -> ServerEnvironment {
        if case .sqlite(let path) = settings.database {
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent()
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        }
        let encryptionKey = try EncryptionKeys.current(settings.encryption, database: settings.database)
        let secretBox = AESGCMSecretBox(
            current: encryptionKey,
            previous: try settings.previousEncryptionKeys.map { try EncryptionKey(base64: $0) }
        )
        let database = try await openDatabase(settings, logger: logger)
        do {
            let applied = try await Migrator(database: database, logger: logger).migrate()
            if !applied.isEmpty {
                logger.info("Applied database migrations", metadata: ["versions": "\(applied)"])
            }
        } catch {
            try? await database.close()
            throw error
        }
        let metrics = ServerMetrics()
        let store = SQLDestinationStore(database: database)
        let queue = SQLJobQueue(database: database)
        let wakeup = JobWakeup()
        let auditLog = SQLAuditLog(database: database)
        let auditRecorder = AuditRecorder(secretBox: secretBox, fingerprinter: SecretFingerprinter(encryptionKey: encryptionKey))
        let outboundGuard = OutboundGuard(
            allowPrivateNetworks: settings.allowPrivateNetworks,
            resolution: HostResolution(
                resolver: resolver,
                positiveLifetime: .milliseconds(Int64(settings.outboundResolveCache * 1000)),
                negativeLifetime: .milliseconds(Int64(settings.outboundResolveNegativeCache * 1000))
            ),
            patience: .milliseconds(Int64(settings.outboundResolveTimeout * 1000))
        )
        let providerHTTP: AsyncHTTPProviderClient
        do {
            providerHTTP = try await AsyncHTTPProviderClient.start(
                outboundGuard: outboundGuard,
                timeout: settings.outboundTimeout,
                connectionsPerHost: settings.jobs.providerConcurrency
            )
        } catch {
            try? await database.close()
            throw error
        }
        let webhookHTTP: AsyncHTTPProviderClient
        do {
            webhookHTTP = try await AsyncHTTPProviderClient.start(
                outboundGuard: outboundGuard,
                timeout: settings.webhooks.timeout,
                connectionsPerHost: max(1, settings.webhooks.concurrency)
            )
        } catch {
            try? await providerHTTP.shutdown()
            try? await database.close()
            throw error
        }
        let tokenRefresher = TokenRefresher(
            connectors: Catalog.registry,
            clients: settings.oauthClients,
            store: store,
            secretBox: secretBox,
            http: providerHTTP,
            telemetry: metrics,
            audit: auditRecorder,
            auditLog: auditLog,
            clock: clock
        )
        let oauth = OAuthService(
            connectors: Catalog.registry,
            clients: settings.oauthClients,
            pending: SQLPendingAuthorizationStore(database: database),
            signer: OAuthStateSigner(encryptionKey: encryptionKey),
            http: providerHTTP,
            clock: clock
        )
        let workspaceStore = SQLWorkspaceStore(database: database)
        let linkStore = SQLConnectLinkStore(database: database)
        let linkKeys = ConnectLinkKeys(encryptionKey: encryptionKey)
        let access = AccessService(store: workspaceStore, clock: clock, cacheLifetime: settings.authCacheLifetime)
        let destinations = DestinationService(
            store: store,
            connectors: Catalog.registry,
            secretBox: secretBox,
            oauth: oauth,
            jobs: queue,
            maxAttempts: settings.jobs.retry.maxAttempts,
            notifier: wakeup,
            hostPolicy: outboundGuard,
            audit: auditRecorder,
            calls: ProviderCalls(http: providerHTTP, baseURLOverrides: settings.connectorBaseURLs, telemetry: metrics),
            clock: clock
        )
        return ServerEnvironment(
            settings: settings,
            database: database,
            destinations: destinations,
            access: access,
            workspaces: WorkspaceService(store: workspaceStore, access: access, secretBox: secretBox, auditLog: auditLog, clock: clock),
            connectLinks: ConnectLinkService(
                store: linkStore,
                destinations: store,
                connectors: Catalog.registry,
                keys: linkKeys,
                lifetime: settings.connectLinkLifetime,
                clock: clock
            ),
            connectPage: ConnectPageService(
                links: linkStore,
                keys: linkKeys,
                destinations: destinations,
                oauth: oauth,
                connectors: Catalog.registry,
                clock: clock
            ),
            webhooks: WebhookService(
                store: SQLWebhookStore(database: database),
                secretBox: secretBox,
                hostPolicy: outboundGuard,
                allowPlainHTTP: settings.allowPrivateNetworks,
                clock: clock
            ),
            jobs: JobService(queue: queue, destinations: store, notifier: wakeup, maxAttempts: settings.jobs.retry.maxAttempts, clock: clock),
            oauth: oauth,
            audit: AuditService(log: auditLog),
            logger: logger,
            metrics: metrics,
            secretBox: secretBox,
            jobQueue: queue,
            idempotency: SQLIdempotencyStore(database: database),
            // One process counts in memory; instances sharing PostgreSQL count in it.
            rateLimitBuckets: database.isSharedAcrossInstances ? SQLRateLimitBuckets(database: database) : InMemoryRateLimitBuckets(),
            jobRunner: JobRunner(
                queue: queue,
                destinations: store,
                connectors: Catalog.registry,
                secretBox: secretBox,
                http: providerHTTP,
                tokens: tokenRefresher,
                baseURLOverrides: settings.connectorBaseURLs,
                retry: settings.jobs.retry,
                telemetry: metrics,
                clock: clock
            ),
            tokenRefresher: tokenRefresher,
            wakeup: wakeup,
            providerHTTP: providerHTTP,
            webhookQueue: SQLWebhookDeliveryQueue(database: database, retryPeriod: settings.webhooks.retryPeriod),
            webhookHTTP: webhookHTTP,
            clock: clock
        )
    }

    /// Closes the database and the outbound HTTP client.
    public func close() async throws {
        try await providerHTTP.shutdown()
        try await webhookHTTP.shutdown()
        try await database.close()
    }

    /// Where other instances share the database: hears them queue jobs and wakes this one's workers.
    var jobListener: (any JobListener)? {
        database.jobListener(notifier: wakeup, logger: logger)
    }

    /// The service that runs queued jobs, for the application's service group.
    var jobWorker: JobWorkerService {
        JobWorkerService(
            queue: jobQueue,
            runner: jobRunner,
            wakeup: wakeup,
            outcomes: jobOutcomes,
            settings: settings.jobs,
            clock: clock,
            logger: logger
        )
    }

    /// The service that sends webhook deliveries, for the application's service group.
    var webhookDeliverer: WebhookDeliveryService {
        WebhookDeliveryService(
            queue: webhookQueue,
            sender: WebhookSender(http: webhookHTTP, secretBox: secretBox, retry: settings.webhooks.retry, clock: clock),
            settings: settings.webhooks,
            metrics: metrics,
            clock: clock,
            logger: logger
        )
    }

    private static func openDatabase(_ settings: ServerSettings, logger: Logger) async throws -> any Database {
        switch settings.database {
        case .sqlite(let path):
            return try await SQLiteDatabase.open(
                path: path,
                readerCount: settings.sqliteReaders,
                synchronous: settings.sqliteSynchronous,
                logger: logger
            )
        case .postgres(let location):
            return PostgresDatabase(
                location: location,
                poolSize: settings.databasePoolSize,
                deadline: .milliseconds(Int64(settings.databaseTimeout * 1000)),
                logger: logger
            )
        }
    }
}

extension ServerEnvironment {
    public func schemaVersion() async throws -> Int {
        try await Migrator(database: database, logger: logger).currentVersion()
    }

    /// Why this instance should not take traffic (the database does not answer, or its schema is not the
    /// one this build knows), or nil when it may.
    func unreadiness() async -> String? {
        let migrator = Migrator(database: database, logger: logger)
        do {
            let current = try await migrator.currentVersion()
            return current == migrator.latestVersion ? nil : "database schema is at version \(current), this server needs \(migrator.latestVersion)"
        } catch is DatabaseUnavailable {
            return "database unreachable"
        } catch {
            return "database check failed"
        }
    }
}

extension ServerEnvironment: CustomStringConvertible, CustomDebugStringConvertible {
    // Holds keys and client secrets: never print its parts.
    public var description: String { "ServerEnvironment(\(settings.database))" }
    public var debugDescription: String { description }
}
