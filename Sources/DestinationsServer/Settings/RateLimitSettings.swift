import Configuration
import DestinationsCore

/// The limits on API use: per token, per workspace (all its tokens together), and a lower one on
/// requests that make the server call providers (refresh_objects, refresh_fields, test).
public struct RateLimitSettings: Sendable, Hashable {
    public var enabled: Bool
    public var token: RateLimit
    public var workspace: RateLimit
    public var provider: RateLimit

    public init(
        enabled: Bool = true,
        token: RateLimit = RateLimit(perSecond: 100, burst: 200),
        workspace: RateLimit = RateLimit(perSecond: 200, burst: 400),
        provider: RateLimit = RateLimit(perSecond: 5, burst: 20)
    ) {
        self.enabled = enabled
        self.token = token
        self.workspace = workspace
        self.provider = provider
    }

    init(reader: ConfigReader) throws(SettingsError) {
        self.init()
        enabled = try reader.value(Settings.rateLimitEnabled)
        token = RateLimit(perSecond: try reader.value(Settings.tokenRate), burst: try reader.value(Settings.tokenBurst))
        workspace = RateLimit(perSecond: try reader.value(Settings.workspaceRate), burst: try reader.value(Settings.workspaceBurst))
        provider = RateLimit(perSecond: try reader.value(Settings.providerRate), burst: try reader.value(Settings.providerBurst))
    }
}
