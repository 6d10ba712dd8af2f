import Foundation

/// Where the data lives, parsed from `--database` / `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file.
    case sqlite(path: String)

    public static let defaultPath = "./data/destinations.sqlite"

    /// Accepts a file path or an `sqlite://` URL (`sqlite:///abs/path`, `sqlite://relative/path`).
    public init(_ value: String) throws(DatabaseLocationError) {
        let value = value.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw .empty }
        if value.hasPrefix("sqlite://") {
            let path = String(value.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw .empty }
            self = .sqlite(path: path.removingPercentEncoding ?? path)
        } else if let scheme = value.range(of: "://").map({ String(value[..<$0.lowerBound]) }) {
            throw .unsupportedScheme(scheme)
        } else {
            self = .sqlite(path: value)
        }
    }

    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        }
    }
}

public enum DatabaseLocationError: Error, Equatable, CustomStringConvertible {
    case empty
    case unsupportedScheme(String)

    public var description: String {
        switch self {
        case .empty: "the database location is empty"
        case .unsupportedScheme(let scheme): "unsupported database URL scheme \"\(scheme)\"; use a file path or sqlite://"
        }
    }
}
