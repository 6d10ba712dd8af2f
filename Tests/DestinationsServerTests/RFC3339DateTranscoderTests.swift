import Foundation
import Testing

@testable import DestinationsServer

@Suite struct RFC3339DateTranscoderTests {
    @Test(
        arguments: [0, 951_782_400, 951_868_799, 1_709_251_199, 1_796_036_612, 4_102_444_800, 253_402_300_799, -1, -86_400, -2_208_988_800] as [Int64]
    )
    func formatsAsFoundationDoes(_ seconds: Int64) throws {
        let expected = Date(timeIntervalSince1970: TimeInterval(seconds)).formatted(.iso8601)
        #expect(RFC3339DateTranscoder.format(seconds) == expected)
        #expect(try RFC3339DateTranscoder().decode(expected) == Date(timeIntervalSince1970: TimeInterval(seconds)))
    }
}
