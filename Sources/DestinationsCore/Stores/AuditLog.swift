/// The audit trail. Changes to destinations and tokens write their records in their own transactions
/// (see `DestinationStore` and `WorkspaceStore`); this appends the ones that accompany no other write.
public protocol AuditLog: Sendable {
    func record(_ records: [AuditRecord]) async throws

    /// A page of the scope's events, only the destination's when one is given (also once it is deleted).
    func page(_ scope: AuditScope, destination: DestinationID?, request: PageRequest) async throws -> Page<AuditEvent>
}
