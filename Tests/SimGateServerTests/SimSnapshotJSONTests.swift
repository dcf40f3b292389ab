import Foundation
import SimGateCore
import SimGateTestSupport
import Testing
@testable import SimGateServer

@Suite("SIM snapshots written directly")
struct SimSnapshotJSONTests {
    /// Text with what JSON must escape, and what it must not: quotes, backslashes, every
    /// control character, DEL, slashes and characters beyond ASCII.
    private static func text(_ random: inout SeededGenerator) -> String {
        let pieces = ["a", "Z", "9", "\"", "\\", "/", "\u{7f}", "é", "漢", "🚲", "\u{2028}", " ", "_", "-"]
        var text = ""
        for _ in 0..<Int.random(in: 0...12, using: &random) {
            if Bool.random(using: &random) {
                text.unicodeScalars.append(Unicode.Scalar(UInt8.random(in: 0...0x1f, using: &random)))
            } else {
                text += pieces.randomElement(using: &random)!
            }
        }
        return text
    }

    private static func cause(_ random: inout SeededGenerator) -> ChangeCause {
        let kinds: [ChangeActor.Kind] = [.apiKey, .rule, .gatewayEvent, .scheduler, .network, .system, .apiClient]
        return ChangeCause(
            actor: ChangeActor(kinds.randomElement(using: &random)!, id: Bool.random(using: &random) ? text(&random) : nil),
            reason: Bool.random(using: &random) ? text(&random) : nil
        )
    }

