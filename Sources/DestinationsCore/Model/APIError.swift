/// A failure the client can act on, with the HTTP status it maps to and a message that names the field.
/// Messages never carry a secret value: they name fields, never echo what was sent in them.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        case badRequest
        case unauthorized
        case forbidden
        case notFound
        case gone
        case requestTimeout
        case conflict
        case payloadTooLarge
        case unsupportedMediaType
        case unprocessable
        case preconditionFailed
        case tooManyRequests
        case serviceUnavailable
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    public static func badRequest(_ message: String) -> APIError { APIError(.badRequest, message) }
    public static func unprocessable(_ message: String) -> APIError { APIError(.unprocessable, message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, message) }
    public static let unauthorized = APIError(
        .unauthorized,
        "Missing or invalid API token: send 'Authorization: Bearer <token>'"
    )
    public static let organizationTokenOnWorkspaceAPI = APIError(
        .forbidden,
        "An organization token reaches only /api/v1/workspaces: use the workspace's API key "
            + "(GET /api/v1/workspaces/{id}/api_key) for this endpoint"
    )
    public static let workspaceTokenOnOrganizationAPI = APIError(
        .forbidden,
        "This endpoint belongs to the organization API: send an organization token, not a workspace API key"
    )
    public static let workspaceNotFound = APIError(.notFound, "Workspace not found")
    public static let connectLinkNotFound = APIError(.notFound, "Connect link not found")
    public static let destinationNotFound = APIError(.notFound, "Destination not found")
    public static let webhookNotFound = APIError(.notFound, "Webhook not found")
    public static let webhookDeliveryNotFound = APIError(.notFound, "Webhook delivery not found")
    public static let staleDestination = APIError(
        .preconditionFailed,
        "The destination changed since the ETag in If-Match was read: GET it again and retry with its new ETag"
    )
}
