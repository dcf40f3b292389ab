/// One page of a cursor list, Stripe's way: newest first, `limit` items after the object
/// `startingAfter` (exclusive), or before `endingBefore`.
public struct PageRequest: Sendable, Equatable {
    /// Items per page when the caller does not say.
    public static let defaultLimit = 10
    /// Largest page a caller may ask for.
    public static let maximumLimit = 100

    /// Most items on the page; the API accepts 1 to ``maximumLimit``.
    public let limit: Int
    /// Id of the last object of the previous page.
    public let startingAfter: String?
    /// Id of the first object of the next page, to page backwards.
    public let endingBefore: String?

    /// A request; with neither cursor it starts at the newest item.
    public init(limit: Int = PageRequest.defaultLimit, startingAfter: String? = nil, endingBefore: String? = nil) {
        self.limit = limit
        self.startingAfter = startingAfter
        self.endingBefore = endingBefore
    }
}

/// A page of results and whether more lie beyond it in the direction of travel.
public struct Page<Item: Sendable>: Sendable {
    /// The page's items, newest first.
    public let items: [Item]
    /// Whether more items lie beyond this page in the direction of travel.
    public let hasMore: Bool

    /// A page of `items`, saying whether more follow.
    public init(items: [Item], hasMore: Bool) {
        self.items = items
        self.hasMore = hasMore
    }
}
