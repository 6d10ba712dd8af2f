/// Reading the audit trail, without HTTP: a workspace token sees its own workspace's events only, an
/// organisation token its organisation's.
public struct AuditService: Sendable {
    private let log: any AuditLog

    public init(log: any AuditLog) {
        self.log = log
    }

    public func list(_ caller: Caller, destination: DestinationID?, _ request: PageRequest) async throws -> Page<AuditEvent> {
        let scope: AuditScope =
            switch caller {
            case .workspace(let principal): .workspace(principal.workspaceID)
            case .organization(let principal): .organization(principal.organizationID)
            }
        return try await log.page(scope, destination: destination, request: request)
    }
}
