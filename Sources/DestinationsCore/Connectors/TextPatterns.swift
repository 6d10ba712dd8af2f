import Foundation

/// The shapes of text the API accepts, written once: the server checks values against these patterns and
/// the contract states the same ones (openapi.yaml, generated from the registry and tested), so the two
/// cannot disagree. Only ASCII classes and `\x`/`\u` escapes, which ICU (here) and the regex engines of
/// clients and fuzzers read alike. Lengths are counted in code points, as JSON Schema counts them.
public enum TextPatterns {
    /// Controls (Cc).
    static let controls = #"\x00-\x1F\x7F-\x9F"#
    /// Controls and Unicode's spaces and separators (Zs, Zl, Zp).
    static let blanks = #"\x00-\x20\x7F-\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"#

    /// Somewhere a character that is neither a control nor a space.
    public static let nonBlank = "[^\(blanks)]"
    /// Nothing but controls and spaces (or nothing).
    public static let blank = "^[\(blanks)]*$"
    /// A destination's name: not blank, no controls.
    public static let name = "^[^\(controls)]*[^\(blanks)][^\(controls)]*$"
    /// An absolute http or https URL whose every character `URL(string:)` takes: a host name, an IPv4 or a
    /// bracketed IPv6 address, an optional port, then RFC 3986's characters with valid percent-escapes.
    public static let httpURL =
        #"^[Hh][Tt][Tt][Pp][Ss]?://([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*\.?|\[[0-9A-Fa-f:.]+\])(:[0-9]{1,5})?([/?#](%[0-9A-Fa-f]{2}|[A-Za-z0-9._~:/?#@!$&'()*+,;=-])*)?$"#
    public static let email = "^[^@\(blanks)]+@[^@\(blanks)]*\\.[^@\(blanks)]*$"
    /// A DNS label.
    public static let subdomain = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$"
    /// DNS labels (letters, digits, dashes; no leading or trailing dash) joined by dots.
    public static let hostname = "^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$"
    /// Decimal digits, dashes allowed, at least one digit.
    public static let digits = "^[0-9-]*[0-9][0-9-]*$"
    /// An HTTP header's name (RFC 9110 token), up to 256 characters.
    public static let headerName = "^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,256}$"

    public static let maximumNameLength = 255

    /// Whether `value` matches `pattern` somewhere (anchors in the pattern make it whole).
    public static func matches(_ value: String, _ pattern: String) -> Bool {
        compiled(pattern).firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) != nil
    }

    private static let expressions: [String: NSRegularExpression] = Dictionary(
        uniqueKeysWithValues: [nonBlank, blank, name, httpURL, email, subdomain, digits, headerName].map {
            ($0, try! NSRegularExpression(pattern: $0))
        }
    )

    private static func compiled(_ pattern: String) -> NSRegularExpression {
        expressions[pattern] ?? (try! NSRegularExpression(pattern: pattern))
    }
}

extension String {
    /// Its length as JSON Schema's `maxLength` counts it.
    var codePoints: Int { unicodeScalars.count }
}
