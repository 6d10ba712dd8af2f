import Crypto
import Foundation

/// Secret bytes as stored: the ciphertext and the id of the key that sealed it, so keys can rotate.
public struct SealedSecret: Sendable, Hashable {
    public var keyID: String
    /// AES-GCM combined form: nonce, ciphertext and tag.
    public var ciphertext: Data

    public init(keyID: String, ciphertext: Data) {
        self.keyID = keyID
        self.ciphertext = ciphertext
    }
}

public protocol SecretBox: Sendable {
    func seal(_ plaintext: Data) throws -> SealedSecret
    func open(_ sealed: SealedSecret) throws -> Data
}

public struct EncryptionKey: Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    public var description: String { "EncryptionKey(\(id))" }
    public var debugDescription: String { description }

    public static let byteCount = 32

    public let id: String
    let key: SymmetricKey

    /// - Parameter bytes: exactly 32 bytes. The id is derived from the key, so it is stable wherever the
    ///   key is configured and reveals nothing usable about it.
    public init(bytes: Data) throws(EncryptionKeyError) {
        guard bytes.count == Self.byteCount else { throw .wrongLength(bytes.count) }
        self.key = SymmetricKey(data: bytes)
        let digest = SHA256.hash(data: Data("destinations-key-id".utf8) + bytes)
        self.id = "k" + digest.prefix(6).map { String(format: "%02x", $0) }.joined()
    }

    public init(base64: String) throws(EncryptionKeyError) {
        guard let bytes = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .notBase64
        }
        try self.init(bytes: bytes)
    }

    /// A key of its own for another use (signing, fingerprints), derived so that it needs no setting and
    /// reveals nothing about this one.
    func derivedKey(for purpose: String) -> SymmetricKey {
        HKDF<SHA256>.deriveKey(inputKeyMaterial: key, info: Data("destinations \(purpose)".utf8), outputByteCount: 32)
    }

    public static func generate() -> (key: EncryptionKey, base64: String) {
        let bytes = SymmetricKey(size: .bits256).withUnsafeBytes { Data($0) }
        // 32 fresh bytes always make a valid key.
        return (try! EncryptionKey(bytes: bytes), bytes.base64EncodedString())
    }
}

public enum EncryptionKeyError: Error, Equatable, CustomStringConvertible {
    case wrongLength(Int)
    case notBase64

    public var description: String {
        switch self {
        case .wrongLength(let count): "an encryption key must be 32 bytes, this one has \(count)"
        case .notBase64: "an encryption key must be the base64 of 32 bytes"
        }
    }
}

/// AES-256-GCM with a random nonce per seal. Seals with the current key; opens with any key it knows.
public struct AESGCMSecretBox: SecretBox {
    private let current: EncryptionKey
    private let keys: [String: EncryptionKey]

    public init(current: EncryptionKey, previous: [EncryptionKey] = []) {
        self.current = current
        var keys = Dictionary(previous.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        keys[current.id] = current
        self.keys = keys
    }

    public func seal(_ plaintext: Data) throws -> SealedSecret {
        let box = try AES.GCM.seal(plaintext, using: current.key)
        // `combined` is non-nil for the default 12-byte nonce.
        guard let combined = box.combined else { throw SecretBoxError.cannotSeal }
        return SealedSecret(keyID: current.id, ciphertext: combined)
    }

    public func open(_ sealed: SealedSecret) throws -> Data {
        guard let key = keys[sealed.keyID] else { throw SecretBoxError.unknownKey(sealed.keyID) }
        do {
            return try AES.GCM.open(AES.GCM.SealedBox(combined: sealed.ciphertext), using: key.key)
        } catch {
            throw SecretBoxError.corrupt
        }
    }
}

public enum SecretBoxError: Error, Equatable, CustomStringConvertible {
    case cannotSeal
    case unknownKey(String)
    case corrupt

    public var description: String {
        switch self {
        case .cannotSeal: "could not seal a secret"
        case .unknownKey(let id): "secret was sealed with key \(id), which is not configured"
        case .corrupt: "a sealed secret failed authentication (wrong key or corrupted data)"
        }
    }
}

extension SecretBox {
    public func sealObject(_ object: [String: JSONValue]) throws -> SealedSecret {
        try seal(JSONValue.encodeObject(object))
    }

    public func openObject(_ sealed: SealedSecret) throws -> [String: JSONValue] {
        try JSONValue.decodeObject(open(sealed))
    }
}
