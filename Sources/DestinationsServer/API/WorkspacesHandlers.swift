import DestinationsAPI
import DestinationsCore
import Foundation

/// The organisation API over workspaces, and `GET /workspace` for a workspace token.
extension DestinationsHandlers {
    func listWorkspaces(_ input: Operations.ListWorkspaces.Input) async throws -> Operations.ListWorkspaces.Output {
        let caller = try RequestScope.organization()
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder))
        let page = try await workspaces.list(caller, request)
        return .ok(.init(body: .json(.init(page, path: "/workspaces", item: { Components.Schemas.Workspace($0) }))))
    }

    func createWorkspace(_ input: Operations.CreateWorkspace.Input) async throws -> Operations.CreateWorkspace.Output {
        let caller = try RequestScope.organization()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let workspace = try await workspaces.create(caller, name: body.name, notificationEmails: body.notificationEmails)
        let apiKey = body.returnWorkspaceApiKey == true ? try await workspaces.apiKey(caller, workspace.id) : nil
        return .created(.init(body: .json(.init(status: .success, data: .init(workspace, apiKey: apiKey)))))
    }

    func getWorkspace(_ input: Operations.GetWorkspace.Input) async throws -> Operations.GetWorkspace.Output {
        let caller = try RequestScope.organization()
        let id = WorkspaceID(input.path.workspaceId)
        let workspace = try await workspaces.get(caller, id)
        let apiKey = input.query.returnWorkspaceApiKey == true ? try await workspaces.apiKey(caller, id) : nil
        return .ok(.init(body: .json(.init(status: .success, data: .init(workspace, apiKey: apiKey)))))
    }

    func updateWorkspace(_ input: Operations.UpdateWorkspace.Input) async throws -> Operations.UpdateWorkspace.Output {
        let caller = try RequestScope.organization()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let change = WorkspaceChange(name: body.name, notificationEmails: body.notificationEmails)
        let workspace = try await workspaces.update(caller, WorkspaceID(input.path.workspaceId), change)
        return .ok(.init(body: .json(.init(status: .updated, data: .init(workspace)))))
    }

    func deleteWorkspace(_ input: Operations.DeleteWorkspace.Input) async throws -> Operations.DeleteWorkspace.Output {
        _ = try await workspaces.delete(try RequestScope.organization(), WorkspaceID(input.path.workspaceId))
        return .ok(.init(body: .json(.init(status: .deleted))))
    }

    func getWorkspaceAPIKey(_ input: Operations.GetWorkspaceAPIKey.Input) async throws -> Operations.GetWorkspaceAPIKey.Output {
        let key = try await workspaces.apiKey(try RequestScope.organization(), WorkspaceID(input.path.workspaceId))
        return .ok(.init(body: .json(.init(apiKey: key))))
    }

    func getCurrentWorkspace(_ input: Operations.GetCurrentWorkspace.Input) async throws -> Operations.GetCurrentWorkspace.Output {
        let workspace = try await workspaces.current(try RequestScope.principal())
        return .ok(.init(body: .json(.init(status: .success, data: .init(workspace)))))
    }
}
