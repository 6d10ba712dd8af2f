import DestinationsCore
import Foundation
import TestSupport
import Testing

@testable import DestinationsConnectors

@Suite("Outbound guard")
struct OutboundGuardTests {
    @Test(arguments: [
        "127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "::1", "172.16.5.4", "192.168.1.1", "100.64.0.1",
        "0.0.0.0", "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "224.0.0.1",
        // Spellings the C library dials as the addresses they are.
        "127.1", "2130706433", "0x7f.0.0.1", "0177.0.0.1",
        // Names that only mean something inside a network.
        "localhost", "api.localhost", "intranet", "metadata.google.internal", "metadata.goog", "printer.local",
        "kubernetes.default.svc", "router.home.arpa", "localhost.",
    ])
    func whatIsRefusableWithoutTheNetworkIsRefusedWithoutALookup(_ host: String) async {
        let resolver = ScriptedResolver()
        let refusal = await OutboundGuard.forTests(allowPrivateNetworks: false, resolver: resolver).refusal(forHost: host)
        #expect(refusal?.contains("Refusing to call") == true, "\(host)")
        #expect(resolver.lookups.isEmpty)
    }

    @Test func aNameThatResolvesInsideIsRefused() async {
        let resolver = ScriptedResolver(["inside.example.com": .addresses(["203.0.113.9", "10.1.2.3"])])
        let refusal = await OutboundGuard.forTests(allowPrivateNetworks: false, resolver: resolver).refusal(forHost: "inside.example.com")
        #expect(refusal?.contains("resolves to a loopback, private") == true)
    }

    @Test func publicAddressesAndNamesPassAndSoDoNamesThatDoNotResolveInTime() async {
        let resolver = ScriptedResolver([
            "rest.iad-03.braze.com": .addresses(["203.0.113.10"]),
            "no-such-host.example.com": .noSuchHost,
            "slow.example.com": .stall(.seconds(30), then: .addresses(["10.0.0.1"])),
        ])
        let strict = OutboundGuard.forTests(allowPrivateNetworks: false, resolver: resolver, patience: .milliseconds(100))
        for host in ["8.8.8.8", "2606:4700:4700::1111", "rest.iad-03.braze.com", "no-such-host.example.com", "slow.example.com"] {
            #expect(await strict.refusal(forHost: host) == nil, "\(host)")
        }
    }

    @Test func allowingPrivateNetworksLiftsTheGuard() async {
        let resolver = ScriptedResolver()
        let open = OutboundGuard.forTests(allowPrivateNetworks: true, resolver: resolver)
        #expect(await open.refusal(forHost: "127.0.0.1") == nil)
        #expect(await open.refusal(forHost: "intranet") == nil)
        #expect(resolver.lookups.isEmpty)
    }
}

/// The egress: every provider connection is made by it, on the address it checked.
@Suite("Outbound egress")
struct OutboundEgressTests {
    static func strict(_ resolver: ScriptedResolver, rememberFor lifetime: Duration = .seconds(30)) -> OutboundGuard {
        OutboundGuard(allowPrivateNetworks: false, resolution: HostResolution(resolver: resolver, positiveLifetime: lifetime), patience: .seconds(1))
    }

    static func failure(
        _ http: AsyncHTTPProviderClient,
        _ url: String,
        _ source: ProviderRequest.HostSource = .userSupplied
    ) async -> ProviderFailure? {
        do {
            _ = try await http.send(ProviderRequest(url: URL(string: url)!, hostSource: source))
            return nil
        } catch {
            return error as? ProviderFailure
        }
    }

