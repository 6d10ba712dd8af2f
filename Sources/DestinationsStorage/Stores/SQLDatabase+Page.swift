import DestinationsCore
import SQLKit

extension SQLDatabase {
    /// One page of a filtered list: the filter's rows counted, then the page's read at its offset in the
    /// request's order of `keys` (each ending in the id, so the order is total).
    /// - Parameters:
    ///   - count: the list's FROM and WHERE, to count.
    ///   - rows: the same rows with the columns `decode` reads (joined, if need be).
    func page<Item>(
        _ request: PageRequest,
        counting count: SQLSelectBuilder,
        rows: SQLSelectBuilder,
        orderedBy keys: [any SQLExpression],
        decode: ([any SQLRow]) async throws -> [Item]
    ) async throws -> Page<Item> {
        let total =
            try await count.column(SQLFunction("COUNT", args: SQLLiteral.all), as: "total").first(decodingColumn: "total", as: Int64.self) ?? 0
        guard let offset = request.offset(whenTotalIs: total) else {
            return Page(items: [], request: request, totalRecords: total)
        }
        let direction: SQLDirection = request.order == .ascending ? .ascending : .descending
        var ordered = rows
        for key in keys { ordered = ordered.orderBy(key, direction) }
        let fetched = try await ordered.limit(Int(request.perPage)).offset(Int(offset)).all()
        return Page(items: try await decode(fetched), request: request, totalRecords: total)
    }
}

/// Newest (or oldest) first by creation, ties broken by id.
let creationOrder: [any SQLExpression] = [SQLColumn("created_at"), SQLColumn("id")]
