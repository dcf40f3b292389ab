import Foundation
import SimGateCore
import SimGateStore

/// What `simgate bench dashboard` seeded.
public struct DashboardFleet: Sendable {
    /// The customer whose dashboard is timed.
    public let accountID: AccountID
    /// SIMs seeded.
    public let sims: Int
    /// Events seeded.
    public let events: Int
    /// A SIM about halfway down the list, for a deep page.
    public let middleSim: SimID
    /// The ICCID of a SIM to search for.
    public let searchedICCID: String
}

extension Administration {
    /// Seeds a fleet for `simgate bench dashboard`: a customer with `sims` SIMs, nine in ten
    /// LIVE and one in ten OFFLINE on a payment hold, each with a usage record today in
    /// Germany or Austria; and `events` events spread over the SIMs, as status changes with
    /// their cause. Written in bulk, in units of 10,000 SIMs or events.
    public func seedDashboardFleet(sims count: Int, events eventCount: Int, now: Date) async throws -> DashboardFleet {
        let cause = ChangeCause(actor: ChangeActor(.system, id: "bench"), reason: "dashboard fleet for the benchmark")
        let account = try await accounts.createCustomer(name: "Dashboard bench fleet", cause: cause)
        let hold = ChangeCause(actor: ChangeActor(.gatewayEvent, id: "bench"), reason: "invoice unpaid")
        var ids: [SimID] = []
        ids.reserveCapacity(count)
        for first in stride(from: 0, to: count, by: 10_000) {
            let numbers = first..<min(first + 10_000, count)
            let fleet = numbers.map { n -> Sim in
                let body = "898834" + String(format: "%012d", n)
                let held = n % 10 == 3
                let state = held
                    ? SimState(status: .offline, holds: [.payment: Hold(cause: .payment, placedAt: now, origin: hold)])
                    : SimState(status: .live)
                return Sim(
                    id: sims.ids.make(), iccid: ICCID(trusted: body + String(Luhn.checkDigit(for: body))),
                    imsi: IMSI(trusted: "00105" + String(format: "%010d", n)), msisdn: nil, eid: nil, serialNumber: nil,
                    accountID: account.id, state: state, statusChangedAt: now, statusCause: held ? hold : cause, createdAt: now, updatedAt: now
                )
            }
            ids += fleet.map(\.id)
            let records = zip(numbers, fleet).map { n, sim in
                UsageRecord(
                    id: String(format: "dash%022d", n), simID: sim.id, accountID: account.id, source: "api", senderID: "bench-\(n)", sessionID: nil,
                    startedAt: now.addingTimeInterval(-3_600), endedAt: now, bytesUp: UInt64(n * 7_919 % 50 + 1) * 1_048_576, bytesDown: 0,
                    mccMNC: n % 4 == 0 ? "23201" : "26201", country: n % 4 == 0 ? "AT" : "DE", imei: nil
                )
            }
            try await sims.store.transaction { tx in
                try await tx.sims.insert(fleet)
                _ = try await tx.usage.insert(records, now: now)
            }
        }
        for first in stride(from: 0, to: eventCount, by: 10_000) {
            let events = (first..<min(first + 10_000, eventCount)).map { n -> Event in
                let sim = ids[n % ids.count]
                return Event(
                    id: sims.ids.make(), type: .simStatusChanged, accountID: account.id, simID: sim,
                    object: #"{"id":"\#(sim.rawValue)","object":"sim","status":"LIVE"}"#, previousAttributes: #"{"status":"OFFLINE"}"#,
                    cause: cause, createdAt: now
                )
            }
            try await sims.store.transaction { tx in try await tx.events.append(events) }
        }
        let middle = ids[ids.count / 2]
        let searched = "898834" + String(format: "%012d", count / 3)
        return DashboardFleet(
            accountID: account.id, sims: count, events: eventCount, middleSim: middle,
            searchedICCID: searched + String(Luhn.checkDigit(for: searched))
        )
    }
}
