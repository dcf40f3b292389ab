import Foundation

/// The exact sums behind one statement line over one window (the time so far, or to the
/// month's end for a forecast). Fees are kept as minor units × seconds and data as minor
/// units × bytes per MB, so nothing is rounded until the line is.
struct LineCharge {
    /// Seconds per status.
    var seconds = PerStatus<Int64>()
    /// Fee × seconds per status.
    var fees = PerStatus<Int128>()
    /// Seconds no price covered.
    var unpricedSeconds: Int64 = 0
    /// Allowance bytes × seconds.
    var includedByteSeconds: Int128 = 0
    /// The price of the latest priced second: it prices the line's data beyond the allowance.
    var lastPrice: TariffPrice?
    /// The first and last seconds covered.
    var from: Int64?
    /// The second after the last one covered.
    var to: Int64?

    /// Adds `[start, end)` spent in `status`, cut at the tariff's price changes.
    mutating func add(status: SimStatus, from start: Int64, to end: Int64, prices: PriceSchedule, saving: (SimStatus, Int64, TariffPrice) -> Void) {
        guard end > start else { return }
        from = min(from ?? start, start)
        to = max(to ?? end, end)
        seconds[status] += end - start
        prices.forEachPiece(from: start, to: end) { pieceStart, pieceEnd, price in
            let length = pieceEnd - pieceStart
            guard let price else {
                unpricedSeconds += length
                return
            }
            let fee = price.monthlyFees[status] ?? 0
            fees[status] += Int128(fee) * Int128(length)
            // The allowance comes with the fee: time that pays none includes no data.
            if fee > 0 { includedByteSeconds += Int128(price.includedBytes) * Int128(length) }
            lastPrice = price
            saving(status, length, price)
        }
    }

    /// Bytes included, for a month of `monthSeconds`: rounded down.
    func includedBytes(monthSeconds: Int64) -> Int128 { includedByteSeconds / Int128(monthSeconds) }

    /// Fees of all statuses, as minor units × seconds.
    var totalFees: Int128 { SimStatus.allCases.reduce(0) { $0 + fees[$1] } }
}

/// A number per status, kept without a dictionary: a statement sums millions of them.
struct PerStatus<Value: AdditiveArithmetic> {
    private var inventory = Value.zero, live = Value.zero, offline = Value.zero, unprovisioned = Value.zero, retired = Value.zero

    /// The number for `status`.
    subscript(status: SimStatus) -> Value {
        get {
            switch status {
            case .inventory: inventory
            case .live: live
            case .offline: offline
            case .unprovisioned: unprovisioned
            case .retired: retired
            }
        }
        set {
            switch status {
            case .inventory: inventory = newValue
            case .live: live = newValue
            case .offline: offline = newValue
            case .unprovisioned: unprovisioned = newValue
            case .retired: retired = newValue
            }
        }
    }
}

/// Exact amounts as a numerator over a fixed denominator, rounded once.
enum ExactAmount {
    /// Bytes in a MB, the unit data is priced in.
    static let bytesPerMB: Int128 = 1_048_576

    /// `numerator / denominator` rounded half up (both non-negative), without ever doubling
    /// the numerator (which could pass Int128).
    static func rounded(_ numerator: Int128, over denominator: Int128) -> Int128 {
        let (quotient, remainder) = numerator.quotientAndRemainder(dividingBy: denominator)
        return remainder >= denominator - remainder ? quotient + 1 : quotient
    }

    /// `left + right`, or an error naming `item` if it passes Int128.
    static func add(_ left: Int128, _ right: Int128, _ item: @autoclosure () -> String) throws -> Int128 {
        let (sum, overflow) = left.addingReportingOverflow(right)
        guard !overflow else { throw StatementTooLarge(item: item()) }
        return sum
    }

    /// `terms` multiplied and summed, or an error naming `item` if any step passes Int128.
    static func sum(of terms: [(Int128, Int128)], _ item: @autoclosure () -> String) throws -> Int128 {
        var total: Int128 = 0
        for (left, right) in terms {
            let (product, overflow) = left.multipliedReportingOverflow(by: right)
            let (next, carry) = total.addingReportingOverflow(product)
            guard !overflow, !carry else { throw StatementTooLarge(item: item()) }
            total = next
        }
        return total
    }

    /// `value` as an Int64, or an error naming `item`.
    static func checked(_ value: Int128, _ item: @autoclosure () -> String) throws -> Int64 {
        guard let fitting = Int64(exactly: value) else { throw StatementTooLarge(item: item()) }
        return fitting
    }

    /// `value` as a byte count, or an error naming `item`.
    static func bytes(_ value: Int128, _ item: @autoclosure () -> String) throws -> UInt64 {
        guard let fitting = UInt64(exactly: max(0, value)), fitting <= UInt64(Int64.max) else { throw StatementTooLarge(item: item(), quantity: "byte count") }
        return fitting
    }
}
