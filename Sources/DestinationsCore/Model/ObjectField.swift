/// A field of a destination object: what a sync can write, and how.
public struct ObjectField: Sendable, Hashable {
    public var fullName: String
    public var label: String
    /// The provider's type, in its own words where it has them (`string`, `number`, `date`, `picklist` ...).
    public var type: String
    public var required: Bool
    /// Whether records can be matched on it (an upsert key: email, external id ...).
    public var identifier: Bool
    public var createable: Bool
    public var updateable: Bool

    public init(
        fullName: String,
        label: String,
        type: String,
        required: Bool = false,
        identifier: Bool = false,
        createable: Bool = true,
        updateable: Bool = true
    ) {
        self.fullName = fullName
        self.label = label
        self.type = type
        self.required = required
        self.identifier = identifier
        self.createable = createable
        self.updateable = updateable
    }
}
