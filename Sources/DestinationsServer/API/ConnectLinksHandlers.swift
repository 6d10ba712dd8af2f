import DestinationsAPI
import DestinationsCore
import Foundation

/// Census's destination connect links.
extension DestinationsHandlers {
    func listConnectLinks(_ input: Operations.ListConnectLinks.Input) async throws -> Operations.ListConnectLinks.Output {
        let principal = try RequestScope.principal()
        let query = input.query
        let request = try PageRequest(page: query.page, perPage: query.perPage, order: query.order.map(\.sortOrder))
        let page = try await connectLinks.list(principal, request)
        let now = connectLinks.now()
        return .ok(.init(body: .json(.init(page, path: "/destination_connect_links", item: { payload($0, now: now) }))))
    }

    func createConnectLink(_ input: Operations.CreateConnectLink.Input) async throws -> Operations.CreateConnectLink.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let link = try await connectLinks.create(principal, type: body._type, redirectURI: body.redirectUri)
        return .created(.init(body: .json(.init(status: .created, data: payload(link, now: connectLinks.now())))))
    }

    func getConnectLink(_ input: Operations.GetConnectLink.Input) async throws -> Operations.GetConnectLink.Output {
        let link = try await connectLinks.get(try RequestScope.principal(), ConnectLinkID(input.path.connectLinkId))
        return .ok(.init(body: .json(.init(status: .success, data: payload(link, now: connectLinks.now())))))
    }

    func revokeConnectLink(_ input: Operations.RevokeConnectLink.Input) async throws -> Operations.RevokeConnectLink.Output {
        let link = try await connectLinks.revoke(try RequestScope.principal(), ConnectLinkID(input.path.connectLinkId))
        return .ok(.init(body: .json(.init(status: .success, data: payload(link, now: connectLinks.now())))))
    }

    func createReauthorizationLink(
        _ input: Operations.CreateReauthorizationLink.Input
    ) async throws -> Operations.CreateReauthorizationLink.Output {
        let principal = try RequestScope.principal()
        guard case .json(let body) = input.body else { throw APIError.badRequest("The request body must be JSON") }
        let link = try await connectLinks.reauthorize(principal, DestinationID(input.path.id), redirectURI: body.redirectUri)
        return .created(.init(body: .json(.init(status: .created, data: payload(link, now: connectLinks.now())))))
    }

    /// The link as Census shows it, its `uri` on this server's public base.
    private func payload(_ link: ConnectLink, now: Date) -> ConnectLinkPayload {
        let baseURL = RequestScope.current?.baseURL ?? ""
        return ConnectLinkPayload(
            id: link.id.rawValue,
            type: link.type,
            expiration: link.expiresAt,
            expired: link.isExpired(at: now),
            revoked: link.revokedAt != nil,
            uri: "\(baseURL)/connect/\(connectLinks.key(of: link))",
            redirectUri: link.redirectURI,
            destinationId: link.destinationID?.rawValue
        )
    }
}
