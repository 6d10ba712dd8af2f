import DestinationsAPI
import DestinationsContract
import DestinationsCore
import Foundation
import OpenAPIRuntime

/// The generated API's operations: translate wire to Core, call the use case, translate back.
struct DestinationsHandlers: APIProtocol {
    let destinations: DestinationService
    let refreshes: RefreshService
    let oauth: OAuthService

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(OpenAPIDocument.yaml))))
    }

    func listDestinations(_ input: Operations.ListDestinations.Input) async throws -> Operations.ListDestinations.Output {
        let principal = try RequestScope.principal()
        let request = try PageRequest(
            page: input.query.page,
            perPage: input.query.perPage,
            order: input.query.order.map { $0 == .asc ? .ascending : .descending }
        )
        let page = try await destinations.list(principal, request)
        let body = DestinationListEnvelope(
            page,
            path: "/api/v1/destinations",
            baseURL: RequestScope.current?.baseURL ?? "",
            item: Components.Schemas.Destination.init
        )
        return .ok(.init(body: .json(body)))
    }

    func createDestination(_ input: Operations.CreateDestination.Input) async throws -> Operations.CreateDestination.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let connection = body.serviceConnection
        let detail = try await destinations.create(
            principal,
            DestinationCreation(
                type: connection._type,
                topLevelType: body._type,
                name: connection.name,
                credentials: connection.credentials.additionalProperties.jsonObject
            )
        )
        return .created(.init(body: .json(.init(status: .created, data: .init(detail)))))
    }

    func getDestination(_ input: Operations.GetDestination.Input) async throws -> Operations.GetDestination.Output {
        let detail = try await destinations.get(try RequestScope.principal(), DestinationID(input.path.id))
        return .ok(.init(body: .json(.init(status: .success, data: .init(detail)))))
    }

    func updateDestination(_ input: Operations.UpdateDestination.Input) async throws -> Operations.UpdateDestination.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let connection = body.serviceConnection
        let detail = try await destinations.update(
            principal,
            DestinationID(input.path.id),
            DestinationChange(type: connection._type, name: connection.name, credentials: connection.credentials?.additionalProperties.jsonObject)
        )
        return .ok(.init(body: .json(.init(status: .updated, data: .init(detail)))))
    }

    func deleteDestination(_ input: Operations.DeleteDestination.Input) async throws -> Operations.DeleteDestination.Output {
        try await destinations.delete(try RequestScope.principal(), DestinationID(input.path.id))
        return .ok(.init(body: .json(.init(status: .deleted))))
    }

    func refreshObjects(_ input: Operations.RefreshObjects.Input) async throws -> Operations.RefreshObjects.Output {
        let key = try await refreshes.refresh(try RequestScope.principal(), DestinationID(input.path.id))
        return .ok(.init(body: .json(.init(refreshKey: key.rawValue))))
    }

    func refreshObjectsStatus(_ input: Operations.RefreshObjectsStatus.Input) async throws -> Operations.RefreshObjectsStatus.Output {
        let state = try await refreshes.status(try RequestScope.principal(), DestinationID(input.path.id), key: input.query.refreshKey)
        let body: Components.Schemas.RefreshStatus =
            switch state {
            case .processing: .init(status: .processing)
            case .completed: .init(status: .completed)
            case .failed(let message): .init(status: .failed, message: message)
            }
        return .ok(.init(body: .json(body)))
    }

    func getAuthorizeURL(_ input: Operations.GetAuthorizeURL.Input) async throws -> Operations.GetAuthorizeURL.Output {
        let query = input.query
        let url = try await oauth.authorizeURL(
            try RequestScope.principal(),
            type: query._type,
            redirectURI: query.redirectUri,
            domain: query.domain,
            state: query.state
        )
        return .ok(.init(body: .json(.init(status: .success, authorizeUrl: url.absoluteString))))
    }
}
