import Foundation
import SimGateRADIUS
import SimGateStore
import SimGateCore
import SimGateTestSupport
import Testing

/// Authentic packets with hostile contents, as a gateway with bugs (or an attacker holding a
/// secret) would send them: each must be answered or dropped with a reason, never crash the
/// server, and leave it serving everyone else.
@Suite("RADIUS fuzzing against the whole app", .timeLimit(.minutes(2)))
struct RADIUSFuzzTests {
    static let secret = Array(TestHarness.radiusSecret.utf8)

    /// An attribute mangled in one of the ways broken gateways mangle them.
    static func hostileAttribute(using random: inout SeededGenerator) -> RADIUSAttribute {
        let threeGPP: [UInt8] = [0x00, 0x00, 0x28, 0xAF]
        switch Int.random(in: 0..<9, using: &random) {
        case 0:  // Random bytes under a random type.
            return RADIUSAttribute(type: .random(in: 1...255, using: &random), value: (0..<Int.random(in: 0...40, using: &random)).map { _ in .random(in: 0...255, using: &random) })
        case 1:  // A 3GPP VSA whose sub-attribute claims more than there is.
            return RADIUSAttribute(type: RADIUSAttributeType.vendorSpecific, value: threeGPP + [ThreeGPPAttribute.imsi, 40, 0x31, 0x32])
        case 2:  // A sub-attribute length below two.
            return RADIUSAttribute(type: RADIUSAttributeType.vendorSpecific, value: threeGPP + [ThreeGPPAttribute.sgsnMCCMNC, 1])
        case 3:  // Gigawords at their largest.
            return .integer([RADIUSAttributeType.acctInputGigawords, RADIUSAttributeType.acctOutputGigawords].randomElement(using: &random)!, .max)
        case 4:  // Integers of the wrong length.
            return RADIUSAttribute(
                type: [RADIUSAttributeType.acctStatusType, RADIUSAttributeType.acctInputOctets, RADIUSAttributeType.eventTimestamp, RADIUSAttributeType.acctSessionTime].randomElement(using: &random)!,
                value: (0..<[0, 1, 3, 5, 8].randomElement(using: &random)!).map { _ in .random(in: 0...255, using: &random) }
            )
        case 5:  // An Acct-Status-Type no gateway should send.
            return .integer(RADIUSAttributeType.acctStatusType, .random(in: 0...20, using: &random))
        case 6:  // Event-Timestamp anywhere in 32 bits.
            return .integer(RADIUSAttributeType.eventTimestamp, .random(in: 0...UInt32.max, using: &random))
        case 7:  // A User-Location-Info of random shape.
            return .vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.userLocationInfo,
                                   value: (0..<Int.random(in: 0...20, using: &random)).map { _ in .random(in: 0...255, using: &random) })
        default:  // Text that is not UTF-8 where text is expected.
            return RADIUSAttribute(type: [RADIUSAttributeType.userName, RADIUSAttributeType.acctSessionID, RADIUSAttributeType.nasIdentifier].randomElement(using: &random)!,
                                   value: [0xFF, 0xFE, 0xC0, 0x80])
        }
    }

    /// The sum of every sample of a metric whose line starts with `prefix`.
    static func sum(_ metrics: String, _ prefix: String) -> Int {
        metrics.split(separator: "\n").filter { $0.hasPrefix(prefix) }.compactMap { $0.split(separator: " ").last.flatMap { Int($0) } }.reduce(0, +)
    }

    @Test("hundreds of authentic but mangled requests are each answered or dropped; valid requests are served exactly afterwards", arguments: TestEngine.available)
    func mangledAuthenticPackets(engine: TestEngine) async throws {
        var random = SeededGenerator.fromEnvironment()
        let seed = random.seed
        let rounds = 300
        var accounting: [[UInt8]] = [], access: [[UInt8]] = []
        for round in 0..<rounds {
            var base = GatewayAccountingRequest(
                [.start, .interimUpdate, .stop].randomElement(using: &random)!, nas: .address([127, 0, 0, 1]), sessionID: "fuzz-\(round % 17)",
                imsi: Fixtures.imsi(Int.random(in: 0...2, using: &random)), mccMNC: "26201",
                inputBytes: .random(in: 0...UInt64.max, using: &random), outputBytes: .random(in: 0...UInt64.max, using: &random)
            ).signed(identifier: UInt8(round % 256), secret: Self.secret)
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let attribute = Self.hostileAttribute(using: &random)
                if Bool.random(using: &random), !base.attributes.isEmpty {
                    base.attributes[Int.random(in: 0..<base.attributes.count, using: &random)] = attribute
                } else {
                    base.attributes.append(attribute)
                }
            }
            accounting.append(RADIUSAuthenticators.signRequest(base, secret: Self.secret).encoded())
            var request = RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: "pgw", identifier: UInt8(round % 256))
            request.attributes.append(Self.hostileAttribute(using: &random))
            access.append(RADIUSAuthenticators.signRequest(request, secret: Self.secret).encoded())
        }
        let (accountingPackets, accessPackets) = (accounting, access)
        try await TestHarness.run(engine) { app in
            let sims = try await app.importSims(0..<4)
            for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey) }
            for start in stride(from: 0, to: rounds, by: 50) {
                _ = try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange(Array(accountingPackets[start..<start + 50]), wait: .milliseconds(200), expecting: 50)
                _ = try await RADIUSUDPTestClient(serverPort: app.radiusPort).exchange(Array(accessPackets[start..<start + 50]), wait: .milliseconds(200), expecting: 50)
            }
            // Every request that arrived whole is accounted for: answered or dropped with a reason.
            await app.radius.waitUntilSettled(2 * rounds)
            let metrics = try await app.request(.get, "/metrics", key: nil).text
            #expect(Self.sum(metrics, "simgate_radius_requests_total") == 2 * rounds, "seed \(seed)")
            #expect(Self.sum(metrics, "simgate_radius_replies_total") + Self.sum(metrics, "simgate_radius_dropped_total") == 2 * rounds, "seed \(seed)\n\(metrics)")

            // Still serving, and still counting exactly.
            #expect(try await RADIUSAccessTests.ask(app, RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(3), userName: "pgw", identifier: 1)).0 == .accessAccept)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "after", imsi: Fixtures.imsi(3), input: 0, output: 0, identifier: 2),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "after", imsi: Fixtures.imsi(3), input: 1_000, output: 2_000, identifier: 3),
            ])
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let total = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: sims[3]), period: month) }
            #expect(total.up == 1_000 && total.down == 2_000, "seed \(seed)")
            // Totals of the fuzzed SIMs are still exact integers the API can show.
            for sim in sims.prefix(3) {
                #expect(try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: app.operatorKey).status == 200, "seed \(seed)")
            }
        }
    }
}
