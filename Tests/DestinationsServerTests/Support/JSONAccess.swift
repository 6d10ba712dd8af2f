import DestinationsCore
import Foundation
import HummingbirdTesting
import NIOCore

extension TestResponse {
    func json() throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: Data(body.readableBytesView))
    }
}
