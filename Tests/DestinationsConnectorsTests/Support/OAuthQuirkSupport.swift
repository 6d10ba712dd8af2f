import DestinationsCore
import Foundation
import TestSupport

/// What the providers' OAuth quirk suites share: a client pointed at the fake, and a URL's query.
enum OAuthQuirkSupport {
    static func client(_ fake: FakeProvider, tokenPath: String = "/oauth/token") -> OAuthClient {
        OAuthClient(
            clientID: "client-id",
            clientSecret: "CANARY-client-secret-8d2e",
            tokenURL: fake.baseURL.appendingPathComponent(tokenPath),
            apiBaseURL: fake.baseURL
        )
    }

    static func query(_ url: URL) -> [String: String] {
        let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
    }
}
