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
        let values = try values(in: credentials)
        let result = try split(values)
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
        let changed = try values(in: change)
        var merged: [String: JSONValue] = stored
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
        try check(.string(value), against: field)
    }

    /// Rejects unknown keys (422) and values of the wrong JSON type (400): strings, or for key-value
    /// fields objects of strings; `null` stays as "no value". A digits field also takes a whole number,
    /// as the Census Terraform provider sends one (it parses every configured value that reads as JSON).
    private func values(in credentials: [String: JSONValue]) throws(APIError) -> [String: JSONValue?] {
        let accepted = acceptedKeys
        var values: [String: JSONValue?] = [:]
        for key in credentials.keys.sorted() {
            guard accepted.contains(key) else {
                throw .unprocessable(
                    "Unknown credential \(quoted(key)) for \(serviceName); accepted credentials: "
                        + accepted.joined(separator: ", ")
                )
            }
            let value = credentials[key]!
            switch (value, field(key)?.format) {
            case (.null, _): values[key] = .some(nil)
            case (.string, .some(.keyValues)):
                throw .badRequest("credentials.\(key) must be an object of strings, not a string")
            case (.string, _): values[key] = value
            case (_, .some(.digits)) where value.wholeNumberText != nil: values[key] = value.wholeNumberText.map(JSONValue.string)
            case (.object(let object), .some(.keyValues)):
                guard object.values.allSatisfy({ $0.stringValue != nil }) else {
                    throw .badRequest("credentials.\(key) must be an object whose values are strings")
                }
                values[key] = value
            case (let other, .some(.keyValues)):
                throw .badRequest("credentials.\(key) must be an object of strings, not \(article(other.typeName))")
            case (let other, _):
                throw .badRequest("credentials.\(key) must be a string, not \(article(other.typeName))")
            }
        }
        return values
    }

    private func split(_ values: [String: JSONValue?]) throws(APIError) -> ValidatedCredentials {
        var result = ValidatedCredentials(details: [:], secrets: [:])
        for (key, value) in values {
            if key == Self.oauthCodeKey {
                result.oauthCode = (value ?? nil)?.stringValue.flatMap(nonBlank)
                continue
            }
            if key == Self.oauthStateKey {
                result.oauthState = (value ?? nil)?.stringValue.flatMap(nonBlank)
                continue
            }
            guard let field = field(key), let value = value ?? nil else { continue }
            // The length first: a blank value too long is refused, as the contract says, not ignored.
            if let limit = field.format.maximumLength, let text = value.stringValue, text.codePoints > limit {
                throw .unprocessable("credentials.\(field.id) must be at most \(limit) characters")
            }
            guard !isBlank(value) else { continue }
            try check(value, against: field)
            if field.secret {
                result.secrets[key] = value
            } else {
                result.details[key] = value
            }
        }
        return result
    }

    private func checkRequired(in credentials: ValidatedCredentials) throws(APIError) {
        for field in fields where field.required {
            let present = field.secret ? credentials.secrets[field.id] : credentials.details[field.id]
            if present == nil {
                throw .unprocessable(requiredMessage(field))
            }
        }
    }

    /// What a missing required field is refused with (the connect page shows the same words).
    public func requiredMessage(_ field: CredentialField) -> String {
        "credentials.\(field.id) is required (\(field.label)) for \(serviceName)"
    }

    /// What a value out of its field's format is refused with; nil for formats that take any text.
    public func formatMessage(_ field: CredentialField) -> String? {
        field.format.problem.map { "credentials.\(field.id) \($0)" }
    }

    private func check(_ json: JSONValue, against field: CredentialField) throws(APIError) {
        if case .object(let object) = json {
            let problem =
                object.count > FieldFormat.maximumEntries
                ? "must have at most \(FieldFormat.maximumEntries) entries"
                : object.keys.first { !TextPatterns.matches($0, TextPatterns.headerName) }.map {
                    "has a key that is not a header name: \(quoted($0))"
                }
            if let problem { throw .unprocessable("credentials.\(field.id) \(problem)") }
            return
        }
        if !field.format.accepts(json.stringValue ?? ""), let message = formatMessage(field) {
            throw .unprocessable(message)
        }
    }
}

extension JSONValue {
    /// A whole number's decimal digits, from 0 to `FieldFormat.largestWholeNumber`; nil for anything else.
    var wholeNumberText: String? {
        switch self {
        case .integer(let number) where (0...FieldFormat.largestWholeNumber).contains(number): String(number)
        // Written with a fraction or an exponent ("5.0", "5e3"): whole only while a double holds it exactly.
        case .number(let number) where number >= 0 && number <= 9_007_199_254_740_992 && number.rounded() == number:
            String(Int64(number))
        default: nil
        }
    }
}

extension FieldFormat {
    /// Whether a text value has the format (key-value objects are checked as objects, elsewhere).
    public func accepts(_ value: String) -> Bool {
        switch self {
        case .keyValues, .text: true
        case .choice(let choices): choices.contains(value)
        case .url, .email, .subdomain, .hostname, .digits: pattern.map { TextPatterns.matches(value, $0) } ?? true
        }
    }

    /// The pattern a value of the format matches; nil for free text, choices and key-value objects.
    public var pattern: String? {
        switch self {
        case .url: TextPatterns.httpURL
        case .email: TextPatterns.email
        case .subdomain: TextPatterns.subdomain
        case .hostname: TextPatterns.hostname
        case .digits: TextPatterns.digits
        case .text, .choice, .keyValues: nil
        }
    }

    /// What is wrong with a value out of the format, after the field's name.
    public var problem: String? {
        switch self {
        case .keyValues, .text: nil
        case .url: "must be an absolute http or https URL"
        case .email: "must be an email address"
        case .subdomain: "must be a subdomain: letters, digits and dashes only"
        case .hostname: "must be a host name: letters, digits and dashes, in parts joined by dots"
        case .digits: "must contain digits (and dashes) only"
        case .choice(let choices): "must be one of: " + choices.joined(separator: ", ")
        }
    }

    /// The longest value of the format, in code points; nil when the format bounds it itself or has no bound.
    public var maximumLength: Int? {
        switch self {
        case .text: 10_000
        case .url: 2048
        case .email: 320
        case .digits: 32
        case .hostname: 253
        case .subdomain, .choice, .keyValues: nil
        }
    }

    /// The largest whole number a digits field takes in place of its digits (18 of them).
    public static let largestWholeNumber: Int64 = 999_999_999_999_999_999

    /// The most entries a key-value field takes.
    public static let maximumEntries = 100
}

private func isBlank(_ value: JSONValue) -> Bool {
    value.stringValue.map { nonBlank($0) == nil } ?? false
}

private func nonBlank(_ value: String) -> String? {
    TextPatterns.matches(value, TextPatterns.nonBlank) ? value : nil
}

private func article(_ typeName: String) -> String {
    typeName == "null" ? typeName : (typeName.first.map { "aeiou".contains($0) } == true ? "an " : "a ") + typeName
}
