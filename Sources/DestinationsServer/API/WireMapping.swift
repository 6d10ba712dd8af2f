import DestinationsAPI
import DestinationsCore
import Foundation
import OpenAPIRuntime

/// Translations between the generated wire types and Core's values.
extension JSONValue {
    init(openAPIValue value: (any Sendable)?) {
        switch value {
        case nil: self = .null
        case let value as Bool: self = .bool(value)
        case let value as Int: self = .integer(Int64(value))
        case let value as Double: self = .number(value)
        case let value as String: self = .string(value)
        case let value as [(any Sendable)?]: self = .array(value.map(JSONValue.init(openAPIValue:)))
        case let value as [String: (any Sendable)?]: self = .object(value.mapValues(JSONValue.init(openAPIValue:)))
        default: self = .null
        }
    }

    var openAPIValue: (any Sendable)? {
        switch self {
        case .null: nil
        case .bool(let value): value
        case .integer(let value): Int(value)
        case .number(let value): value
        case .string(let value): value
        case .array(let value): value.map(\.openAPIValue)
        case .object(let value): value.mapValues(\.openAPIValue)
        }
    }
}

extension OpenAPIObjectContainer {
    var jsonObject: [String: JSONValue] { value.mapValues(JSONValue.init(openAPIValue:)) }

    init(_ object: [String: JSONValue]) {
        // Values built from JSONValue are always of the supported types.
        self = (try? OpenAPIObjectContainer(unvalidatedValue: object.mapValues(\.openAPIValue))) ?? OpenAPIObjectContainer()
    }
}

extension Components.Schemas.Destination {
    init(_ destination: Destination) {
        self.init(
            id: destination.id.rawValue,
            name: destination.name,
            _type: destination.type,
            createdAt: destination.createdAt,
            updatedAt: destination.updatedAt,
            connectionDetails: .init(additionalProperties: OpenAPIObjectContainer(destination.connectionDetails)),
            authStatus: destination.authStatus.flatMap { .init(rawValue: $0.rawValue) }
        )
    }
}

extension Components.Schemas.DestinationDetail {
    init(_ detail: DestinationDetail) {
        self.init(
            value1: .init(detail.destination),
            value2: .init(objects: detail.objects.map(Components.Schemas.DestinationObject.init))
        )
    }
}

extension Components.Schemas.DestinationObject {
    init(_ object: DestinationObject) {
        self.init(
            label: object.label,
            fullName: object.fullName,
            allowCustomFields: object.allowCustomFields,
            allowCaseSensitiveFieldNames: object.allowCaseSensitiveFieldNames,
            allowCaseSensitiveFields: object.allowCaseSensitiveFieldNames
        )
    }
}

extension ListEnvelope {
    /// A page with Census's `pagination` block and absolute `next` link.
    init<Source>(_ page: Page<Source>, path: String, baseURL: String, item: (Source) -> Item) {
        let request = page.request
        let next = page.nextPage.map { nextPage in
            var query = "page=\(nextPage)&per_page=\(request.perPage)"
            if request.orderWasGiven { query += "&order=\(request.order.rawValue)" }
            return "\(baseURL)\(path)?\(query)"
        }
        self.init(
            data: page.items.map(item),
            next: next,
            pagination: PaginationBlock(
                totalRecords: page.totalRecords,
                perPage: request.perPage,
                page: request.page,
                prevPage: page.prevPage,
                nextPage: page.nextPage,
                lastPage: page.lastPage
            )
        )
    }
}
