import Foundation
import OpenAPIRuntime

/// Timestamps as RFC 3339 in UTC with whole seconds (`2026-11-30T06:32:10Z`), as Census sends them.
/// Encoding does calendar arithmetic directly: Foundation's formatters lock and allocate per call, and
/// every destination in a list carries two timestamps.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        Self.format(Int64(date.timeIntervalSince1970.rounded(.down)))
    }

    func decode(_ string: String) throws -> Date {
        let date =
            (try? Date(string, strategy: .iso8601))
            ?? (try? Date(string, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
        guard let date else {
            throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time"))
        }
        return date
    }

    private static let separators = Array("--T::Z".utf8)

    static func format(_ secondsSinceEpoch: Int64) -> String {
        let days = secondsSinceEpoch >= 0 ? secondsSinceEpoch / 86_400 : (secondsSinceEpoch - 86_399) / 86_400
        let secondOfDay = secondsSinceEpoch - days * 86_400
        let (year, month, day) = civilDate(daysSinceEpoch: days)
        // RFC 3339 has four-digit years only; no timestamp this server writes falls outside them.
        let fields = [
            (max(0, min(year, 9999)), 4), (month, 2), (day, 2), (secondOfDay / 3600, 2), (secondOfDay % 3600 / 60, 2), (secondOfDay % 60, 2),
        ]
        // Written straight into the string's storage: concatenating small strings allocated a dozen times
        // per timestamp, and every destination in a list carries two.
        return String(unsafeUninitializedCapacity: 20) { buffer in
            var index = 0
            for (position, (value, width)) in fields.enumerated() {
                var rest = value
                for offset in stride(from: width - 1, through: 0, by: -1) {
                    buffer[index + offset] = UInt8(ascii: "0") + UInt8(rest % 10)
                    rest /= 10
                }
                index += width
                buffer[index] = separators[position]
                index += 1
            }
            return index
        }
    }

    /// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian calendar).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
