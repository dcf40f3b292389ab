import Foundation
@testable import SimGateCore
import Testing

@Suite("What usage changes about a SIM")
struct SimUsageFactsTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)
    static let phoneA = try! IMEI(fromNetwork: "4901542032375101")
    static let phoneB = try! IMEI(fromNetwork: "3533240000000201")

    static func usage(_ bytes: UInt64, at minute: Double, network: String? = nil, country: String? = nil, imei: IMEI? = nil) -> UsageObservation {
        let end = start.addingTimeInterval(minute * 60)
        return UsageObservation(bytes: bytes, startedAt: end.addingTimeInterval(-60), endedAt: end, mccMNC: network, country: country, imei: imei)
    }

    @Test("the first bytes set first use; the first device is bound; the first network is a location change from nowhere")
    func firstRecord() {
        var facts = SimUsageFacts(firstUseAt: nil, imei: nil, lastSeen: nil)
        #expect(facts.observe(Self.usage(0, at: 1, network: "26201", country: "DE")) == [.locationChanged(previous: nil)])
        #expect(facts.firstUseAt == nil, "no bytes, no first use")
        let effects = facts.observe(Self.usage(10, at: 2, network: "26201", country: "DE", imei: Self.phoneA))
        #expect(effects == [.firstUse, .deviceBound])
        #expect(facts.firstUseAt == Self.start.addingTimeInterval(60))
        #expect(facts.imei == Self.phoneA)
        #expect(facts.lastSeen?.imei == Self.phoneA)
        #expect(facts.lastSeen?.since == Self.start.addingTimeInterval(120), "the device first appeared at minute 2")
    }

    @Test("roaming and a device swap each change the sighting; the bound IMEI stays")
    func roamingAndSwap() {
        var facts = SimUsageFacts(firstUseAt: Self.start, imei: Self.phoneA, lastSeen: SimSighting(mccMNC: "26201", country: "DE", imei: Self.phoneA, since: Self.start))
        let before = facts.lastSeen
        #expect(facts.observe(Self.usage(5, at: 10, network: "20801", country: "FR")) == [.locationChanged(previous: before)])
        #expect(facts.observe(Self.usage(5, at: 20, network: "20801", country: "FR", imei: Self.phoneB)) == [.deviceChanged(previous: Self.phoneA)])
        #expect(facts.imei == Self.phoneA)
        #expect(facts.lastSeen == SimSighting(mccMNC: "20801", country: "FR", imei: Self.phoneB, since: Self.start.addingTimeInterval(1_200)))
        #expect(facts.observe(Self.usage(5, at: 30, network: "20801", country: "FR", imei: Self.phoneB)).isEmpty, "nothing new, nothing changes")
    }

    @Test("a device other than the one bound through the API is a swap even before any sighting")
    func boundThroughAPI() {
        var facts = SimUsageFacts(firstUseAt: Self.start, imei: Self.phoneA, lastSeen: nil)
        #expect(facts.observe(Self.usage(5, at: 1, imei: Self.phoneB)) == [.deviceChanged(previous: Self.phoneA)])
        var same = SimUsageFacts(firstUseAt: Self.start, imei: Self.phoneA, lastSeen: nil)
        #expect(same.observe(Self.usage(5, at: 1, imei: Self.phoneA)).isEmpty)
        #expect(same.lastSeen?.imei == Self.phoneA, "seen, though nothing worth an event changed")
    }

    @Test("a record older than the current sighting moves neither place nor device, but still counts as first use")
    func lateRecord() {
        let sighting = SimSighting(mccMNC: "20801", country: "FR", imei: Self.phoneB, since: Self.start.addingTimeInterval(3_600))
        var facts = SimUsageFacts(firstUseAt: nil, imei: Self.phoneB, lastSeen: sighting)
        #expect(facts.observe(Self.usage(5, at: 30, network: "26201", country: "DE", imei: Self.phoneA)) == [.firstUse])
        #expect(facts.lastSeen == sighting)
    }

    @Test("a country without a network (bulk records) changes the place; the network is then unknown")
    func countryOnly() {
        var facts = SimUsageFacts(firstUseAt: Self.start, imei: nil, lastSeen: SimSighting(mccMNC: "26201", country: "DE", imei: nil, since: Self.start))
        #expect(facts.observe(Self.usage(5, at: 5, country: "ES")).count == 1)
        #expect(facts.lastSeen?.country == "ES")
        #expect(facts.lastSeen?.mccMNC == nil)
    }
}