    @Test(arguments: ["http://127.0.0.1:9", "http://10.0.0.1", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080", "http://127.1:9"])
    func userSuppliedInternalAddressesAreRefusedWithoutConnecting(_ url: String) async throws {
        try await AsyncHTTPProviderClient.with(timeout: 30, outboundGuard: Self.strict(ScriptedResolver())) { http in
            let failure = await Self.failure(http, url)
            guard case .permanent(let message)? = failure else {
                Issue.record("\(String(describing: failure))")
                return
            }
            #expect(message.contains("Refusing to call"))
        }
    }

    /// DNS rebinding: the name passes when the credentials are given, then resolves to loopback when the
    /// call is made. The egress judges the address it is about to dial, so the fake never hears a thing.
    @Test func aNameThatRebindsToLoopbackAfterVettingIsRefusedAtCallTime() async throws {
        let resolver = ScriptedResolver()
        resolver.script("rebind.example.com", .addresses(["203.0.113.7"]), .addresses(["127.0.0.1"]))
        let strict = Self.strict(resolver, rememberFor: .zero)
        try await FakeProvider.run { fake in
            fake.on("GET", "/ping", replies: [.json("{}")])
            #expect(await strict.refusal(forHost: "rebind.example.com") == nil)
            try await AsyncHTTPProviderClient.with(timeout: 30, outboundGuard: strict) { http in
                let failure = await Self.failure(http, "http://rebind.example.com:\(fake.baseURL.port!)/ping")
                guard case .permanent(let message)? = failure else {
                    Issue.record("\(String(describing: failure))")
                    return
                }
                #expect(message.contains("Refusing to call rebind.example.com"))
            }
            #expect(fake.calls().isEmpty)
            #expect(resolver.lookups == ["rebind.example.com", "rebind.example.com"])
        }
    }

    @Test func aUserSuppliedNameIsDialledAtTheAddressItResolvedTo() async throws {
        let resolver = ScriptedResolver(["fake.example.com": .addresses(["127.0.0.1"])])
        try await FakeProvider.run { fake in
            fake.on("GET", "/ping", replies: [.json(#"{"pong": true}"#)])
            try await AsyncHTTPProviderClient.with(timeout: 30, outboundGuard: .forTests(resolver: resolver)) { http in
                let response = try await http.send(
                    ProviderRequest(url: URL(string: "http://fake.example.com:\(fake.baseURL.port!)/ping")!, hostSource: .userSupplied)
                )
                #expect(response.status == 200)
                #expect(String(decoding: response.body, as: UTF8.self) == #"{"pong": true}"#)
            }
            #expect(fake.calls("GET", "/ping").count == 1)
        }
    }

    @Test func hostsTheOperatorConfiguredAreTrustedEvenInside() async throws {
        try await FakeProvider.run { fake in
            fake.on("GET", "/ping", replies: [.json("{}")])
            try await AsyncHTTPProviderClient.with(timeout: 30, outboundGuard: Self.strict(ScriptedResolver())) { http in
                let response = try await http.send(ProviderRequest(url: fake.baseURL.appendingPathComponent("ping"), hostSource: .configured))
                #expect(response.status == 200)
            }
        }
    }

    @Test func whyAConnectionWasNotMadeIsSaidPlainly() async throws {
        let resolver = ScriptedResolver([
            "gone.example.com": .noSuchHost,
            "stuck.example.com": .stall(.seconds(60), then: .noSuchHost),
        ])
        let (held, port) = try boundLoopbackSocket()
        defer { close(held) }
        // The egress waits half the call's time for a name, then says so, well before the call's own deadline
        // (even on a machine loaded by every suite at once).
        try await AsyncHTTPProviderClient.with(timeout: 12, outboundGuard: Self.strict(resolver)) { http in
            let cases: [(String, ProviderRequest.HostSource, String)] = [
                ("http://gone.example.com", .userSupplied, "Cannot reach gone.example.com: the name does not resolve"),
                ("http://stuck.example.com", .userSupplied, "Cannot reach stuck.example.com: its name did not resolve within 6 seconds"),
                ("http://127.0.0.1:\(port)", .configured, "Cannot reach 127.0.0.1: the connection was refused"),
            ]
            for (url, source, expected) in cases {
                let failure = await Self.failure(http, url, source)
                guard case .transient(let message, _)? = failure else {
                    Issue.record("\(url): \(String(describing: failure))")
                    continue
                }
                #expect(message == expected)
            }
        }
    }
}
