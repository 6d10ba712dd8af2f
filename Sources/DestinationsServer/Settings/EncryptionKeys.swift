import DestinationsCore
import DestinationsStorage
import Foundation

/// Where the key that encrypts credentials comes from.
public enum EncryptionKeySource: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// `ENCRYPTION_KEY`: the base64 of 32 bytes.
    case inline(base64: String)
    /// `ENCRYPTION_KEY_FILE`: a file holding the base64 of 32 bytes.
    case file(path: String)
    /// The embedded default: a key file beside the SQLite database, generated (mode 0600) on first start.
    case besideDatabase

    public var description: String {
        switch self {
        case .inline: "inline key (redacted)"
        case .file(let path): "key file \(path)"
        case .besideDatabase: "key file beside the database"
        }
    }

    public var debugDescription: String { description }
}

enum EncryptionKeys {
    static func current(_ source: EncryptionKeySource, database: DatabaseLocation) throws -> EncryptionKey {
        switch source {
        case .inline(let base64):
            return try EncryptionKey(base64: base64)
        case .file(let path):
            return try EncryptionKey(base64: try readKeyFile(path))
        case .besideDatabase:
            switch database {
            case .sqlite(let path):
                return try EncryptionKey(base64: try readOrCreateKeyFile(path + ".key"))
            case .postgres:
                throw KeyFileError(
                    path: "(none)",
                    problem: "is not generated for PostgreSQL: set ENCRYPTION_KEY or ENCRYPTION_KEY_FILE, the same on every instance"
                )
            }
        }
    }

    private static func readKeyFile(_ path: String) throws -> String {
        do {
            return try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw KeyFileError(path: path, problem: "cannot be read")
        }
    }

    /// Creates the key file exclusively (O_EXCL), so two processes starting at once cannot each write a
    /// different key; the loser reads the winner's.
    private static func readOrCreateKeyFile(_ path: String) throws -> String {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else {
            guard errno == EEXIST else { throw KeyFileError(path: path, problem: "cannot be created (errno \(errno))") }
            return try readKeyFile(path)
        }
        let (_, base64) = EncryptionKey.generate()
        let bytes = Array((base64 + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let synced = fsync(descriptor)
        close(descriptor)
        guard written == bytes.count, synced == 0 else {
            unlink(path)
            throw KeyFileError(path: path, problem: "could not be written")
        }
        return base64
    }
}

struct KeyFileError: Error, CustomStringConvertible {
    let path: String
    let problem: String

    var description: String { "encryption key file \(path) \(problem)" }
}
