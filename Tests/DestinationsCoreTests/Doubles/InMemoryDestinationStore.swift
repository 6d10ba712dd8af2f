import DestinationsCore
import Foundation

/// A DestinationStore in memory, faithful to the protocol's contract (workspace scoping, atomic update).
actor InMemoryDestinationStore: DestinationStore {
    private var rows: [DestinationID: (StoredDestination, [DestinationObject])] = [:]
    private var queuedWithInsert: [DestinationID: [NewJob]] = [:]
    private var nextID: Int64 = 1
    private(set) var audit: [AuditRecord] = []

    func initialJobs(_ id: DestinationID) -> [NewJob]? { queuedWithInsert[id] }

    func stored(workspace: WorkspaceID, id: DestinationID) async throws -> StoredDestination? {
        guard let (stored, _) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        return stored
    }

    var count: Int { rows.count }

    func stored(_ id: DestinationID) -> StoredDestination? { rows[id]?.0 }

    func page(workspace: WorkspaceID, request: PageRequest) async throws -> Page<Destination> {
        let all = rows.values.map(\.0.destination).filter { $0.workspaceID == workspace }.sorted { $0.id < $1.id }
        let ordered = request.order == .ascending ? all : all.reversed()
        guard let offset = request.offset(whenTotalIs: Int64(all.count)) else {
            return Page(items: [], request: request, totalRecords: Int64(all.count))
        }
        return Page(items: Array(ordered.dropFirst(Int(offset)).prefix(Int(request.perPage))), request: request, totalRecords: Int64(all.count))
    }

    func detail(workspace: WorkspaceID, id: DestinationID) async throws -> DestinationDetail? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        return DestinationDetail(destination: stored.destination, objects: objects)
    }

    func insert(_ new: NewDestination) async throws -> DestinationDetail {
        let id = DestinationID(nextID)
        nextID += 1
        let destination = Destination(
            id: id,
            workspaceID: new.workspaceID,
            type: new.type,
            name: new.name,
            connectionDetails: new.connectionDetails,
            createdAt: new.now,
            updatedAt: new.now
        )
        rows[id] = (StoredDestination(destination: destination, secrets: new.secrets), new.objects)
        queuedWithInsert[id] = new.initialJobs
        audit += new.audit.map {
            var record = $0
            record.destinationID = id
            return record
        }
        return DestinationDetail(destination: destination, objects: new.objects)
    }

    func update(
        workspace: WorkspaceID,
        id: DestinationID,
        using link: ConnectLinkID?,
        audit: @escaping @Sendable (StoredDestination, StoredDestination) throws -> [AuditRecord],
        change: @escaping @Sendable (StoredDestination) throws -> StoredDestination
    ) async throws -> DestinationDetail? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        var next = try change(stored)
        if next != stored {
            next.destination.revision += 1
            self.audit += try audit(stored, next)
        }
        rows[id] = (next, objects)
        return DestinationDetail(destination: next.destination, objects: objects)
    }

    func objects(workspace: WorkspaceID, id: DestinationID, request: PageRequest) async throws -> Page<DestinationObject>? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace else { return nil }
        let ordered = request.order == .ascending ? objects : objects.reversed()
        let items = request.offset(whenTotalIs: Int64(objects.count)).map { Array(ordered.dropFirst(Int($0)).prefix(Int(request.perPage))) }
        return Page(items: items ?? [], request: request, totalRecords: Int64(objects.count))
    }

    /// Fields are a job's result, which this store never receives: every object has none.
    func object(workspace: WorkspaceID, id: DestinationID, fullName: String) async throws -> (DestinationObject, [ObjectField])? {
        guard let (stored, objects) = rows[id], stored.destination.workspaceID == workspace,
            let object = objects.first(where: { $0.fullName == fullName })
        else { return nil }
        return (object, [])
    }

    func delete(workspace: WorkspaceID, id: DestinationID, revision: Int64?, audit record: AuditRecord) async throws -> Bool {
        guard let (stored, _) = rows[id], stored.destination.workspaceID == workspace, revision.map({ $0 == stored.destination.revision }) ?? true
        else {
            return false
        }
        rows[id] = nil
        audit.append(record)
        return true
    }
}
