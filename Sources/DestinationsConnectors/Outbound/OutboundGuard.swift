import DestinationsCore
import Foundation

/// Keeps calls to hosts that come from users (an `instance_url`, a Zendesk subdomain) out of our own
/// network: loopback, private, shared, link-local (cloud metadata lives there), unspecified, multicast and
/// reserved addresses. `allowPrivateNetworks` (`OUTBOUND_ALLOW_PRIVATE_NETWORKS=true`) lifts it, for tests
/// and for on-premises providers.
///
/// It acts twice. When credentials are given (create, update), it refuses what it can tell without the
/// network (addresses written out, `localhost`, local and single-label names) and a name that resolves
/// inside within `patience`; a name that does not resolve in time is accepted there, because the rule is
/// enforced where it matters: the egress resolves once when it dials, refuses an internal address, and
/// connects to the very address it checked, so a name whose answer changes in between (DNS rebinding)
/// gains nothing.
public struct OutboundGuard: HostPolicy {
    public let allowPrivateNetworks: Bool
    let resolution: HostResolution
    /// How long a request waits for a name before it accepts it unjudged.
    let patience: Duration

    public init(allowPrivateNetworks: Bool, resolution: HostResolution, patience: Duration) {
        self.allowPrivateNetworks = allowPrivateNetworks
        self.resolution = resolution
        self.patience = patience
    }

    /// Suffixes of names that only mean something inside a network: RFC 6761's and 6762's, ICANN's
    /// private-use `.internal` (Google's metadata server is `metadata.google.internal`), RFC 8375's home
    /// networks, and Kubernetes' service names.
    static let localSuffixes = [".localhost", ".local", ".localdomain", ".internal", ".home.arpa", ".svc"]

    /// Cloud metadata names outside those suffixes.
    static let metadataNames: Set = ["metadata.goog"]

    public func refusal(for url: URL) async -> String? {
        await refusal(forHost: url.host ?? "")
    }

    /// Why `host` may not be called, or nil when it may (or when that cannot be told in time).
    public func refusal(forHost host: String) async -> String? {
        guard !allowPrivateNetworks else { return nil }
        if let refusal = refusalWithoutNetwork(host) { return refusal }
        guard case .addresses(let addresses) = await resolution.resolve(host, lane: .vetting, patience: patience),
            !permits(addresses)
        else { return nil }
        return Self.refusal(host, "it resolves to a loopback, private, link-local or metadata address")
    }

    /// Why `host` may not be called, when that needs no lookup.
    func refusalWithoutNetwork(_ host: String) -> String? {
        guard !allowPrivateNetworks else { return nil }
        let name = HostResolution.normalized(host)
        if let address = IPAddress(literal: name) {
            return address.isInternal ? Self.refusal(host, "it is a loopback, private, link-local or metadata address") : nil
        }
        if name.isEmpty || name == "localhost" || !name.contains(".") || Self.metadataNames.contains(name)
            || Self.localSuffixes.contains(where: name.hasSuffix)
        {
            return Self.refusal(host, "single-label and local names (localhost, .local, .internal, .svc ...) lead inside the network")
        }
        return nil
    }

    /// Whether addresses a name resolved to may be dialled: none of them internal.
    func permits(_ addresses: [IPAddress]) -> Bool {
        allowPrivateNetworks || !addresses.contains(where: \.isInternal)
    }

    static func refusal(_ host: String, _ reason: String) -> String {
        "Refusing to call \(host): \(reason) (set OUTBOUND_ALLOW_PRIVATE_NETWORKS=true to allow private networks)"
    }
}
