/// One page of a cursor list, Stripe's way: newest first, `limit` items after the object
/// `startingAfter` (exclusive), or before `endingBefore`.
public struct PageRequest: Sendable, Equatable {
    /// Items per page when the caller does not say.
    public static let defaultLimit = 10
    /// Largest page a caller may ask for.
    public static let maximumLimit = 100

    public let limit: Int
    /// Id of the last object of the previous page.
    public let startingAfter: String?
    /// Id of the first object of the next page, to page backwards.
    public let endingBefore: String?

    public init(limit: Int = PageRequest.defaultLimit, startingAfter: String? = nil, endingBefore: String? = nil) {
        self.limit = limit
        self.startingAfter = startingAfter
        self.endingBefore = endingBefore
    }
}

/// A page of results and whether more lie beyond it in the direction of travel.
public struct Page<Item: Sendable>: Sendable {
    public let items: [Item]
    public let hasMore: Bool

    public init(items: [Item], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }
}
