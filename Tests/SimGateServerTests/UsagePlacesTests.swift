import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateTestSupport
import Testing

@Suite("Where usage happens: countries, devices, account-wide totals")
struct UsagePlacesTests {
    @Test("roaming and a device swap over RADIUS: last_seen, location and device events, usage by country", arguments: TestEngine.available)
    func roamingAndSwap(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("Roaming Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            let imsi = Fixtures.imsi(0)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "r-1", imsi: imsi, input: 0, output: 0, identifier: 1, mccMNC: "26201", imeisv: "4901542032375101"),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "r-1", imsi: imsi, input: 100, output: 1_000, identifier: 2, mccMNC: "26201", imeisv: "4901542032375101"),
                RADIUSAccountingTests.accounting(.interimUpdate, session: "r-1", imsi: imsi, input: 300, output: 3_000, identifier: 3, mccMNC: "20801", imeisv: "4901542032375101"),
                RADIUSAccountingTests.accounting(.start, session: "r-2", imsi: imsi, input: 0, output: 0, identifier: 4, mccMNC: "20801", imeisv: "3533240000000201"),
                RADIUSAccountingTests.accounting(.stop, session: "r-2", imsi: imsi, input: 50, output: 500, identifier: 5, mccMNC: "20801", imeisv: "3533240000000201"),
            ])
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            let seen = try #require(state.json["last_seen"] as? [String: Any], "\(String(decoding: state.body, as: UTF8.self))")
            #expect(seen["country"] as? String == "FR")
            #expect(seen["mcc_mnc"] as? String == "20801")
            let (first, second) = (try IMEI(fromNetwork: "4901542032375101").digits, try IMEI(fromNetwork: "3533240000000201").digits)
            #expect(seen["imei"] as? String == second)
            #expect(state["imei"] == first, "the first device seen is bound")
            // The SIM list filters by the country last seen.
            let inFrance = try await app.request(.get, "/v1/sims?country=FR", key: key)
            #expect(inFrance.items.compactMap { $0["id"] as? String } == [sim], "\(String(decoding: inFrance.body, as: UTF8.self))")
            #expect(try await app.request(.get, "/v1/sims?country=DE", key: key).items.isEmpty)
            let badCountry = try await app.request(.get, "/v1/sims?country=fr", key: key)
            #expect(badCountry.status == 400 && badCountry.param == "country")

            func events(_ type: String) async throws -> [[String: Any]] {
                try await app.request(.get, "/v1/events?type=\(type)&sim=\(sim)", key: key).items
            }
            let moves = try await events("sim.location_changed")
            #expect(moves.count == 2)  // first seen in DE, then FR
            let toFrance = try #require(moves.first { ((($0["data"] as? [String: Any])?["object"] as? [String: Any])?["last_seen"] as? [String: Any])?["country"] as? String == "FR" }, "\(moves)")
            #expect((((toFrance["data"] as? [String: Any])?["previous_attributes"] as? [String: Any])?["last_seen"] as? [String: Any])?["country"] as? String == "DE")
            #expect(try await events("sim.device_bound").count == 1)
            let swaps = try await events("sim.device_changed")
            #expect(swaps.count == 1)
            #expect((((swaps.first?["data"] as? [String: Any])?["previous_attributes"] as? [String: Any])?["last_seen"] as? [String: Any])?["imei"] as? String == first, "\(swaps)")

