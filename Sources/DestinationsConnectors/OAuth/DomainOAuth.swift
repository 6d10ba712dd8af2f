import DestinationsCore
import Foundation

/// A flow whose endpoints or scopes follow the authorisation's `domain` (Zoho's data centre, the Dynamics
/// 365 environment): the standard flow, built for that domain at each step.
struct DomainOAuth: OAuthProvider {
    let needsDomain = true
    let refreshes = true
    let flow: @Sendable (_ domain: String) throws -> StandardOAuth

    func consentURL(client: OAuthClient, redirectURI: String, state: String, extras: OAuthExtras) throws -> URL {
        try flow(extras.domain ?? "").consentURL(client: client, redirectURI: redirectURI, state: state, extras: extras)
    }

    func exchange(
        code: String,
        redirectURI: String,
        extras: OAuthExtras,
        client: OAuthClient,
        http: any ProviderHTTP,
        now: Date
    ) async throws -> OAuthTokens {
        try await flow(extras.domain ?? "").exchange(code: code, redirectURI: redirectURI, extras: extras, client: client, http: http, now: now)
    }

    func refresh(refreshToken: String, extras: OAuthExtras, client: OAuthClient, http: any ProviderHTTP, now: Date) async throws -> OAuthTokens {
        try await flow(extras.domain ?? "").refresh(refreshToken: refreshToken, extras: extras, client: client, http: http, now: now)
    }
}
