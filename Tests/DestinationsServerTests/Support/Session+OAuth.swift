import DestinationsCore
import Foundation
import HTTPTypes
import HummingbirdTesting
import TestSupport

/// The OAuth flow as a Census client drives it, against a fake provider.
extension Session {
    static let oauthRedirect = "https://app.example.com/oauth/callback"

    /// authorize_url with `query`; answers the consent URL's query items, and its path as `_path`.
    func authorizeURL(_ query: String) async throws -> [String: String] {
        let response = try await request(.get, "/api/v1/destinations/authorize_url?\(query)")
        let json = try response.json()
        guard response.status == .ok, json["status"].string == "success", let url = json["authorize_url"].string,
            let components = URLComponents(string: url)
        else { throw TestFailure("authorize_url answered \(response.status): \(String(buffer: response.body))") }
        var items = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        items["_path"] = components.path
        return items
    }

    /// authorize_url for `type` (`query` adds to it, e.g. `&domain=acme`), the user's consent at the fake
    /// provider, and the create with the code it gave and `credentials` beside it.
    func connectOAuth(
        _ type: String,
        _ oauth: FakeOAuth,
        query: String = "",
        credentials: [String: JSONValue] = [:],
        headers: HTTPFields? = nil
    ) async throws -> OAuthConnection {
        let consent = try await authorizeURL("type=\(type)\(query)&redirect_uri=\(Self.percentEncoded(Self.oauthRedirect))")
        let code = await oauth.consent(redirectURI: Self.oauthRedirect)
        let created = try await create(type: type, credentials: credentials.merging(["oauth_code": "\(code)"]) { $1 }, headers: headers)
        return OAuthConnection(consent: consent, code: code, created: created)
    }

    static func percentEncoded(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
    }
}

struct OAuthConnection {
    /// The consent URL's query, its path as `_path`.
    let consent: [String: String]
    let code: String
    let created: TestResponse

    /// The created destination's id; fails the test on anything but 201.
    func id() throws -> Int64 {
        try created.createdID()
    }
}
