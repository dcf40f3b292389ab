import Foundation

/// One tariff's prices in time order, answering which was in force at a second.
struct PriceSchedule {
    /// The prices, oldest first, with their start in whole seconds.
    private let prices: [(from: Int64, price: TariffPrice)]

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

    /// `[start, end)` cut where a price begins, each piece with its price.
    func pieces(from start: Int64, to end: Int64) -> [(start: Int64, end: Int64, price: TariffPrice?)] {
        var pieces: [(Int64, Int64, TariffPrice?)] = []
        var cursor = start
        for (from, _) in prices where from > start && from < end {
            if from > cursor { pieces.append((cursor, from, price(at: cursor))) }
            cursor = from
        }
        if end > cursor { pieces.append((cursor, end, price(at: cursor))) }
        return pieces
    }
}
