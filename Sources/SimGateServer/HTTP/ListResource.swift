import SimGateStore

/// A page of a cursor list: `{"object": "list", "data": [...], "has_more": ..., "url": ...}`.
struct ListResource<Item: Codable & Sendable & Equatable>: Codable, Equatable, Sendable {
    /// Always `list`.
    let object: String
    /// The route the list came from, such as `/v1/events`.
    let url: String
    /// Whether more items follow this page.
    let hasMore: Bool
    /// This page's items.
    let data: [Item]

    /// The JSON field names, snake_case as the API writes them.
    enum CodingKeys: String, CodingKey {
        case object, url, data
        case hasMore = "has_more"
    }

    /// A list of `data` as given.
    init(url: String, data: [Item], hasMore: Bool) {
        object = "list"
        self.url = url
        self.hasMore = hasMore
        self.data = data
    }

    /// A list of `page`'s items, each turned into an `Item` by `transform`.
    init<Source>(url: String, page: Page<Source>, _ transform: (Source) throws -> Item) rethrows {
        self.init(url: url, data: try page.items.map(transform), hasMore: page.hasMore)
    }
}
