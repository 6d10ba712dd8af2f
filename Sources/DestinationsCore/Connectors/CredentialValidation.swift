import Foundation

/// Credentials checked against a connector's declaration and split the way they are stored.
public struct ValidatedCredentials: Sendable, Hashable {
    /// Non-secret fields: the destination's `connection_details`.
    public var details: [String: JSONValue]
    /// Secret fields: stored encrypted, never returned.
    public var secrets: [String: JSONValue]
    /// For OAuth connectors: the code to exchange, and the state it came back with. Never stored.
    public var oauthCode: String?
    public var oauthState: String?
}

extension ConnectorDeclaration {
    /// Checks the `credentials` of a create request.
    public func validate(credentials: [String: JSONValue]) throws(APIError) -> ValidatedCredentials {
        let strings = try strings(in: credentials)
        let result = try split(strings)
        if authMethod == .oauth && result.oauthCode == nil {
            throw .unprocessable(
                "Missing credentials.\(Self.oauthCodeKey): \(serviceName) is an OAuth destination; "
                    + "get a code through GET /api/v1/destinations/authorize_url"
            )
        }
        try checkRequired(in: result)
        return result
    }

    /// Checks the `credentials` of an update, merged over the stored ones: keys given replace stored
    /// values, `null` removes an optional one, keys left out keep their stored values.
    public func validate(
        change: [String: JSONValue],
        over stored: [String: JSONValue]
    ) throws(APIError) -> ValidatedCredentials {
        let changed = try strings(in: change)
        var merged = stored.compactMapValues(\.stringValue)
        for (key, value) in changed {
            merged[key] = value
        }
        let result = try split(merged.mapValues { Optional($0) })
        try checkRequired(in: result)
        return result
    }

    /// Checks one declared field's value on its own (a parameter given outside `credentials`).
    public func validate(field id: String, value: String) throws(APIError) {
        guard let field = field(id) else { throw .unprocessable("\(serviceName) has no field \(quoted(id))") }
        try check(value, against: field)
    }

    /// Rejects unknown keys (422) and values that are not strings (400); `null` stays as "no value".
    private func strings(in credentials: [String: JSONValue]) throws(APIError) -> [String: String?] {
        let accepted = acceptedKeys
        var strings: [String: String?] = [:]
        for key in credentials.keys.sorted() {
            guard accepted.contains(key) else {
                throw .unprocessable(
                    "Unknown credential \(quoted(key)) for \(serviceName); accepted credentials: "
                        + accepted.joined(separator: ", ")
                )
            }
            switch credentials[key]! {
            case .string(let value): strings[key] = .some(value)
            case .null: strings[key] = .some(nil)
            case let other:
                throw .badRequest("credentials.\(key) must be a string, not \(article(other.typeName))")
            }
        }
        return strings
    }

    private func split(_ values: [String: String?]) throws(APIError) -> ValidatedCredentials {
        var result = ValidatedCredentials(details: [:], secrets: [:])
        for (key, value) in values {
            if key == Self.oauthCodeKey {
                result.oauthCode = value.flatMap(nonBlank)
                continue
            }
            if key == Self.oauthStateKey {
                result.oauthState = value.flatMap(nonBlank)
                continue
            }
            guard let field = field(key), let value = value.flatMap(nonBlank) else { continue }
            try check(value, against: field)
            if field.secret {
                result.secrets[key] = .string(value)
            } else {
                result.details[key] = .string(value)
            }
        }
        return result
    }

    private func checkRequired(in credentials: ValidatedCredentials) throws(APIError) {
        for field in fields where field.required {
            let present = field.secret ? credentials.secrets[field.id] : credentials.details[field.id]
            if present == nil {
                throw .unprocessable("Missing required credential \(quoted(field.id)) (\(field.label)) for \(serviceName)")
            }
        }
    }

    private func check(_ value: String, against field: CredentialField) throws(APIError) {
        let problem: String? =
            switch field.format {
            case .text: value.count > 10_000 ? "must be at most 10000 characters" : nil
            case .url: isHTTPURL(value) ? nil : "must be an absolute http or https URL"
            case .email: isEmail(value) ? nil : "must be an email address"
            case .subdomain: isSubdomain(value) ? nil : "must be a subdomain: letters, digits and dashes only"
            case .digits: isDigits(value) ? nil : "must contain digits (and dashes) only"
            case .choice(let choices):
                choices.contains(value) ? nil : "must be one of: " + choices.joined(separator: ", ")
            }
        if let problem {
            throw .unprocessable("credentials.\(field.id) \(problem)")
        }
    }
}

private func nonBlank(_ value: String) -> String? {
    value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : value
}

private func article(_ typeName: String) -> String {
    typeName == "null" ? typeName : (typeName.first.map { "aeiou".contains($0) } == true ? "an " : "a ") + typeName
}

func isHTTPURL(_ value: String) -> Bool {
    guard value.count <= 2048, let components = URLComponents(string: value),
        let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
        let host = components.host, !host.isEmpty
    else { return false }
    return true
}

private func isEmail(_ value: String) -> Bool {
    let parts = value.split(separator: "@", omittingEmptySubsequences: false)
    return value.count <= 320 && parts.count == 2 && !parts[0].isEmpty && parts[1].contains(".")
        && !value.contains(where: \.isWhitespace)
}

private func isSubdomain(_ value: String) -> Bool {
    (1...63).contains(value.count) && value.first != "-" && value.last != "-"
        && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
}

private func isDigits(_ value: String) -> Bool {
    value.count <= 32 && value.contains(where: \.isNumber)
        && value.allSatisfy { $0.isASCII && ($0.isNumber || $0 == "-") }
}
