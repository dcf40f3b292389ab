import SimGateStore

/// A page of a cursor list: `{"object": "list", "data": [...], "has_more": ..., "url": ...}`.
struct ListResource<Item: Codable & Sendable & Equatable>: Codable, Equatable, Sendable {
    let object: String
    let url: String
    let hasMore: Bool
    let data: [Item]

    enum CodingKeys: String, CodingKey {
        case object, url, data
        case hasMore = "has_more"
    }

    init(url: String, data: [Item], hasMore: Bool) {
        object = "list"
        self.url = url
        self.hasMore = hasMore
        self.data = data
    }

    init<Source>(url: String, page: Page<Source>, _ transform: (Source) throws -> Item) rethrows {
        self.init(url: url, data: try page.items.map(transform), hasMore: page.hasMore)
    }
}
