import Foundation
import Testing

@testable import DestinationsCore

/// The patterns the server checks and the contract states.
@Suite("Text patterns")
struct TextPatternsTests {
    @Test(arguments: [
        "https://example.activehosted.com", "http://127.0.0.1:8080/api", "HTTPS://A.B", "https://[::1]:9000/x?y=1#z",
        "https://rest.iad-03.braze.com/", "http://a/%20b", "https://host.example.com./path;p=1", "http://my_host.example.com:1",
    ])
    func acceptedURLsAreURLsConnectorsCanUse(_ value: String) {
        #expect(TextPatterns.matches(value, TextPatterns.httpURL))
        #expect(URL(string: value)?.host?.isEmpty == false, "\(value)")
    }

    @Test(arguments: [
        "", "ftp://example.com", "https://", "https://exa mple.com", "https://a..b", "https://user@host.com", "https://a/%zz",
        "https://a/<script>", "//example.com", "https://example.com:123456", " https://example.com",
    ])
    func otherTextIsNotAURL(_ value: String) {
        #expect(!TextPatterns.matches(value, TextPatterns.httpURL))
    }

    @Test func blankIsSpacesAndControlsOnly() {
        for blank in ["", " ", "\t\n", "\u{3000}\u{00A0}", "\u{2028}\u{0085}"] {
            #expect(TextPatterns.matches(blank, TextPatterns.blank))
            #expect(!TextPatterns.matches(blank, TextPatterns.nonBlank))
        }
        for text in ["x", " x", "\u{200B}", "\u{FEFF}", "é"] {
            #expect(!TextPatterns.matches(text, TextPatterns.blank))
            #expect(TextPatterns.matches(text, TextPatterns.nonBlank))
        }
    }

    @Test func emailsSubdomainsDigitsAndHeaderNames() {
        #expect(TextPatterns.matches("a@b.c", TextPatterns.email))
        #expect(!TextPatterns.matches("a@b", TextPatterns.email))
        #expect(!TextPatterns.matches("a b@c.d", TextPatterns.email))
        #expect(!TextPatterns.matches("a@b@c.d", TextPatterns.email))
        #expect(TextPatterns.matches("acme-2", TextPatterns.subdomain))
        #expect(!TextPatterns.matches("-acme", TextPatterns.subdomain))
        #expect(!TextPatterns.matches(String(repeating: "a", count: 64), TextPatterns.subdomain))
        #expect(TextPatterns.matches("123-456-7890", TextPatterns.digits))
        #expect(!TextPatterns.matches("--", TextPatterns.digits))
        #expect(TextPatterns.matches("X-Api-Key", TextPatterns.headerName))
        #expect(!TextPatterns.matches("X Api", TextPatterns.headerName))
    }
}