    private static func time(_ random: inout SeededGenerator) -> Date {
        Date(epochMilliseconds: Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &random))
    }

    /// A SIM with random fields (number `n`), every optional sometimes absent.
    private static func randomSim(_ n: Int, _ random: inout SeededGenerator) -> Sim {
        let holdCauses: [HoldCause] = [.manual, .operator, .payment, .rule("rul_1"), .bundle, .device]
        var holds: [HoldCause: Hold] = [:]
        for cause in holdCauses where Int.random(in: 0..<4, using: &random) == 0 {
            holds[cause] = Hold(cause: cause, placedAt: Self.time(&random), origin: Self.cause(&random))
        }
        var metadata: [String: String] = [:]
        for _ in 0..<Int.random(in: 0...4, using: &random) {
            // Mostly ASCII keys (written directly); sometimes not (JSONEncoder's own order).
            let key = Bool.random(using: &random) ? "k\(Int.random(in: 0...99, using: &random))" : Self.text(&random)
            metadata[key] = Self.text(&random)
        }
        return Sim(
            id: SimID(trusted: "sim_\(n)"), iccid: ICCID(trusted: Fixtures.iccid(n)), imsi: IMSI(trusted: Fixtures.imsi(n)),
            msisdn: Bool.random(using: &random) ? MSISDN(trusted: Fixtures.msisdn(n)) : nil,
            eid: Bool.random(using: &random) ? EID(trusted: String(repeating: "1", count: 32)) : nil,
            serialNumber: Bool.random(using: &random) ? Self.text(&random) : nil,
            imei: Bool.random(using: &random) ? IMEI(trusted: Fixtures.imei(n)) : nil,
            accountID: Bool.random(using: &random) ? AccountID(trusted: "acct_\(n)") : nil,
            state: SimState(status: [.inventory, .live, .offline, .unprovisioned, .retired].randomElement(using: &random)!, holds: holds),
            tariffNumber: Bool.random(using: &random) ? Int.random(in: Int.min...Int.max, using: &random) : nil,
            labels: SimLabels(trusted: (0..<Int.random(in: 0...3, using: &random)).map { _ in Self.text(&random) }),
            metadata: SimMetadata(trusted: metadata),
            firstUseAt: Bool.random(using: &random) ? Self.time(&random) : nil,
            shutdownThreshold: Bool.random(using: &random) ? ShutdownThreshold(hours: Int.random(in: 1...8_760, using: &random)) : nil,
            bundle: Bool.random(using: &random)
                ? DataBundle(size: UInt64.random(in: 0...UInt64.max, using: &random), used: UInt64.random(in: 0...UInt64.max, using: &random)) : nil,
            lastSeen: Bool.random(using: &random) ? SimSighting(
                mccMNC: Bool.random(using: &random) ? "26201" : nil, country: Bool.random(using: &random) ? Self.text(&random) : nil,
                imei: Bool.random(using: &random) ? IMEI(trusted: Fixtures.imei(n + 1)) : nil, since: Self.time(&random)
            ) : nil,
            statusChangedAt: Self.time(&random), statusCause: Self.cause(&random), createdAt: Self.time(&random), updatedAt: Self.time(&random)
        )
    }

    /// A JSON value like a SIM's billing: nested objects and arrays of strings, integers,
    /// booleans and nulls, now and then a fractional number or a key beyond ASCII.
    private static func json(_ random: inout SeededGenerator, depth: Int = 0) -> JSONValue {
        switch Int.random(in: depth < 3 ? 0...7 : 0...4, using: &random) {
        case 0: return .null
        case 1: return .bool(Bool.random(using: &random))
        case 2: return .integer(Int64.random(in: Int64.min...Int64.max, using: &random))
        case 3: return Int.random(in: 0..<10, using: &random) == 0 ? .number(Double.random(in: -1e6...1e6, using: &random)) : .string(text(&random))
        case 4: return .string(time(&random).formatted(.iso8601))
        case 5: return .array((0..<Int.random(in: 0...3, using: &random)).map { _ in json(&random, depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let key = Int.random(in: 0..<10, using: &random) == 0 ? text(&random) : "k\(Int.random(in: 0...99, using: &random))"
                members[key] = json(&random, depth: depth + 1)
            }
            return .object(members)
        }
    }

    @Test("every SIM is written byte for byte as JSONEncoder writes it, with or without billing (those with non-ASCII keys or fractional numbers through JSONEncoder)")
    func sameBytes() throws {
        var random = SeededGenerator.fromEnvironment()
        for n in 0..<3_000 {
            var resource = SimResource(Self.randomSim(n, &random))
            if Bool.random(using: &random) { resource.billing = Self.json(&random) }
            let expected = try APIJSON.encodeToString(resource)
            let written = try SimSnapshotJSON.text(of: resource)
            try #require(written == expected, "seed \(random.seed), SIM \(n):\n\(written)\n\(expected)")
        }
    }

    @Test("the billing section of a SIM with no binding, made as it is, is what encoding an empty one gives")
    func unboundBilling() throws {
        #expect(try JSONValue(encoding: SimBillingResource([], gateways: [:])) == SimBillingResource.unbound)
    }

    @Test("API responses with one SIM or a list of SIMs carry the bytes JSONEncoder writes")
    func sameResponseBytes() throws {
        var random = SeededGenerator.fromEnvironment()
        for round in 0..<200 {
            let resources = (0..<Int.random(in: 0...8, using: &random)).map { SimResource(Self.randomSim(round * 10 + $0, &random)) }
            let list = ListResource(url: Bool.random(using: &random) ? "/v1/sims" : "/v1/\(Self.text(&random))", data: resources, hasMore: Bool.random(using: &random))
            let listBody = try APIResponse(sims: list, status: .created).body
            try #require(listBody == (try APIJSON.encode(list)), "seed \(random.seed), round \(round):\n\(String(decoding: listBody, as: UTF8.self))")
            for resource in resources {
                try #require(try APIResponse(sim: resource).body == (try APIJSON.encode(resource)), "seed \(random.seed), round \(round)")
            }
        }
    }

    @Test("an object of JSON values (events' previous_attributes) is written byte for byte as JSONEncoder writes it")
    func sameObjectBytes() throws {
        var random = SeededGenerator.fromEnvironment()
        for round in 0..<3_000 {
            guard case .object(let members) = Self.json(&random, depth: 2 - round % 3) else { continue }
            let written = try APIJSON.encodeToString(members)
            let encoded = String(decoding: try APIJSON.encode(members), as: UTF8.self)
            try #require(written == encoded, "seed \(random.seed), round \(round):\n\(written)\n\(encoded)")
        }
    }
}

