import DestinationsContract
import DestinationsCore
import Foundation
import HTTPTypes
import SQLKit
import TestSupport
import Testing

/// The credentials a destination has stored, decrypted, read straight from the store.
enum StoredCredentials {
    static func read(_ session: Session, id: Int64) async throws -> [String: JSONValue] {
        let box = AESGCMSecretBox(current: try EncryptionKey(base64: try session.environment.settings.encryptionBase64()))
        let database = session.environment.database
        let row = try await database.read { db in
            try await db.raw("SELECT secrets_key_id, secrets FROM destinations WHERE id = \(bind: id)").first()
        }
        let sealed = SealedSecret(
            keyID: try #require(row).decode(column: "secrets_key_id", as: String.self),
            ciphertext: try #require(row).decode(column: "secrets", as: Data.self)
        )
        return try box.openObject(sealed)
    }
}
