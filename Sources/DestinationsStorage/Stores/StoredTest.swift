import DestinationsCore
import Foundation

/// A connection test as stored, in a destination's `last_test` and in its job's `result`: JSON of its
/// steps and when it ran.
struct StoredTest: Codable {
    let steps: [ConnectionTestStep]
    let testedAt: Int64

    init(_ result: ConnectionTestResult) {
        steps = result.steps
        testedAt = result.testedAt.millisecondsSince1970
    }

    init(json: String) throws {
        self = try JSONDecoder().decode(StoredTest.self, from: Data(json.utf8))
    }

    var json: String {
        get throws { String(decoding: try JSONEncoder().encode(self), as: UTF8.self) }
    }

    var result: ConnectionTestResult {
        ConnectionTestResult(steps: steps, testedAt: Date(millisecondsSince1970: testedAt))
    }
}
