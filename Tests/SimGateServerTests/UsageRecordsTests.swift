import Foundation
import SimGateTestSupport
import Testing

@Suite("Bulk usage records")
struct UsageRecordsTests {
    static func record(_ id: String, sim: String, up: Int, down: Int, day: String = "2026-11-20") -> [String: Any] {
        ["id": id, "sim": sim, "started_at": "\(day)T10:00:00Z", "ended_at": "\(day)T11:00:00Z", "bytes_up": up, "bytes_down": down, "mcc_mnc": "26201"]
    }

    @Test("valid records are kept, bad ones reported by field, resends change nothing, totals add up by day and month", arguments: TestEngine.available)
    func ingest(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let iccid = Fixtures.iccid(0)
            let records: [[String: Any]] = [
                Self.record("cdr-1", sim: sim, up: 100, down: 1_000),
                Self.record("cdr-2", sim: iccid, up: 50, down: 500, day: "2026-11-21"),
                Self.record("cdr-3", sim: iccid, up: -5, down: 1),
                Self.record("cdr-4", sim: Fixtures.iccid(7), up: 1, down: 1),
                ["id": "cdr-5", "sim": sim, "started_at": "yesterday", "ended_at": "2026-11-20T11:00:00Z", "bytes_up": 1, "bytes_down": 1],
                // Two capitals that name no country passed, and set the SIM's last_seen country.
                Self.record("cdr-6", sim: sim, up: 1, down: 1).merging(["country": "XX"]) { $1 },
            ]
            let first = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": records])
            #expect(first.status == 200, "\(first.text)")
            #expect(first.json["accepted"] as? Int == 2)
            #expect(first.json["rejected"] as? Int == 4)
            let params = ((first.json["errors"] as? [[String: Any]]) ?? []).compactMap { $0["param"] as? String }
            #expect(params == ["records[2].bytes_up", "records[3].sim", "records[4].started_at", "records[5].country"])

            let resend = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": Array(records.prefix(2))])
            #expect(resend.json["accepted"] as? Int == 0)
            #expect(resend.json["duplicates"] as? Int == 2)

            let days = try await app.request(.get, "/v1/sims/\(sim)/usage", key: key)
            #expect(days.items.map { $0["period"] as? String } == ["2026-11-20", "2026-11-21"])
            #expect(days.items.first?["bytes_down"] as? Int == 1_000)
            let months = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: key)
            #expect(months.items.count == 1)
            #expect(months.items.first?["bytes_up"] as? Int == 150)
            #expect(try await app.request(.get, "/v1/sims/\(sim)/usage?from=2026-11-21T00:00:00Z", key: key).items.count == 1)

            let state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(state["first_use_at"] == "2026-11-20T10:00:00.000Z")
            #expect(try await app.request(.get, "/v1/events?type=sim.first_use", key: key).items.count == 1)

            // A territory that shares its MCC with others (Réunion, under 647) is a country too.
            let reunion = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [
                Self.record("cdr-re", sim: sim, up: 0, down: 0).merging(["country": "RE"]) { $1 },
            ]])
            #expect(reunion.json["accepted"] as? Int == 1, "\(reunion.text)")
        }
    }

    @Test("a whole-request problem is a 400 and stores nothing")
    func refusals() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            #expect(try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": []]).code == "invalid_batch_size")
            #expect(try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": [Self.record("x", sim: sim, up: 1, down: 1)], "extra": 1]).code == "unknown_parameter")
            #expect(try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=week", key: app.operatorKey).code == "invalid_value")
            // A start a month ahead of the clock is refused for being ahead, not "before 2000".
            let ahead = try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": [
                ["id": "ahead", "sim": sim, "started_at": "2027-02-01T00:00:00Z", "ended_at": "2027-02-01T01:00:00Z", "bytes_up": 1, "bytes_down": 1],
            ]])
            let problem = (ahead.json["errors"] as? [[String: Any]])?.first
            #expect(problem?["code"] as? String == "time_out_of_range" && problem?["param"] as? String == "records[0].started_at", "\(ahead.text)")
            #expect((problem?["detail"] as? String)?.contains("one day past the server's clock") == true, "\(ahead.text)")
            #expect(try await app.request(.get, "/v1/sims/\(sim)/usage", key: app.operatorKey).items.isEmpty)
        }
    }
}
