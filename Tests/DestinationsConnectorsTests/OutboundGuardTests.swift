@testable import DestinationsConnectors
import DestinationsCore
import Foundation
import Testing

@Suite("Outbound guard")
struct OutboundGuardTests {
    let strict = OutboundGuard(allowPrivateNetworks: false)

    @Test(arguments: [
        "127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "::1", "172.16.5.4", "192.168.1.1", "100.64.0.1",
        "0.0.0.0", "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "localhost", "api.localhost", "224.0.0.1",
    ])
    func internalAddressesAreRefused(_ host: String) async {
        let refusal = await strict.refusal(forHost: host)
        #expect(refusal?.contains("Refusing to call") == true, "\(host)")
    }

    @Test(arguments: ["8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "rest.iad-03.braze.com", "no-such-host.invalid"])
    func publicOrUnresolvableHostsPass(_ host: String) async {
        #expect(await strict.refusal(forHost: host) == nil, "\(host)")
    }

    @Test func allowingPrivateNetworksLiftsTheGuard() async {
        #expect(await OutboundGuard(allowPrivateNetworks: true).refusal(forHost: "127.0.0.1") == nil)
    }

    @Test(arguments: ["http://127.0.0.1:9", "http://10.0.0.1", "http://169.254.169.254/latest/meta-data", "http://[::1]:8080"])
    func theTransportRefusesUserSuppliedInternalHostsBeforeConnecting(_ url: String) async throws {
        let http = AsyncHTTPProviderClient(outboundGuard: strict, timeout: 2)
        do {
            _ = try await http.send(ProviderRequest(url: URL(string: url)!, hostSource: .userSupplied))
            Issue.record("called \(url)")
        } catch let failure as ProviderFailure {
            guard case .permanent(let message) = failure else { Issue.record("\(failure)"); return }
            #expect(message.contains("Refusing to call"))
        }
        try await http.shutdown()
    }
}
