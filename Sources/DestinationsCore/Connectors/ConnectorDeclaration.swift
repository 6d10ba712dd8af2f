/// How a destination proves who it is to its service.
public enum AuthMethod: String, Sendable, Hashable {
    /// The user types keys or tokens into `credentials`.
    case credentials
    /// The user consents at the provider; we exchange the `oauth_code` for tokens.
    case oauth
}

/// What a credential value must look like beyond being a JSON string.
public enum FieldFormat: Sendable, Hashable {
    case text
    /// An absolute http or https URL with a host.
    case url
    case email
    /// A DNS label, such as a Zendesk subdomain.
    case subdomain
    /// A DNS name of one or more labels (an S3 bucket, a Snowflake account, a database host): what a
    /// connector may put into a host name without it being read as anything else.
    case hostname
    /// Decimal digits, dashes allowed (account ids such as Google Ads customer ids).
    case digits
    case choice([String])
    /// A JSON object of strings, such as HTTP headers.
    case keyValues
}

/// One field of a connector's `credentials`.
public struct CredentialField: Sendable, Hashable {
    public var id: String
    public var label: String
    public var required: Bool
    /// Secret fields are stored encrypted and never returned; the others form `connection_details`.
    public var secret: Bool
    public var format: FieldFormat
    public var placeholder: String?
    public var hint: String?

    public init(
        id: String,
        label: String,
        required: Bool = true,
        secret: Bool = false,
        format: FieldFormat = .text,
        placeholder: String? = nil,
        hint: String? = nil
    ) {
        self.id = id
        self.label = label
        self.required = required
        self.secret = secret
        self.format = format
        self.placeholder = placeholder
        self.hint = hint
    }
}

/// Everything the server knows about a destination type without calling its service.
public struct ConnectorDeclaration: Sendable, Hashable {
    /// The credential keys an OAuth connector accepts on top of its declared fields: the code the
    /// provider handed back, and the `state` it came with (Salesforce's sandbox blob, or ours).
    public static let oauthCodeKey = "oauth_code"
    public static let oauthStateKey = "state"

    public var serviceName: String
    public var label: String
    public var authMethod: AuthMethod
    public var documentationSlug: String
    public var fields: [CredentialField]
    /// The objects every destination of this type offers before (or without) discovery.
    public var objects: [DestinationObject]
    /// Whether the API may create one (an OAuth type needs its client configured, but the flow is there).
    public var creatableViaAPI: Bool

    public init(
        serviceName: String,
        label: String,
        authMethod: AuthMethod,
        documentationSlug: String,
        fields: [CredentialField],
        objects: [DestinationObject],
        creatableViaAPI: Bool = true
    ) {
        self.serviceName = serviceName
        self.label = label
        self.authMethod = authMethod
        self.documentationSlug = documentationSlug
        self.fields = fields
        self.objects = objects
        self.creatableViaAPI = creatableViaAPI
    }

    public func field(_ id: String) -> CredentialField? {
        fields.first { $0.id == id }
    }

    /// The keys a client may send in `credentials`.
    public var acceptedKeys: [String] {
        let declared = fields.map(\.id)
        return authMethod == .oauth ? [Self.oauthCodeKey] + declared + [Self.oauthStateKey] : declared
    }
}

extension DestinationObject {
    /// An object of a connector's static catalogue.
    public static func standard(
        _ label: String,
        _ fullName: String,
        customFields: Bool = true,
        caseSensitive: Bool = false
    ) -> DestinationObject {
        DestinationObject(
            label: label,
            fullName: fullName,
            allowCustomFields: customFields,
            allowCaseSensitiveFieldNames: caseSensitive
        )
    }
}
