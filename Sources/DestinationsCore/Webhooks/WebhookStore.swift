import Foundation

/// Webhooks and their delivery log, a workspace's only.
public protocol WebhookStore: Sendable {
    func insert(_ draft: WebhookDraft, secret: SealedSecret, workspace: WorkspaceID, now: Date) async throws -> Webhook
    func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<Webhook>
    func webhook(_ id: WebhookID, workspace: WorkspaceID) async throws -> Webhook?
    /// Applies `change` under the webhook's row lock; nil when the workspace has no such webhook.
    func update(
        _ id: WebhookID,
        workspace: WorkspaceID,
        now: Date,
        change: @escaping @Sendable (WebhookDraft) throws -> WebhookDraft
    ) async throws -> Webhook?
    /// Seals a new secret; the current one keeps signing until `previousUntil`.
    func rotate(_ id: WebhookID, workspace: WorkspaceID, secret: SealedSecret, previousUntil: Date, now: Date) async throws -> Webhook?
    /// Deletes the webhook with its delivery log; its pending deliveries are dropped.
    func delete(_ id: WebhookID, workspace: WorkspaceID) async throws -> Bool
    func deliveries(of id: WebhookID, workspace: WorkspaceID, request: PageRequest) async throws -> Page<WebhookDelivery>?
    /// Queues the delivery's event again, as a new delivery due now (retried for a period of its own); nil
    /// when the webhook has no such delivery.
    func redeliver(_ id: WebhookDeliveryID, of webhook: WebhookID, workspace: WorkspaceID, now: Date) async throws -> WebhookDelivery?
}

/// The deliveries waiting to be sent, claimed with leases as jobs are: one worker sends a delivery at a
/// time, and a dead worker's deliveries are sent again once their lease expires (at least once).
public protocol WebhookDeliveryQueue: Sendable {
    func claim(worker: String, now: Date, leaseUntil: Date, limit: Int) async throws -> [WebhookDeliveryLease]
    /// Records the attempt and where it leaves the delivery, if the lease is still held.
    func finish(_ lease: WebhookDeliveryLease, attempt: WebhookAttempt, outcome: WebhookAttemptOutcome) async throws -> Bool
    /// Gives a delivery back unattempted (shutdown): due again at once.
    func release(_ lease: WebhookDeliveryLease, now: Date) async throws
    /// Puts deliveries whose worker stopped back in the queue; returns how many.
    func requeueExpired(now: Date) async throws -> Int
    /// Deletes deliveries that finished before `cutoff`, with their attempts, and the events no delivery
    /// needs any more; returns how many deliveries went.
    func purgeFinished(before cutoff: Date) async throws -> Int
    /// How long the oldest due delivery has waited, in seconds (0 when none waits), and how many wait.
    func backlog(now: Date) async throws -> (oldestAge: Double, due: Int)
}
