import Configuration
import Foundation

/// One configuration setting, declared once (in `Settings`): the reader, the error messages and the
/// README's configuration table all come from the declaration.
public struct Setting<Value: Sendable>: Sendable, SettingDescription {
    /// The key as a JSON configuration file nests it (`database.url` is `{"database": {"url": ...}}`).
    public private(set) var key: String
    /// The command-line flag that also sets it, if any.
    public let flag: String?
    /// What it does, as the README's table says it.
    public let summary: String
    public let defaultValue: Value
    /// The default as the README says it, where that is not the value itself ("half of ...").
    let defaultNote: String?
    /// What a value must satisfy, and how the error says it.
    let rule: Rule<Value>
    let isSecret: Bool

    init(
        _ key: String,
        flag: String? = nil,
        _ summary: String,
        default defaultValue: Value,
        defaultNote: String? = nil,
        rule: Rule<Value> = .anything,
        isSecret: Bool = false
    ) {
        self.key = key
        self.flag = flag
        self.summary = summary
        self.defaultValue = defaultValue
        self.defaultNote = defaultNote
        self.rule = rule
        self.isSecret = isSecret
    }

    public var defaultText: String {
        if let defaultNote { return defaultNote }
        switch defaultValue as Any {
        case let optional as String?: return optional.map { "`\($0)`" } ?? ""
        case let choice as any RawRepresentable: return "`\(choice.rawValue)`".lowercased()
        case let number as Double: return "`\(plain(number))`"
        default: return "`\(defaultValue)`"
        }
    }

    /// Fails with the setting's name (key, flag and environment variable) unless `value` passes the rule.
    func checked(_ value: Value) throws(SettingsError) -> Value {
        guard rule.accepts(value) else { throw invalid(rule.problem) }
        return value
    }

    func invalid(_ problem: String) -> SettingsError {
        .invalid(name, problem)
    }

    /// A per-type setting (`connectors.<type>...`) for one type.
    func of(_ type: String) -> Setting {
        var setting = self
        setting.key = key.replacingOccurrences(of: "<type>", with: type)
        return setting
    }
}

/// What every setting says of itself, whatever its type.
public protocol SettingDescription: Sendable {
    var key: String { get }
    var flag: String? { get }
    var summary: String { get }
    var defaultText: String { get }
}

extension SettingDescription {
    /// The environment variable the key is read from: upper-cased, dots as underscores (as swift-configuration's
    /// environment provider looks keys up). `connectors.<type>.base_url` is `CONNECTORS_<TYPE>_BASE_URL`.
    public var environmentVariable: String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }

    /// How error messages name it: `database.url (--database, DATABASE_URL)`.
    public var name: String {
        "\(key) (\(([flag].compactMap { $0 } + [environmentVariable]).joined(separator: ", ")))"
    }
}

/// A number as a person writes it: whole ones without ".0" ("between 0 and 60", a default of `30`).
private func plain(_ value: Any) -> String {
    if let number = value as? Double, number == number.rounded(), abs(number) < 1e15 { return String(Int(number)) }
    return "\(value)"
}

/// A condition on a value, and the words an error uses when it does not hold.
struct Rule<Value>: Sendable {
    let problem: String
    let accepts: @Sendable (Value) -> Bool

    static var anything: Rule { Rule(problem: "") { _ in true } }
}

extension Rule where Value: Comparable & Sendable {
    static func within(_ range: ClosedRange<Value>) -> Rule {
        Rule(problem: "must be between \(plain(range.lowerBound)) and \(plain(range.upperBound))") { range.contains($0) }
    }
}

extension Rule where Value == Double {
    static let positive = Rule(problem: "must be positive") { $0 > 0 }
    static let notNegative = Rule(problem: "must not be negative") { $0 >= 0 }
}

extension Rule where Value == Int {
    static let positive = Rule(problem: "must be at least 1") { $0 >= 1 }
}

extension ConfigReader {
    func value(_ setting: Setting<String>) throws(SettingsError) -> String {
        try setting.checked(string(forKey: ConfigKey(setting.key), isSecret: setting.isSecret, default: setting.defaultValue))
    }

    func value(_ setting: Setting<String?>) -> String? {
        string(forKey: ConfigKey(setting.key), isSecret: setting.isSecret) ?? setting.defaultValue
    }

    func value(_ setting: Setting<Int>) throws(SettingsError) -> Int {
        try setting.checked(typed(setting, "a whole number", int(forKey: ConfigKey(setting.key))) ?? setting.defaultValue)
    }

    func value(_ setting: Setting<Int?>) throws(SettingsError) -> Int? {
        try typed(setting, "a whole number", int(forKey: ConfigKey(setting.key))) ?? setting.defaultValue
    }

    func value(_ setting: Setting<Double>) throws(SettingsError) -> Double {
        try setting.checked(typed(setting, "a number", double(forKey: ConfigKey(setting.key))) ?? setting.defaultValue)
    }

    func value(_ setting: Setting<Bool>) throws(SettingsError) -> Bool {
        try typed(setting, "true or false", bool(forKey: ConfigKey(setting.key))) ?? setting.defaultValue
    }

    /// The value read, or nil when there is none; a value of another type (`PORT=http`) is refused, not
    /// passed over for the default.
    private func typed<Value, Read>(_ setting: Setting<Value>, _ kind: String, _ read: Read?) throws(SettingsError) -> Read? {
        if let read { return read }
        if let text = string(forKey: ConfigKey(setting.key), isSecret: setting.isSecret) {
            throw setting.invalid("must be \(kind), not \"\(text)\"")
        }
        return nil
    }

    /// A setting whose values are a fixed set of words, matched without regard to case.
    func value<Choice: RawRepresentable & CaseIterable & Sendable>(_ setting: Setting<Choice>) throws(SettingsError) -> Choice
    where Choice.RawValue == String {
        let text = string(forKey: ConfigKey(setting.key), default: setting.defaultValue.rawValue)
        guard let choice = Choice.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw setting.invalid("must be one of " + Choice.allCases.map { $0.rawValue.lowercased() }.joined(separator: ", "))
        }
        return choice
    }
}
