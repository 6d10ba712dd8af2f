/// Reading the audit trail, without HTTP: a token sees its own workspace's events only.
public struct AuditService: Sendable {
    private let log: any AuditLog

    public init(log: any AuditLog) {
        self.log = log
    }

    public func list(_ principal: Principal, destination: DestinationID?, _ request: PageRequest) async throws -> Page<AuditEvent> {
        try await log.page(workspace: principal.workspaceID, destination: destination, request: request)
    }
}
