import Foundation
import SimGateCore
import SimGateStore

extension Administration {
    /// Seeds a fleet for `simgate bench aofu`: a customer account, AOFU tariff `tariff` offered
    /// to it, and `count` LIVE SIMs on that tariff whose first use makes their shutdowns fall due
    /// evenly over `spread` seconds from `dueFrom`, each shutdown queued as the durable job
    /// first use would queue. Written in bulk, a thousand SIMs per unit of work; returns the
    /// account.
    public func seedAOFUFleet(count: Int, tariff number: Int, dueFrom: Date, spread: TimeInterval) async throws -> AccountID {
        let now = sims.clock.now()
        let cause = ChangeCause(actor: ChangeActor(.system, id: "bench"), reason: "AOFU fleet for the benchmark")
        let account = try await accounts.createCustomer(name: "AOFU bench fleet", cause: cause)
        let threshold = ShutdownThreshold(hours: 1)!
        try await sims.store.transaction { tx in
            let tariff = Tariff(number: number, name: "AOFU bench", kind: .aofu, accounts: [account.id], createdAt: now, updatedAt: now)
            guard try await tx.tariffs.insert(tariff) else {
                throw DomainError(.conflict, code: "tariff_exists", message: "Tariff \(number) exists already; seed a fresh database.")
            }
        }
        for start in stride(from: 0, to: count, by: 1_000) {
            let fleet = (start..<min(start + 1_000, count)).map { n -> Sim in
                let body = "898832" + String(format: "%012d", n)
                let due = dueFrom.addingTimeInterval(spread * Double(n) / Double(max(count, 1)))
                return Sim(
                    id: sims.ids.make(), iccid: ICCID(trusted: body + String(Luhn.checkDigit(for: body))),
                    imsi: IMSI(trusted: "00103" + String(format: "%010d", n)), msisdn: nil, eid: nil, serialNumber: nil,
                    accountID: account.id, state: SimState(status: .live), tariffNumber: number,
                    firstUseAt: due.addingTimeInterval(-3_600), shutdownThreshold: threshold,
                    statusChangedAt: now, statusCause: cause, createdAt: now, updatedAt: now
                )
            }
            try await sims.store.transaction { tx in
                try await tx.sims.insert(fleet)
                try await tx.sims.grantBundles(fleet.map(\.id), bytes: 100 * DataBundle.bytesPerMegabyte)
                for sim in fleet {
                    guard let shutdownAt = sim.shutdownAt else { continue }
                    try await tx.jobs.enqueue(try AOFUShutdownJob.job(for: sim.id, shutdownAt: shutdownAt, now: now), now: now)
                }
            }
        }
        return account.id
    }

    /// How the shutdowns of tariff `number` went: each SIM's due time, status and last status
    /// change, and how many `sim.unprovisioned` events each SIM has.
    public func shutdownReport(tariff number: Int) async throws -> (outcomes: [ShutdownOutcome], unprovisionedEvents: [SimID: Int]) {
        try await sims.store.read { tx in
            (try await tx.sims.shutdownOutcomes(tariff: number), try await tx.events.countsBySim(type: .simUnprovisioned))
        }
    }

    /// How many SIMs of tariff `number` are still provisioned.
    public func provisionedCount(tariff number: Int) async throws -> Int {
        try await sims.store.read { tx in try await tx.sims.provisionedCount(tariff: number) }
    }
}
