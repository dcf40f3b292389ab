import Foundation
import SimGateCore
import SimGateStore

/// What `simgate bench statement` seeded.
public struct StatementFleet: Sendable {
    /// The customer account billed.
    public let accountID: AccountID
    /// SIMs seeded.
    public let sims: Int
    /// SIMs with a payment hold for ten days of the month.
    public let suspended: Int
    /// SIMs that changed tariff mid-month.
    public let retariffed: Int
}

extension Administration {
    /// Seeds a fleet for `simgate bench statement`: a customer with `count` SIMs LIVE since the
    /// day before `month`, 80% on a standard tariff and 20% on a pooled one; one in ten
    /// OFFLINE on a payment hold from the 11th to the 21st, one in a hundred moved from the
    /// first tariff to the second on the 16th, and a usage record of up to 200 MB per SIM on
    /// the 13th. Periods are written as SIM changes would write them, in bulk.
    public func seedStatementFleet(count: Int, month: BillingMonth) async throws -> StatementFleet {
        let start = month.start, before = month.start.addingTimeInterval(-86_400)
        let cause = ChangeCause(actor: ChangeActor(.system, id: "bench"), reason: "statement fleet for the benchmark")
        let account = try await accounts.createCustomer(name: "Statement bench fleet", cause: cause)
        try await sims.store.transaction { tx in
            for (number, pooled) in [(1, false), (2, true)] {
                let tariff = Tariff(number: number, name: pooled ? "Pooled" : "Standard", kind: .standard, accounts: [account.id], createdAt: before, updatedAt: before)
                guard try await tx.tariffs.insert(tariff) else {
                    throw DomainError(.conflict, code: "tariff_exists", message: "Tariff \(number) exists already; seed a fresh database.")
                }
                _ = try await tx.tariffs.insertPrice(TariffPrice(
                    tariffNumber: number, effectiveFrom: before, currency: "EUR", monthlyFees: [.live: 900, .offline: 100],
                    includedBytes: 100 * DataBundle.bytesPerMegabyte, dataPricePerMB: 2, dataPooled: pooled, bundlePrice: nil, topUpPricePerMB: nil,
                    createdAt: before
                ))
            }
        }
        var suspended = 0, retariffed = 0
        for first in stride(from: 0, to: count, by: 1_000) {
            let numbers = first..<min(first + 1_000, count)
            let fleet = numbers.map { n -> Sim in
                let body = "898833" + String(format: "%012d", n)
                return Sim(
                    id: sims.ids.make(), iccid: ICCID(trusted: body + String(Luhn.checkDigit(for: body))),
                    imsi: IMSI(trusted: "00104" + String(format: "%010d", n)), msisdn: nil, eid: nil, serialNumber: nil,
                    accountID: account.id, state: SimState(status: .live), tariffNumber: n % 5 == 4 ? 2 : 1,
                    statusChangedAt: before, statusCause: cause, createdAt: before, updatedAt: before
                )
            }
            let terms = { (sim: Sim, status: SimStatus, tariff: Int?, hold: HoldCause?) in
                SimBillingTerms(accountID: account.id, tariffNumber: tariff ?? sim.tariffNumber, status: status, holdCause: hold)
            }
            let holds = fleet.enumerated().filter { (numbers.lowerBound + $0.offset) % 10 == 3 }.map(\.element)
            let moves = fleet.enumerated().filter { (numbers.lowerBound + $0.offset) % 100 == 7 }.map(\.element)
            suspended += holds.count
            retariffed += moves.count
            let records = zip(numbers, fleet).map { n, sim in
                UsageRecord(
                    id: String(format: "bench%021d", n), simID: sim.id, accountID: account.id, source: "api", senderID: "bench-\(n)", sessionID: nil,
                    startedAt: start.addingTimeInterval(12 * 86_400), endedAt: start.addingTimeInterval(12 * 86_400 + 3_600),
                    bytesUp: UInt64(n * 7_919 % 200) * DataBundle.bytesPerMegabyte, bytesDown: 0, mccMNC: nil, imei: nil
                )
            }
            try await sims.store.transaction { tx in
                try await tx.sims.insert(fleet)
                try await tx.simPeriods.move(holds.map { ($0.id, terms($0, .offline, nil, .payment), start.addingTimeInterval(10 * 86_400)) })
                try await tx.simPeriods.move(holds.map { ($0.id, terms($0, .live, nil, nil), start.addingTimeInterval(20 * 86_400)) })
                try await tx.simPeriods.move(moves.map { ($0.id, terms($0, .live, 2, nil), start.addingTimeInterval(15 * 86_400)) })
                _ = try await tx.usage.insert(records, now: start.addingTimeInterval(12 * 86_400 + 3_600))
            }
        }
        return StatementFleet(accountID: account.id, sims: count, suspended: suspended, retariffed: retariffed)
    }

    /// Freezes the account's statement of the closed `month`, as the hourly job would.
    public func freezeStatement(of accountID: AccountID, month: BillingMonth) async throws {
        let statements = StatementService(store: sims.store, clock: sims.clock, ids: sims.ids, settings: StatementSettings())
        _ = try await statements.freeze(accountID, month: month)
    }
}
