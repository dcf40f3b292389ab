import Foundation

/// Computes statements from SIM periods, prices, usage and bundle changes. Pure: the same
/// inputs always give the same statement.
///
/// The rules, which README's "Costs" section repeats for customers:
/// - A status's monthly fee is prorated to the second: fee × seconds in it ÷ seconds in the month.
/// - The allowance comes with the fee: prorated the same way over the time a fee is paid; data beyond it is priced per MB (1,048,576 bytes)
///   at the price in force at the line's last priced second. A pooled tariff compares the sum
///   of its lines' use with the sum of their allowances, priced at the month's last price.
/// - A bundle grant costs the bundle price, a top-up its bytes at the top-up price per MB,
///   both at the price in force when they happened.
/// - Each line's exact sum is rounded once, half up, to a whole minor unit; totals add rounded lines.
/// - OFFLINE time is put down to the hold in force longest, and saved the LIVE fee less the
///   OFFLINE fee over that time.
public enum StatementCalculator {
    /// The statement `inputs` describe.
    /// - Throws: ``StatementTooLarge`` when an amount cannot be held in a signed 64-bit integer.
    public static func statement(_ inputs: StatementInputs) throws -> Statement {
        var run = StatementRun(inputs)
        run.addPeriods()
        run.addUsage()
        run.addBundleChanges()
        return try run.statement()
    }
}

/// Which line a charge goes on.
struct LineKey: Hashable {
    let simID: SimID
    let tariffNumber: Int?

    var id: String { "\(simID.rawValue):\(tariffNumber.map(String.init) ?? "none")" }
}

/// One line while it is being summed.
struct LineBuilder {
    var actual = LineCharge()
    var forecast = LineCharge()
    var usedBytes: Int128 = 0
    var bundleCount = 0
    var bundleAmount: Int128 = 0
    var topUpCount = 0
    var topUpBytes: Int128 = 0
    /// Top-up bytes × price per MB.
    var topUpValue: Int128 = 0
    var bundleCurrency: String?
    var touched: (first: Int64, last: Int64)?

    mutating func touch(_ second: Int64) {
        touched = (min(touched?.first ?? second, second), max(touched?.last ?? second, second))
    }
}

/// What OFFLINE time under one cause saved, while being summed.
struct SavingKey: Hashable {
    let cause: HoldCause?
    let currency: String
}

/// See ``SavingKey``.
struct SavingSum {
    var seconds: Int64 = 0
    var sims: Set<SimID> = []
    var offlineFees: Int128 = 0
    var liveFees: Int128 = 0
}
