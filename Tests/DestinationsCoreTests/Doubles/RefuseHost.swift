import DestinationsCore
import Foundation

struct RefuseHost: HostPolicy {
    let host: String

    func refusal(for url: URL) async -> String? {
        url.host == host ? "refused" : nil
    }
}
