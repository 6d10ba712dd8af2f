import DestinationsCore
import Foundation
import TestSupport
import Testing

@Suite struct SecretBoxTests {
    let key = EncryptionKey.generate().key

    @Test func roundTripsAndUsesAFreshNonceEachTime() throws {
        let box = AESGCMSecretBox(current: key)
        let first = try box.seal(Data("secret".utf8))
        let second = try box.seal(Data("secret".utf8))
        #expect(first.ciphertext != second.ciphertext)
        #expect(first.keyID == key.id)
        #expect(try box.open(first) == Data("secret".utf8))
        #expect(first.ciphertext.range(of: Data("secret".utf8)) == nil)
    }

    @Test func tamperingIsDetected() throws {
        let box = AESGCMSecretBox(current: key)
        var sealed = try box.seal(Data("secret".utf8))
        sealed.ciphertext[sealed.ciphertext.count - 1] ^= 0x01
        #expect(throws: SecretBoxError.corrupt) { try box.open(sealed) }
    }

    @Test func anUnknownKeyIsNamedNotGuessed() throws {
        let sealed = try AESGCMSecretBox(current: key).seal(Data("secret".utf8))
        let other = AESGCMSecretBox(current: EncryptionKey.generate().key)
        #expect(throws: SecretBoxError.unknownKey(key.id)) { try other.open(sealed) }
    }

    @Test func previousKeysStillOpenWhatTheySealed() throws {
        let sealed = try AESGCMSecretBox(current: key).seal(Data("secret".utf8))
        let rotated = AESGCMSecretBox(current: EncryptionKey.generate().key, previous: [key])
        #expect(try rotated.open(sealed) == Data("secret".utf8))
        #expect(try rotated.seal(Data("x".utf8)).keyID != key.id)
    }

    @Test func keysMustBe32Bytes() throws {
        #expect(throws: EncryptionKeyError.wrongLength(16)) { try EncryptionKey(bytes: Data(count: 16)) }
        #expect(throws: EncryptionKeyError.notBase64) { try EncryptionKey(base64: "not base64!") }
        let (key, base64) = EncryptionKey.generate()
        #expect(try EncryptionKey(base64: base64).id == key.id)
    }
}

@Suite struct APITokenTests {
    @Test func tokensAreLongRandomAndPrefixed() {
        let (first, firstHash) = APIToken.generate()
        let (second, _) = APIToken.generate()
        #expect(first.hasPrefix("secret-token:"))
        #expect(first != second)
        let secret = Data(base64URL: first.dropFirst("secret-token:".count))
        #expect(secret?.count == 32)
        #expect(firstHash.count == 32)
    }

    @Test func thePrefixIsOptionalWhenPresented() {
        let (token, hash) = APIToken.generate()
        #expect(APIToken.hash(presented: token) == hash)
        #expect(APIToken.hash(presented: String(token.dropFirst("secret-token:".count))) == hash)
        #expect(APIToken.hash(presented: token + "x") != hash)
    }

    @Test func constantTimeComparison() {
        #expect(APIToken.constantTimeEquals(Data([1, 2, 3]), Data([1, 2, 3])))
        #expect(!APIToken.constantTimeEquals(Data([1, 2, 3]), Data([1, 2, 4])))
        #expect(!APIToken.constantTimeEquals(Data([1, 2, 3]), Data([1, 2])))
    }
}
