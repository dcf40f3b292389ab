import Foundation

/// One tariff's prices in time order, answering which was in force at a second.
struct PriceSchedule {
    /// The prices, oldest first, with their start in whole seconds.
    private let prices: [(from: Int64, price: TariffPrice)]

    /// The schedule of `prices`, in any order.
    init(_ prices: [TariffPrice]) {
        self.prices = prices.map { ($0.effectiveFrom.epochSeconds, $0) }.sorted { $0.from < $1.from }
    }

    /// The price in force at `second`, if any had started by then.
    func price(at second: Int64) -> TariffPrice? {
        var low = 0, high = prices.count
        while low < high {
            let middle = (low + high) / 2
            if prices[middle].from <= second { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : prices[low - 1].price
    }

    /// Calls `body` for each piece of `[start, end)` cut where a price begins, with its price.
    func forEachPiece(from start: Int64, to end: Int64, _ body: (Int64, Int64, TariffPrice?) -> Void) {
        var cursor = start
        for (from, _) in prices where from > start && from < end {
            if from > cursor { body(cursor, from, price(at: cursor)) }
            cursor = from
        }
        if end > cursor { body(cursor, end, price(at: cursor)) }
    }
}
