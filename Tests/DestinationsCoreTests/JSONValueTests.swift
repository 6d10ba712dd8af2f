import Foundation
import Testing

@testable import DestinationsCore

@Suite struct JSONValueTests {
    @Test func eachJSONTypeDecodesAsItself() throws {
        let text =
            #"{"s": "x", "sn": "1", "sb": "true", "t": true, "f": false, "i": 3, "big": 9007199254740993, "d": 1.5, "n": null, "a": [1, "b", false], "o": {"k": "v"}}"#
        let decoded = try JSONValue.decodeObject(Data(text.utf8))
        #expect(
            decoded == [
                "s": .string("x"), "sn": .string("1"), "sb": .string("true"), "t": .bool(true), "f": .bool(false),
                "i": .integer(3), "big": .integer(9_007_199_254_740_993), "d": .number(1.5), "n": .null,
                "a": .array([.integer(1), .string("b"), .bool(false)]), "o": .object(["k": .string("v")]),
            ]
        )
        #expect(try JSONValue.decodeObject(JSONValue.encodeObject(decoded)) == decoded)
    }

    /// The parser that reads stored JSON agrees with Foundation's decoder.
    @Test(arguments: [
        #"{}"#, #"[]"#, #" { "a" : [ 1 , 2 ] } "#, #""plain""#, #""caf\u00e9 \ud83d\ude00 \n\t\"\\\/ é 😀""#,
        #"[0, -0, -12, 1.25, -0.5, 123456789012345678, 1.5e-7]"#, #"{"nested": {"deeper": [[[{"x": null}]]]}}"#,
        #"[true, false, null, "", "\u0000"]"#,
    ])
    func agreesWithFoundation(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(try JSONValueParser.parse(Data(text.utf8)) == expected)
    }

    @Test func aFractionOrExponentMakesANumberAndTooBigAnIntegerDoesToo() throws {
        #expect(try JSONValueParser.parse(Data("2E+3".utf8)) == .number(2000))
        #expect(try JSONValueParser.parse(Data("2.0".utf8)) == .number(2))
        #expect(try JSONValueParser.parse(Data("99999999999999999999".utf8)) == .number(1e20))
    }

    @Test(arguments: [
        "", "{", #"{"a" 1}"#, #"{"a": 1,}"#, "[1 2]", "01", "-", "1.", "+1", "1e", "tru", "nul", #""unterminated"#,
        #""bad \q escape""#, #""\ud83d alone""#, "\"tab\there\"", "{} {}", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
    ])
    func refusesWhatIsNotJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try JSONValueParser.parse(Data(text.utf8)) }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONValueParser.parse(Data([0x22, 0xFF, 0xFE, 0x22])) }
    }
}
