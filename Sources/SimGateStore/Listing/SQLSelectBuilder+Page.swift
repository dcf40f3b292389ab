import SQLKit

extension SQLSelectBuilder {
    /// Orders by `id` (newest first), applies the page's cursor and fetches one row more than
    /// the limit, so that ``pageOf(_:request:)`` can tell whether there is more.
    ///
    /// Ids sort by creation time (see `IdentifierGenerator`), so rows inserted while a client
    /// pages never shift the pages it has not read yet.
    func paged(_ request: PageRequest, idColumn: String = "id") -> Self {
        paged(request, id: SQLColumn(idColumn))
    }

    /// ``paged(_:idColumn:)`` by any id expression (a joined table's column, say).
    func paged(_ request: PageRequest, id: any SQLExpression) -> Self {
        if let after = request.startingAfter {
            return self.where(id, .lessThan, SQLBind(after))
                .orderBy(id, SQLDirection.descending)
                .limit(request.limit + 1)
        }
        if let before = request.endingBefore {
            return self.where(id, .greaterThan, SQLBind(before))
                .orderBy(id, SQLDirection.ascending)
                .limit(request.limit + 1)
        }
        return self.orderBy(id, SQLDirection.descending).limit(request.limit + 1)
    }
}

/// Cuts the extra row fetched by `paged(_:)` and restores newest-first order.
func pageOf<Item: Sendable>(_ items: [Item], request: PageRequest) -> Page<Item> {
    let hasMore = items.count > request.limit
    var kept = Array(items.prefix(request.limit))
    if request.startingAfter == nil, request.endingBefore != nil { kept.reverse() }
    return Page(items: kept, hasMore: hasMore)
}
