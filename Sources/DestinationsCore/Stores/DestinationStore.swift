/// Where destinations live. Every call is scoped to a workspace: another workspace's destination is
/// indistinguishable from a missing one.
public protocol DestinationStore: Sendable {
    func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<Destination>

    func detail(workspace: WorkspaceID, id: DestinationID) async throws -> DestinationDetail?

    /// The destination with its sealed secrets, for calls to its service.
    func stored(workspace: WorkspaceID, id: DestinationID) async throws -> StoredDestination?

    /// Inserts the destination, its objects, its first jobs and its audit records in one transaction.
    func insert(_ new: NewDestination) async throws -> DestinationDetail

    /// Reads the stored destination, lets `change` compute its next state, and writes that, all in one
    /// transaction, so concurrent updates cannot lose each other's changes. A throwing `change` writes
    /// nothing. When the next state differs, `audit` (given the states before and after) says what to
    /// record, in the same transaction. Nil when there is no such destination in the workspace.
    /// With `link`, the connect link is used up in the same transaction (409 when it no longer can be).
    func update(
        workspace: WorkspaceID,
        id: DestinationID,
        using link: ConnectLinkID?,
        audit: @escaping @Sendable (_ before: StoredDestination, _ after: StoredDestination) throws -> [AuditRecord],
        change: @escaping @Sendable (StoredDestination) throws -> StoredDestination
    ) async throws -> DestinationDetail?

    /// A page of the destination's objects, in their discovery order; nil when the workspace has no such
    /// destination.
    func objects(workspace: WorkspaceID, id: DestinationID, request: PageRequest) async throws -> Page<DestinationObject>?

    /// One object of the destination, with its fields (empty until they are refreshed).
    func object(workspace: WorkspaceID, id: DestinationID, fullName: String) async throws -> (DestinationObject, [ObjectField])?

    /// Deletes the destination and everything that belongs to it, if it is still at `revision` when one
    /// is given, recording `audit` with it; false when there was none (or it has moved on).
    func delete(workspace: WorkspaceID, id: DestinationID, revision: Int64?, audit: AuditRecord) async throws -> Bool
}

extension DestinationStore {
    public func update(
        workspace: WorkspaceID,
        id: DestinationID,
        audit: @escaping @Sendable (_ before: StoredDestination, _ after: StoredDestination) throws -> [AuditRecord],
        change: @escaping @Sendable (StoredDestination) throws -> StoredDestination
    ) async throws -> DestinationDetail? {
        try await update(workspace: workspace, id: id, using: nil, audit: audit, change: change)
    }
}
