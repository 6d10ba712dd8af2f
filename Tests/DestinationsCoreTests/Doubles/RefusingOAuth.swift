import DestinationsCore
import Foundation

/// A provider that accepts no code.
struct RefusingOAuth: OAuthCodeExchange {
    static let refusal = APIError.unprocessable("the provider refused the code")

    func exchange(
        code: String,
        state: String?,
        connector: ConnectorDeclaration,
        workspace: WorkspaceID,
        fields: [String: JSONValue]
    ) async throws -> OAuthGrant {
        throw Self.refusal
    }
}
