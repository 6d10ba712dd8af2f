import Foundation

/// An `If-Match` or `If-None-Match` header: `*`, or a list of entity tags (strong `"x"` or weak `W/"x"`).
public enum EntityTagCondition: Sendable, Hashable {
    case any
    case tags([String])

    /// Nil for an absent or blank header.
    public init?(header: String?) {
        guard let header = header?.trimmingCharacters(in: .whitespaces), !header.isEmpty else { return nil }
        if header == "*" {
            self = .any
            return
        }
        var tags: [String] = []
        var current = ""
        var quoted = false
        for character in header {
            if character == "\"" { quoted.toggle() }
            if character == ",", !quoted {
                tags.append(current.trimmingCharacters(in: .whitespaces))
                current = ""
            } else {
                current.append(character)
            }
        }
        tags.append(current.trimmingCharacters(in: .whitespaces))
        self = .tags(tags.filter { !$0.isEmpty })
    }

    /// If-Match's strong comparison: a weak tag never matches.
    public func matchesStrongly(_ tag: String) -> Bool {
        switch self {
        case .any: true
        case .tags(let tags): tags.contains(tag)
        }
    }

    /// If-None-Match's weak comparison: `W/"x"` matches `"x"`.
    public func matchesWeakly(_ tag: String) -> Bool {
        switch self {
        case .any: true
        case .tags(let tags): tags.contains { ($0.hasPrefix("W/") ? String($0.dropFirst(2)) : $0) == tag }
        }
    }
}
