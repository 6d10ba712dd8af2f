@testable import DestinationsServer

extension ServerSettings {
    func encryptionBase64() throws -> String {
        guard case .inline(let base64) = encryption else { throw TestFailure("tests configure an inline key") }
        return base64
    }
}
