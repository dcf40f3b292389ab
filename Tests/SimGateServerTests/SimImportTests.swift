import Foundation
import SimGateTestSupport
import Testing

@Suite("Importing SIM stock")
struct SimImportTests {
    @Test("imported SIMs are INVENTORY, listed newest first, and found by id, ICCID and filters", arguments: TestEngine.available)
    func importAndFind(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let ids = try await app.importSims(0..<5, labels: ["batch-1"])
            #expect(ids.count == 5)
            let list = try await app.request(.get, "/v1/sims?limit=3", key: app.operatorKey)
            #expect(list.items.count == 3)
            #expect(list.json["has_more"] as? Bool == true)
            #expect(list.items.allSatisfy { $0["status"] as? String == "INVENTORY" })

            let byICCID = try await app.request(.get, "/v1/sims/\(Fixtures.iccid(2))", key: app.operatorKey)
            #expect(byICCID["id"] == ids[2])
            #expect(byICCID["serial_number"] == Fixtures.iccid(2))
            #expect(try await app.request(.get, "/v1/sims/\(ids[2])", key: app.operatorKey)["iccid"] == Fixtures.iccid(2))

            for query in ["iccid=\(Fixtures.iccid(3))", "imsi=\(Fixtures.imsi(3))", "msisdn=\(Fixtures.msisdn(3))"] {
                let filtered = try await app.request(.get, "/v1/sims?\(query)", key: app.operatorKey)
                #expect(filtered.items.map { $0["id"] as? String } == [ids[3]], "filter \(query)")
            }
            #expect(try await app.request(.get, "/v1/sims?label=batch-1&limit=100", key: app.operatorKey).items.count == 5)
            #expect(try await app.request(.get, "/v1/sims?label=other", key: app.operatorKey).items.isEmpty)
            #expect(try await app.request(.get, "/v1/sims?status=LIVE", key: app.operatorKey).items.isEmpty)

            let events = try await app.request(.get, "/v1/events?type=sim.imported&limit=100", key: app.operatorKey)
            #expect(events.items.count == 5)
        }
    }

    @Test("a batch with bad rows reports every row's problem and imports nothing", arguments: TestEngine.available)
    func badRowsRejectWholeBatch(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            try await app.importSims(0..<1)
            let body: [String: Any] = ["sims": [
                ["iccid": Fixtures.iccid(10), "imsi": Fixtures.imsi(10)],
                ["iccid": String(Fixtures.iccid(11).dropLast()) + "0", "imsi": Fixtures.imsi(11)],  // may or may not be valid
                ["iccid": Fixtures.iccid(12), "imsi": "12345"],
                ["iccid": Fixtures.iccid(0), "imsi": Fixtures.imsi(13)],   // already in stock
                ["iccid": Fixtures.iccid(10), "imsi": Fixtures.imsi(14)],  // repeats row 0
            ]]
            let reply = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: body)
            #expect(reply.status == 422)
            #expect(reply.code == "import_rejected")
            let errors = try #require(reply.json["errors"] as? [[String: Any]])
            let params = Set(errors.compactMap { $0["param"] as? String })
            #expect(params.isSuperset(of: ["sims[2].imsi", "sims[3].iccid", "sims[4].iccid"]))
            let stock = try await app.request(.get, "/v1/sims?limit=100", key: app.operatorKey)
            #expect(stock.items.count == 1)

            // Errors come in the rows' order: sorted as text, sims[10] came before sims[2].
            let twelve = (0..<12).map { ["iccid": "1234", "imsi": Fixtures.imsi(20 + $0)] }
            let many = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: ["sims": twelve])
            let order = (many.json["errors"] as? [[String: Any]] ?? []).compactMap { $0["param"] as? String }
            #expect(order == (0..<12).map { "sims[\($0)].iccid" }, "\(order)")
        }
    }

    /// Repeats are found by sorting the rows by each identifier; a value seen three times, a
    /// value both stored and repeated, and values in no order must each be named as before.
    @Test("every repeat after the first is named with the row it repeats; every row whose identifier is stored is a conflict", arguments: TestEngine.available)
    func repeatsAndConflicts(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            try await app.importSims(0..<1)
            let body: [String: Any] = ["sims": [
                ["iccid": Fixtures.iccid(29), "imsi": Fixtures.imsi(20), "msisdn": Fixtures.msisdn(1)],
                ["iccid": Fixtures.iccid(21), "imsi": Fixtures.imsi(0)],                                  // stored IMSI
                ["iccid": Fixtures.iccid(29), "imsi": Fixtures.imsi(22), "msisdn": Fixtures.msisdn(2)],   // repeats row 0's ICCID
                ["iccid": Fixtures.iccid(23), "imsi": Fixtures.imsi(0), "msisdn": Fixtures.msisdn(1)],    // stored IMSI again; row 0's MSISDN
                ["iccid": Fixtures.iccid(29), "imsi": Fixtures.imsi(24)],                                 // row 0's ICCID a third time
                ["iccid": Fixtures.iccid(25), "imsi": Fixtures.imsi(25)],
            ]]
            let reply = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: body)
            #expect(reply.status == 422)
            let errors = try #require(reply.json["errors"] as? [[String: Any]])
            let byParam = Dictionary(errors.map { (($0["param"] as? String) ?? "", $0) }, uniquingKeysWith: { first, _ in first })
            #expect(errors.count == 5)
            #expect(Set(byParam.keys) == ["sims[1].imsi", "sims[2].iccid", "sims[3].imsi", "sims[3].msisdn", "sims[4].iccid"])
            #expect(byParam["sims[1].imsi"]?["detail"] as? String == "A SIM with imsi \(Fixtures.imsi(0)) already exists.")
            #expect(byParam["sims[3].imsi"]?["detail"] as? String == "A SIM with imsi \(Fixtures.imsi(0)) already exists.")
            #expect(byParam["sims[2].iccid"]?["detail"] as? String == "The iccid \(Fixtures.iccid(29)) also appears at sims[0].")
            #expect(byParam["sims[4].iccid"]?["detail"] as? String == "The iccid \(Fixtures.iccid(29)) also appears at sims[0].")
            #expect(byParam["sims[3].msisdn"]?["detail"] as? String == "The msisdn \(Fixtures.msisdn(1)) also appears at sims[0].")
            #expect(byParam.values.allSatisfy { ($0["code"] as? String)?.hasPrefix("duplicate_") == true })
            #expect(try await app.request(.get, "/v1/sims?limit=100", key: app.operatorKey).items.count == 1)
        }
    }

    @Test("a wrong check digit is named with its row and field", arguments: TestEngine.available)
    func luhnFailure(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let good = Fixtures.iccid(5)
            let wrongDigit = (Int(String(good.last!))! + 1) % 10
            let bad = String(good.dropLast()) + String(wrongDigit)
            let reply = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: ["sims": [["iccid": bad, "imsi": Fixtures.imsi(5)]]])
            let errors = try #require(reply.json["errors"] as? [[String: Any]])
            #expect(errors.first?["param"] as? String == "sims[0].iccid")
            #expect(errors.first?["code"] as? String == "invalid_iccid")
        }
    }

    @Test("only the operator imports, and at most 1,000 SIMs a request", arguments: TestEngine.available)
    func limits(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("A")
            let one: [String: Any] = ["sims": [["iccid": Fixtures.iccid(1), "imsi": Fixtures.imsi(1)]]]
            #expect(try await app.request(.post, "/v1/sims/import", key: key, json: one).status == 403)
            let tooMany: [String: Any] = ["sims": (0..<1_001).map { ["iccid": Fixtures.iccid($0), "imsi": Fixtures.imsi($0)] }]
            let reply = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: tooMany)
            #expect(reply.status == 400)
            #expect(reply.param == "sims")
            let full: [String: Any] = ["sims": (0..<1_000).map { ["iccid": Fixtures.iccid($0), "imsi": Fixtures.imsi($0)] }]
            #expect(try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: full).status == 201)
        }
    }
}
