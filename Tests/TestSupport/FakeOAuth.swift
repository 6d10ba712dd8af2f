import Foundation

/// A provider's OAuth side: a token endpoint that issues single-use codes, expiring access tokens and
/// (optionally rotating) refresh tokens, and checks the client's authentication the way the provider
/// wants it.
public final class FakeOAuth: Sendable {
    public enum ClientAuthentication: Sendable {
        case formBody
        case basic
        case jsonBody
    }

    public struct Settings: Sendable {
        public var clientID = "client-id"
        public var clientSecret = "CANARY-client-secret-8d2e"
        public var tokenPath = "/oauth/token"
        public var authentication = ClientAuthentication.formBody
        public var expiresIn: Int? = 1800
        public var issuesRefreshTokens = true
        public var rotatesRefreshTokens = false
        /// The name of the access token in the answer (Intercom: `token`).
        public var accessTokenKey = "access_token"
        /// More fields of the token answer (Salesforce's `instance_url`).
        public var extraFields: [String: String] = [:]

        public init() {}

        public static func with(_ configure: (inout Settings) -> Void) -> Settings {
            var settings = Settings()
            configure(&settings)
            return settings
        }
    }

    public struct Grant: Sendable, Equatable {
        public let accessToken: String
        public let refreshToken: String?
    }

    private let fake: FakeProvider
    public let settings: Settings
    private let state = State()

    public init(_ fake: FakeProvider, _ settings: Settings = Settings()) {
        self.fake = fake
        self.settings = settings
        let state = self.state
        let settings = self.settings
        fake.on("POST", settings.tokenPath) { call in
            await state.answer(call, settings)
        }
    }

    /// What the user's consent produces: a code for the redirect URI, to be used once.
    public func consent(redirectURI: String) async -> String {
        await state.issueCode(redirectURI: redirectURI)
    }

    public func revoke(refreshToken: String) async {
        await state.revoke(refreshToken)
    }

    /// Every access token issued so far, in order.
    public var accessTokens: [String] {
        get async { await state.accessTokens }
    }

    public var refreshGrants: Int {
        get async { await state.refreshGrants }
    }

    public func isLive(accessToken: String) async -> Bool {
        await state.accessTokens.last == accessToken
    }

    actor State {
        private var codes: [String: String] = [:]
        private var refreshTokens: Set<String> = []
        private(set) var accessTokens: [String] = []
        private(set) var refreshGrants = 0
        private var counter = 0

        func issueCode(redirectURI: String) -> String {
            counter += 1
            let code = "code-\(counter)"
            codes[code] = redirectURI
            return code
        }

        func revoke(_ token: String) {
            refreshTokens.remove(token)
        }

        func answer(_ call: FakeProvider.Call, _ settings: Settings) -> FakeProvider.Reply {
            let fields: [String: String]
            if settings.authentication == .jsonBody {
                let object = (try? JSONSerialization.jsonObject(with: call.body)) as? [String: Any] ?? [:]
                fields = object.compactMapValues { $0 as? String }
            } else {
                fields = call.form
            }
            let authenticated: Bool =
                switch settings.authentication {
                case .formBody, .jsonBody:
                    fields["client_id"] == settings.clientID && fields["client_secret"] == settings.clientSecret
                case .basic:
                    call.header("authorization") == "Basic " + Data("\(settings.clientID):\(settings.clientSecret)".utf8).base64EncodedString()
                        && fields["client_secret"] == nil
                }
            guard authenticated else {
                return .json(#"{"error": "invalid_client", "error_description": "Client authentication failed"}"#, status: 401)
            }
            switch fields["grant_type"] {
            case "authorization_code":
                guard let code = fields["code"], let redirect = codes.removeValue(forKey: code) else {
                    return .json(
                        #"{"error": "invalid_grant", "error_description": "The authorization code is invalid or was already used"}"#,
                        status: 400
                    )
                }
                guard redirect == fields["redirect_uri"] else {
                    return .json(
                        #"{"error": "invalid_grant", "error_description": "redirect_uri does not match the one used for consent"}"#,
                        status: 400
                    )
                }
                return grant(settings, refreshing: false)
            case "refresh_token":
                guard let token = fields["refresh_token"], refreshTokens.contains(token) else {
                    return .json(#"{"error": "invalid_grant", "error_description": "The refresh token is invalid or was revoked"}"#, status: 400)
                }
                refreshGrants += 1
                if settings.rotatesRefreshTokens { refreshTokens.remove(token) }
                return grant(settings, refreshing: true)
            default:
                return .json(#"{"error": "unsupported_grant_type"}"#, status: 400)
            }
        }

        private func grant(_ settings: Settings, refreshing: Bool) -> FakeProvider.Reply {
            counter += 1
            let access = "CANARY-access-token-\(counter)"
            accessTokens.append(access)
            var answer: [String: Any] = [settings.accessTokenKey: access, "token_type": "bearer"]
            if let expiresIn = settings.expiresIn { answer["expires_in"] = expiresIn }
            if settings.issuesRefreshTokens && (!refreshing || settings.rotatesRefreshTokens) {
                let refresh = "CANARY-refresh-token-\(counter)"
                refreshTokens.insert(refresh)
                answer["refresh_token"] = refresh
            }
            for (key, value) in settings.extraFields { answer[key] = value }
            let body = (try? JSONSerialization.data(withJSONObject: answer)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
            return .json(body)
        }
    }
}
