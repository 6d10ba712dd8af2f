// Hand-written stand-ins for schemas of openapi.yaml (see typeOverrides in the generator config):
// Census sends `"next": null` and `"prev_page": null` explicitly, and synthesized Codable would drop them.

package import DestinationsCore

/// The `pagination` block of every list response.
package struct PaginationBlock: Codable, Hashable, Sendable {
    package var totalRecords: Int64
    package var perPage: Int64
    package var page: Int64
    package var prevPage: Int64?
    package var nextPage: Int64?
    package var lastPage: Int64

    package init(totalRecords: Int64, perPage: Int64, page: Int64, prevPage: Int64?, nextPage: Int64?, lastPage: Int64) {
        self.totalRecords = totalRecords
        self.perPage = perPage
        self.page = page
        self.prevPage = prevPage
        self.nextPage = nextPage
        self.lastPage = lastPage
    }

    enum CodingKeys: String, CodingKey {
        case totalRecords = "total_records"
        case perPage = "per_page"
        case page
        case prevPage = "prev_page"
        case nextPage = "next_page"
        case lastPage = "last_page"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(totalRecords, forKey: .totalRecords)
        try container.encode(perPage, forKey: .perPage)
        try container.encode(prevPage, forKey: .prevPage)
        try container.encode(page, forKey: .page)
        try container.encode(nextPage, forKey: .nextPage)
        try container.encode(lastPage, forKey: .lastPage)
    }
}

/// `{"status": "success", "data": [...], "next": ..., "pagination": {...}}`.
package struct ListEnvelope<Item: Codable & Hashable & Sendable>: Codable, Hashable, Sendable {
    package var data: [Item]
    package var next: String?
    package var pagination: PaginationBlock

    package init(data: [Item], next: String?, pagination: PaginationBlock) {
        self.data = data
        self.next = next
        self.pagination = pagination
    }

    enum CodingKeys: String, CodingKey {
        case status, data, next, pagination
    }

    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.data = try container.decode([Item].self, forKey: .data)
        self.next = try container.decodeIfPresent(String.self, forKey: .next)
        self.pagination = try container.decode(PaginationBlock.self, forKey: .pagination)
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("success", forKey: .status)
        try container.encode(data, forKey: .data)
        try container.encode(next, forKey: .next)
        try container.encode(pagination, forKey: .pagination)
    }
}

package typealias DestinationListEnvelope = ListEnvelope<Components.Schemas.Destination>
package typealias DestinationObjectListEnvelope = ListEnvelope<Components.Schemas.DestinationObject>
package typealias ConnectorListEnvelope = ListEnvelope<Components.Schemas.Connector>
package typealias AuditEventListEnvelope = ListEnvelope<AuditEventPayload>
package typealias WorkspaceListEnvelope = ListEnvelope<Components.Schemas.Workspace>
package typealias ConnectLinkListEnvelope = ListEnvelope<ConnectLinkPayload>

/// `connection_details`, encoded from Core's values directly: the generic container the generator would use
/// casts every value dynamically, a tenth of the cost of a list page.
package typealias ConnectionDetailsPayload = [String: JSONValue]

/// A connection form field, with Census's explicit nulls (`"placeholder": null`).
package struct ConfigurationFieldPayload: Codable, Hashable, Sendable {
    package var id: String
    package var label: String
    package var type: String
    package var rules: [String]
    package var isPasswordTypeField: Bool
    package var placeholder: String?
    package var hint: String?
    package var possibleValues: [String]?

    package init(
        id: String,
        label: String,
        type: String,
        rules: [String],
        isPasswordTypeField: Bool,
        placeholder: String?,
        hint: String?,
        possibleValues: [String]?
    ) {
        self.id = id
        self.label = label
        self.type = type
        self.rules = rules
        self.isPasswordTypeField = isPasswordTypeField
        self.placeholder = placeholder
        self.hint = hint
        self.possibleValues = possibleValues
    }

    enum CodingKeys: String, CodingKey {
        case id, label, type, rules, placeholder, hint
        case isPasswordTypeField = "is_password_type_field"
        case possibleValues = "possible_values"
    }

    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(label, forKey: .label)
        try container.encode(type, forKey: .type)
        try container.encode(rules, forKey: .rules)
        try container.encode(isPasswordTypeField, forKey: .isPasswordTypeField)
        try container.encode(placeholder, forKey: .placeholder)
        try container.encode(hint, forKey: .hint)
        try container.encode(possibleValues, forKey: .possibleValues)
    }
}
