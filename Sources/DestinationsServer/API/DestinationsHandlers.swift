import DestinationsAPI
import DestinationsContract
import DestinationsCore
import Foundation
import HTTPTypes
import OpenAPIRuntime

/// The generated API's operations: translate wire to Core, call the use case, translate back. The
/// organisation API's are in WorkspacesHandlers.swift.
struct DestinationsHandlers: APIProtocol {
    let destinations: DestinationService
    let jobs: JobService
    let oauth: OAuthService
    let audit: AuditService
    let workspaces: WorkspaceService
    let connectLinks: ConnectLinkService
    let webhooks: WebhookService
    let connectors: ConnectorRegistry

    func getOpenAPIDocument(_ input: Operations.GetOpenAPIDocument.Input) async throws -> Operations.GetOpenAPIDocument.Output {
        .ok(.init(body: .yaml(HTTPBody(OpenAPIDocument.yaml))))
    }

    func listDestinations(_ input: Operations.ListDestinations.Input) async throws -> Operations.ListDestinations.Output {
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder))
        let page = try await destinations.list(try RequestScope.principal(), request)
        return .ok(.init(body: .json(.init(page, path: "/destinations", item: Components.Schemas.Destination.init))))
    }

    func createDestination(_ input: Operations.CreateDestination.Input) async throws -> Operations.CreateDestination.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let connection = body.serviceConnection
        let detail = try await destinations.create(
            principal,
            DestinationCreation(type: connection.type, topLevelType: body.type, name: connection.name, credentials: connection.credentials)
        )
        Self.setEntityTag(detail.destination)
        return .created(.init(body: .json(.init(status: .created, data: .init(detail)))))
    }

    func testDestinationConfiguration(
        _ input: Operations.TestDestinationConfiguration.Input
    ) async throws -> Operations.TestDestinationConfiguration.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let connection = body.serviceConnection
        let result = try await destinations.test(
            principal,
            DestinationCreation(type: connection.type, topLevelType: body.type, name: connection.name, credentials: connection.credentials)
        )
        let data = Components.Schemas.ConfigurationTested.DataPayload(
            testSucceeded: result.succeeded,
            steps: result.steps.map(Components.Schemas.TestStep.init),
            testedAt: result.testedAt
        )
        return .ok(.init(body: .json(.init(status: .success, data: data))))
    }

    func getDestination(_ input: Operations.GetDestination.Input) async throws -> Operations.GetDestination.Output {
        let detail = try await destinations.get(try RequestScope.principal(), DestinationID(input.path.id))
        Self.setEntityTag(detail.destination)
        if let held = EntityTagCondition(header: input.headers.ifNoneMatch), held.matchesWeakly(detail.destination.entityTag) {
            return .notModified(.init())
        }
        return .ok(.init(body: .json(.init(status: .success, data: .init(detail)))))
    }

    func updateDestination(_ input: Operations.UpdateDestination.Input) async throws -> Operations.UpdateDestination.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let connection = body.serviceConnection
        let detail = try await destinations.update(
            principal,
            DestinationID(input.path.id),
            DestinationChange(type: connection.type, name: connection.name, credentials: connection.credentials),
            ifMatch: EntityTagCondition(header: input.headers.ifMatch)
        )
        Self.setEntityTag(detail.destination)
        return .ok(.init(body: .json(.init(status: .updated, data: .init(detail)))))
    }

    func deleteDestination(_ input: Operations.DeleteDestination.Input) async throws -> Operations.DeleteDestination.Output {
        try await destinations.delete(
            try RequestScope.principal(),
            DestinationID(input.path.id),
            ifMatch: EntityTagCondition(header: input.headers.ifMatch)
        )
        return .ok(.init(body: .json(.init(status: .deleted))))
    }

    func refreshObjects(_ input: Operations.RefreshObjects.Input) async throws -> Operations.RefreshObjects.Output {
        let key = try await jobs.queue(.refreshObjects, try RequestScope.principal(), DestinationID(input.path.id))
        return .ok(.init(body: .json(.init(refreshKey: key.rawValue))))
    }

    func refreshObjectsStatus(_ input: Operations.RefreshObjectsStatus.Input) async throws -> Operations.RefreshObjectsStatus.Output {
        let id = DestinationID(input.path.id)
        let state = try await jobs.state(.refreshObjects, try RequestScope.principal(), id, key: input.query.refreshKey)
        return .ok(.init(body: .json(.init(state))))
    }

    func testDestination(_ input: Operations.TestDestination.Input) async throws -> Operations.TestDestination.Output {
        let key = try await jobs.queue(.connectionTest, try RequestScope.principal(), DestinationID(input.path.id))
        return .ok(.init(body: .json(.init(testKey: key.rawValue))))
    }

    func testDestinationStatus(_ input: Operations.TestDestinationStatus.Input) async throws -> Operations.TestDestinationStatus.Output {
        let id = DestinationID(input.path.id)
        let state = try await jobs.state(.connectionTest, try RequestScope.principal(), id, key: input.query.testKey)
        return .ok(.init(body: .json(.init(state))))
    }

    func listDestinationObjects(_ input: Operations.ListDestinationObjects.Input) async throws -> Operations.ListDestinationObjects.Output {
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder), defaultOrder: .ascending)
        let page = try await destinations.objects(try RequestScope.principal(), DestinationID(input.path.id), request)
        let path = "/destinations/\(input.path.id)/objects"
        return .ok(.init(body: .json(.init(page, path: path, item: Components.Schemas.DestinationObject.init))))
    }

    func getDestinationObject(_ input: Operations.GetDestinationObject.Input) async throws -> Operations.GetDestinationObject.Output {
        let principal = try RequestScope.principal()
        let (object, fields) = try await destinations.object(principal, DestinationID(input.path.id), fullName: input.path.fullName)
        return .ok(.init(body: .json(.init(status: .success, data: .init(object, fields: fields)))))
    }

    func refreshObjectFields(_ input: Operations.RefreshObjectFields.Input) async throws -> Operations.RefreshObjectFields.Output {
        let principal = try RequestScope.principal()
        let key = try await jobs.queue(.refreshFields, principal, DestinationID(input.path.id), object: input.path.fullName)
        return .ok(.init(body: .json(.init(refreshKey: key.rawValue))))
    }

    func refreshObjectFieldsStatus(_ input: Operations.RefreshObjectFieldsStatus.Input) async throws -> Operations.RefreshObjectFieldsStatus.Output {
        let path = input.path
        let state = try await jobs.state(
            .refreshFields,
            try RequestScope.principal(),
            DestinationID(path.id),
            key: input.query.refreshKey,
            object: path.fullName
        )
        return .ok(.init(body: .json(.init(state))))
    }

    func listConnectors(_ input: Operations.ListConnectors.Input) async throws -> Operations.ListConnectors.Output {
        // A workspace API in Census: an organisation token is refused here as on every other.
        _ = try RequestScope.principal()
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder), defaultOrder: .ascending)
        return .ok(.init(body: .json(.init(connectors.page(request), path: "/connectors", item: Components.Schemas.Connector.init))))
    }

    func getConnector(_ input: Operations.GetConnector.Input) async throws -> Operations.GetConnector.Output {
        _ = try RequestScope.principal()
        let declaration = try connectors.declaration(serviceName: input.path.serviceName)
        return .ok(.init(body: .json(.init(status: .success, data: .init(declaration)))))
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

    func listAuditEvents(_ input: Operations.ListAuditEvents.Input) async throws -> Operations.ListAuditEvents.Output {
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder))
        let page = try await audit.list(try RequestScope.caller(), destination: query.destinationId.map(DestinationID.init), request)
        let filters = query.destinationId.map { [("destination_id", String($0))] } ?? []
        return .ok(.init(body: .json(.init(page, path: "/audit_events", filters: filters, item: AuditEventPayload.init))))
    }

    /// The generated layer would percent-encode the tag's quotes: it goes out through the request scope.
    private static func setEntityTag(_ destination: Destination) {
        RequestScope.current?.responseHeaders.set(.eTag, destination.entityTag)
    }
}
