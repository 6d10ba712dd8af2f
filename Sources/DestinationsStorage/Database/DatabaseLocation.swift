import Foundation

/// Where the data lives, parsed from `--database` / `DATABASE_URL`.
public enum DatabaseLocation: Sendable, Equatable, CustomStringConvertible {
    /// An SQLite file.
    case sqlite(path: String)
    /// A PostgreSQL database, shared by any number of server instances.
    case postgres(PostgresLocation)

    public static let defaultPath = "./data/destinations.sqlite"

    /// Accepts a file path, an `sqlite://` URL (`sqlite:///abs/path`, `sqlite://relative/path`), or a
    /// `postgres://` / `postgresql://` URL (`postgres://user:password@host:5432/db?sslmode=require`).
    public init(_ value: String) throws(DatabaseLocationError) {
        let value = value.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { throw .empty }
        if value.hasPrefix("sqlite://") {
            let path = String(value.dropFirst("sqlite://".count))
            guard !path.isEmpty else { throw .empty }
            self = .sqlite(path: path.removingPercentEncoding ?? path)
        } else if value.hasPrefix("postgres://") || value.hasPrefix("postgresql://") {
            self = .postgres(try PostgresLocation(url: value))
        } else if let scheme = value.range(of: "://").map({ String(value[..<$0.lowerBound]) }) {
            throw .unsupportedScheme(scheme)
        } else {
            self = .sqlite(path: value)
        }
    }

    /// Never shows a password.
    public var description: String {
        switch self {
        case .sqlite(let path): "sqlite://\(path)"
        case .postgres(let location): location.description
        }
    }
}

public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// `sslmode` as libpq spells it; the client supports these three.
    public enum TLSMode: String, Sendable, Equatable {
        case disable
        case prefer
        case require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    public init(host: String, port: Int = 5432, username: String, password: String?, database: String, tls: TLSMode = .prefer) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.database = database
        self.tls = tls
    }

    init(url: String) throws(DatabaseLocationError) {
        guard let components = URLComponents(string: url), let host = components.host, !host.isEmpty else {
            throw .invalidPostgresURL("it needs a host: postgres://user:password@host:5432/database")
        }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty else { throw .invalidPostgresURL("it needs a database name after the host") }
        guard let user = components.user, !user.isEmpty else { throw .invalidPostgresURL("it needs a user name") }
        let mode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? TLSMode.prefer.rawValue
        guard let tls = TLSMode(rawValue: mode) else {
            throw .invalidPostgresURL("sslmode must be disable, prefer or require")
        }
        self.init(
            host: host,
            port: components.port ?? 5432,
            username: user.removingPercentEncoding ?? user,
            password: components.password.map { $0.removingPercentEncoding ?? $0 },
            database: database.removingPercentEncoding ?? database,
            tls: tls
        )
    }

    public var description: String {
        "postgres://\(username)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }
}

public enum DatabaseLocationError: Error, Equatable, CustomStringConvertible {
    case empty
    case unsupportedScheme(String)
    case invalidPostgresURL(String)

    public var description: String {
        switch self {
        case .empty: "the database location is empty"
        case .unsupportedScheme(let scheme): "unsupported database URL scheme \"\(scheme)\"; use a file path, sqlite:// or postgres://"
        case .invalidPostgresURL(let problem): "the PostgreSQL URL is not usable: \(problem)"
        }
    }
}