            let byCountry = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month&group_by=country", key: key).items
            let countries = Dictionary(uniqueKeysWithValues: byCountry.map { ($0["country"] as? String ?? "?", $0["bytes_up"] as? Int ?? -1) })
            #expect(countries == ["DE": 100, "FR": 250])
            let french = try await app.request(.get, "/v1/usage?granularity=month&country=FR", key: key).items
            #expect(french.first?["bytes_down"] as? Int == 2_500)
            #expect(french.first?["bytes_total"] as? Int == 2_750)
        }
    }

    @Test("GET /v1/usage: a customer sees its own account, the operator all or one", arguments: TestEngine.available)
    func accountWide(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (first, firstKey) = try await app.makeCustomer("First")
            let (second, _) = try await app.makeCustomer("Second")
            let a = try #require(try await app.importSims(0..<1, account: first).first)
            let b = try #require(try await app.importSims(1..<2, account: second).first)
            let reply = try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": [
                ["id": "cdr-1", "sim": a, "started_at": "2026-11-20T10:00:00Z", "ended_at": "2026-11-20T11:00:00Z", "bytes_up": 10, "bytes_down": 20, "mcc_mnc": "262-01", "rat": "NR"],
                ["id": "cdr-2", "sim": b, "started_at": "2026-11-20T10:00:00Z", "ended_at": "2026-11-20T11:00:00Z", "bytes_up": 1, "bytes_down": 2, "country": "ES"],
                ["id": "cdr-3", "sim": b, "started_at": "2026-11-21T10:00:00Z", "ended_at": "2026-11-21T11:00:00Z", "bytes_up": 1, "bytes_down": 2, "country": "spain"],
            ]])
            #expect(reply.json["accepted"] as? Int == 2, "\(String(decoding: reply.body, as: UTF8.self))")
            let errors = reply.json["errors"] as? [[String: Any]]
            let param = errors?.first?["param"] as? String
            #expect(param == "records[2].country")

            let own = try await app.request(.get, "/v1/usage?granularity=day", key: firstKey).items
            #expect(own.count == 1)
            #expect(own.first?["bytes_up"] as? Int == 10)
            let everyone = try await app.request(.get, "/v1/usage?granularity=day&group_by=country", key: app.operatorKey).items
            #expect(Set(everyone.compactMap { $0["country"] as? String }) == ["DE", "ES"])
            let justSecond = try await app.request(.get, "/v1/usage?account=\(second)", key: app.operatorKey).items
            #expect(justSecond.first?["bytes_total"] as? Int == 3)

            let refused = try await app.request(.get, "/v1/usage?account=\(second)", key: firstKey)
            #expect(refused.status == 400)
            let badRange = try await app.request(.get, "/v1/usage?from=2026-11-22T00:00:00Z&to=2026-11-01T00:00:00Z", key: firstKey)
            #expect(badRange.status == 400)
            #expect(badRange["param"] == "from")
        }
    }

    @Test("an account's interim interval goes into Access-Accept", arguments: TestEngine.available)
    func interimInterval(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("Chatty Trackers")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            func acceptedInterval() async throws -> UInt32? {
                let request = RADIUSAuthenticators.signRequest(RADIUSPacket(
                    code: .accessRequest, identifier: 9, authenticator: (0..<16).map { _ in UInt8.random(in: 0...255) },
                    attributes: [.text(RADIUSAttributeType.userName, Fixtures.imsi(0))]
                ), secret: Array(TestHarness.radiusSecret.utf8))
                let replies = try await RADIUSUDPTestClient(serverPort: app.radiusPort).exchange([request.encoded()], wait: .seconds(5), expecting: 1)
                let reply = try RADIUSPacket(decoding: try #require(replies.first))
                #expect(reply.code == .accessAccept)
                return reply.attribute(RADIUSAttributeType.acctInterimInterval)?.integerValue
            }
            #expect(try await acceptedInterval() == 300)
            let updated = try await app.request(.post, "/v1/accounts/\(account)", key: key, json: ["radius_interim_interval": 120])
            #expect(updated.json["radius_interim_interval"] as? Int == 120, "\(updated.status) \(String(decoding: updated.body, as: UTF8.self))")
            #expect(try await acceptedInterval() == 120)
            let tooShort = try await app.request(.post, "/v1/accounts/\(account)", key: key, json: ["radius_interim_interval": 5])
            #expect(tooShort.status == 400)
            #expect(tooShort["code"] == "value_out_of_range")
            let reset = try await app.request(.post, "/v1/accounts/\(account)", key: key, json: ["radius_interim_interval": NSNull()])
            #expect(reset.json["radius_interim_interval"] is NSNull)
            #expect(try await acceptedInterval() == 300)
            let (other, _) = try await app.makeCustomer("Other")
            #expect(try await app.request(.post, "/v1/accounts/\(other)", key: key, json: ["name": "Mine now"]).status == 404)
            #expect(try await app.request(.get, "/v1/events?type=account.updated", key: key).items.count == 2)
        }
    }
}
