/// `asc` or `desc` by creation time, ties broken by id.
public enum SortOrder: String, Sendable, Hashable, CaseIterable {
    case ascending = "asc"
    case descending = "desc"
}

/// A validated page request, following Census's conventions: `page` below 1 is 1, `per_page` above
/// the maximum is cut to it, `per_page` below 1 is an error.
public struct PageRequest: Sendable, Hashable {
    public static let defaultPerPage: Int64 = 25
    public static let maximumPerPage: Int64 = 100

    public let page: Int64
    public let perPage: Int64
    public let order: SortOrder
    /// Whether the caller named the order, so the `next` link repeats it only then.
    public let orderWasGiven: Bool

    /// - Parameter defaultOrder: newest first for destinations (as Census); catalogue order for lists
    ///   that have one (objects as the service lists them, connectors by name).
    public init(page: Int64?, perPage: Int64?, order: SortOrder?, defaultOrder: SortOrder = .descending) throws(APIError) {
        let perPage = perPage ?? Self.defaultPerPage
        guard perPage >= 1 else {
            throw .badRequest("per_page must be at least 1")
        }
        self.page = max(1, page ?? 1)
        self.perPage = min(perPage, Self.maximumPerPage)
        self.order = order ?? defaultOrder
        self.orderWasGiven = order != nil
    }

    /// How many rows precede this page, or nil when the page starts past `total` (nothing to fetch).
    public func offset(whenTotalIs total: Int64) -> Int64? {
        guard page <= Page<Never>.lastPage(total: total, perPage: perPage) else { return nil }
        return (page - 1) * perPage
    }
}

/// One page of a list, with Census's `pagination` block derived from the total.
public struct Page<Item> {
    public var items: [Item]
    public var request: PageRequest
    public var totalRecords: Int64

    public init(items: [Item], request: PageRequest, totalRecords: Int64) {
        self.items = items
        self.request = request
        self.totalRecords = totalRecords
    }

    static func lastPage(total: Int64, perPage: Int64) -> Int64 {
        max(1, (total + perPage - 1) / perPage)
    }

    public var lastPage: Int64 { Self.lastPage(total: totalRecords, perPage: request.perPage) }
    public var prevPage: Int64? { request.page > 1 ? request.page - 1 : nil }
    public var nextPage: Int64? { request.page < lastPage ? request.page + 1 : nil }

    public func map<T>(_ transform: (Item) throws -> T) rethrows -> Page<T> {
        Page<T>(items: try items.map(transform), request: request, totalRecords: totalRecords)
    }
}

extension Page: Sendable where Item: Sendable {}
