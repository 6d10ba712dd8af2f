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
        enabled = reader.bool(forKey: "rate_limit.enabled", default: enabled)
        token = try Self.limit(reader, "rate_limit", token)
        workspace = try Self.limit(reader, "rate_limit.workspace", workspace)
        provider = try Self.limit(reader, "rate_limit.provider", provider)
    }

    private static func limit(_ reader: ConfigReader, _ prefix: String, _ defaults: RateLimit) throws(SettingsError) -> RateLimit {
        // `rate_limit.requests_per_second` for tokens, `rate_limit.workspace_requests_per_second` ...
        let stem = prefix == "rate_limit" ? "rate_limit." : prefix + "_"
        let limit = RateLimit(
            perSecond: reader.double(forKey: ConfigKey(stem + "requests_per_second"), default: defaults.perSecond),
            burst: reader.double(forKey: ConfigKey(stem + "burst"), default: defaults.burst)
        )
        guard limit.perSecond > 0, limit.burst >= 1 else {
            throw .invalid(stem + "requests_per_second / " + stem + "burst", "must be positive (the burst at least 1)")
        }
        return limit
    }
}
