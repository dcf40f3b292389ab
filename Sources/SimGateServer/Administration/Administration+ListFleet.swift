import Foundation
import SimGateCore
import SimGateStore

/// What ``Administration/seedListFleet(sims:events:now:)`` made, for `simgate bench lists`.
public struct ListFleet: Sendable {
    /// The customer whose lists are timed.
    public let accountID: AccountID
    /// A SIM about halfway down the list, for deep pages.
    public let middleSim: SimID
    /// An event about halfway down the list, for deep pages.
    public let middleEvent: EventID
}

extension Administration {
    /// Seeds a fleet for `simgate bench lists`: a customer with `sims` SIMs, one in ten
    /// OFFLINE, each with one of 20 labels (`fleet-0` to `fleet-19`), a tariff number from 1
    /// to 5 and a serving country (DE, AT, FR or IT); and `events` events over the 30 days
    /// before `now`, of three types (status changed, hold placed, updated), spread over the
    /// SIMs. Written in bulk, 10,000 rows to a unit of work.
    public func seedListFleet(sims count: Int, events eventCount: Int, now: Date) async throws -> ListFleet {
        let cause = ChangeCause(actor: ChangeActor(.system, id: "bench"), reason: "list fleet for the benchmark")
        let account = try await accounts.createCustomer(name: "List bench fleet", cause: cause)
        let countries = [("26201", "DE"), ("23201", "AT"), ("20801", "FR"), ("22201", "IT")]
        var ids: [SimID] = []
        ids.reserveCapacity(count)
        for first in stride(from: 0, to: count, by: 10_000) {
            let fleet = (first..<min(first + 10_000, count)).map { n -> Sim in
                let body = "898835" + String(format: "%012d", n)
                let (mccMNC, country) = countries[n % countries.count]
                return Sim(
                    id: sims.ids.make(), iccid: ICCID(trusted: body + String(Luhn.checkDigit(for: body))),
                    imsi: IMSI(trusted: "00106" + String(format: "%010d", n)), msisdn: nil, eid: nil, serialNumber: nil,
                    accountID: account.id, state: SimState(status: n % 10 == 3 ? .offline : .live), tariffNumber: n % 5 + 1,
                    labels: SimLabels(trusted: ["fleet-\(n % 20)"]),
                    lastSeen: SimSighting(mccMNC: mccMNC, country: country, imei: nil, since: now),
                    statusChangedAt: now, statusCause: cause, createdAt: now, updatedAt: now
                )
            }
            ids += fleet.map(\.id)
            try await sims.store.transaction { tx in try await tx.sims.insert(fleet) }
        }
        let types: [EventType] = [.simStatusChanged, .simHoldPlaced, .simUpdated]
        let span = 30 * 86_400.0
        var middleEvent: EventID?
        for first in stride(from: 0, to: eventCount, by: 10_000) {
            let events = (first..<min(first + 10_000, eventCount)).map { n -> Event in
                let sim = ids[n % ids.count]
                let event = Event(
                    id: sims.ids.make(), type: types[n % types.count], accountID: account.id, simID: sim,
                    object: #"{"id":"\#(sim.rawValue)","object":"sim","status":"LIVE"}"#, previousAttributes: #"{"status":"OFFLINE"}"#,
                    cause: cause, createdAt: now.addingTimeInterval(-span + span * Double(n) / Double(max(1, eventCount)))
                )
                return event
            }
            if middleEvent == nil, first + events.count > eventCount / 2 { middleEvent = events[eventCount / 2 - first].id }
            try await sims.store.transaction { tx in try await tx.events.append(events) }
        }
        return ListFleet(accountID: account.id, middleSim: ids[ids.count / 2], middleEvent: middleEvent ?? EventID(trusted: "evt_none"))
    }
}
