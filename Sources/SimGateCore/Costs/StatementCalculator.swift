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
        try run.addSims()
        return try run.statement()
    }
}
