import Foundation
import SimGateTestSupport
import Testing

/// Byte counts and times at their extremes: nothing overflows, nothing turns into a float,
/// and what cannot be stored is refused record by record.
@Suite("Usage at the limits")
struct UsageLimitsTests {
    static let maximum = Int64.max

    @Test("records that would carry a total past 2^63 - 1 bytes are refused one by one; totals stay exact integers", arguments: TestEngine.available)
    func totalsNeverOverflow(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let records: [[String: Any]] = [
                // Up and down together reach the limit exactly; the next byte either way passes it.
                UsageRecordsTests.record("big-1", sim: sims[0], up: 0, down: 0).merging(["bytes_up": Self.maximum - 7]) { $1 },
                UsageRecordsTests.record("big-2", sim: sims[0], up: 0, down: 0).merging(["bytes_up": Self.maximum]) { $1 },
                UsageRecordsTests.record("small", sim: sims[0], up: 0, down: 7),
            ]
            let reply = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": records])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["accepted"] as? Int == 2)
            let errors = (reply.json["errors"] as? [[String: Any]]) ?? []
            #expect(errors.map { $0["param"] as? String } == ["records[1].bytes_up"])
            #expect(errors.first?["code"] as? String == "total_out_of_range")
            // A record repeated in its batch after its first copy was refused: nothing of it
            // was stored, so the next copy is tried. It was counted a duplicate and lost.
            let repeated = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [
                UsageRecordsTests.record("again", sim: sims[0], up: 0, down: 0).merging(["bytes_up": Self.maximum]) { $1 },
                UsageRecordsTests.record("again", sim: sims[0], up: 0, down: 0),
                UsageRecordsTests.record("again", sim: sims[0], up: 0, down: 0),
            ]])
            #expect(repeated.json["accepted"] as? Int == 1 && repeated.json["duplicates"] as? Int == 1, "\(repeated.text)")
            #expect(((repeated.json["errors"] as? [[String: Any]]) ?? []).map { $0["param"] as? String } == ["records[0].bytes_up"], "\(repeated.text)")
            // An id sent but unusable was answered parameter_missing, as if none had been sent.
            let badIDs = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [
                UsageRecordsTests.record(String(repeating: "r", count: 300), sim: sims[1], up: 1, down: 0),
                UsageRecordsTests.record("r\u{0}1", sim: sims[1], up: 1, down: 0),
                UsageRecordsTests.record(" ", sim: sims[1], up: 1, down: 0),
                UsageRecordsTests.record("", sim: sims[1], up: 1, down: 0),
                UsageRecordsTests.record("\u{2028}", sim: sims[1], up: 1, down: 0),
            ]])
            let idErrors = (badIDs.json["errors"] as? [[String: Any]]) ?? []
            #expect(idErrors.map { "\($0["param"] ?? "-") \($0["code"] ?? "-")" } == [
                "records[0].id value_too_long", "records[1].id invalid_value", "records[2].id invalid_value", "records[3].id invalid_value", "records[4].id invalid_value",
            ], "\(badIDs.text)")

            let usage = try await app.request(.get, "/v1/sims/\(sims[0])/usage?granularity=month", key: key)
            #expect(usage.status == 200)
            #expect(usage.text.contains("\(Self.maximum)") && !usage.text.contains("e+"), "\(usage.text)")
            #expect((usage.items.first?["bytes_up"] as? NSNumber)?.int64Value == Self.maximum - 7)
            #expect(usage.items.first?["bytes_down"] as? Int == 7)
            #expect((usage.items.first?["bytes_total"] as? NSNumber)?.int64Value == Self.maximum)

            // Another SIM of the account at the maximum too: each SIM's total is exact, and
            // the account's sum, which no 64-bit integer holds, is a clear refusal, not a 500.
            let other = [UsageRecordsTests.record("big-3", sim: sims[1], up: 0, down: 0).merging(["bytes_up": Self.maximum]) { $1 }]
            #expect(try await app.request(.post, "/v1/usage_records", key: key, json: ["records": other]).json["accepted"] as? Int == 1)
            let whole = try await app.request(.get, "/v1/usage?granularity=month", key: key)
            #expect(whole.status == 400 || whole.status == 422, "\(whole.text)")
            #expect(whole.code == "total_out_of_range")
            // The same SIM used abroad: its own country's total would fit, its total over all
            // countries would not.
            let abroad = [UsageRecordsTests.record("big-4", sim: sims[1], up: 0, down: 0).merging(["bytes_up": 1, "mcc_mnc": "20801"]) { $1 }]
            let refused = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": abroad])
            #expect(refused.json["accepted"] as? Int == 0)
            #expect(((refused.json["errors"] as? [[String: Any]]) ?? []).first?["code"] as? String == "total_out_of_range")
            let down = try await app.request(.get, "/v1/sims/\(sims[1])/usage?granularity=month", key: key)
            #expect((down.items.first?["bytes_up"] as? NSNumber)?.int64Value == Self.maximum)
        }
    }

    @Test("a record that would carry its month past 2^63 - 1 bytes is refused on any day of it; another month starts afresh", arguments: TestEngine.available)
    func monthBoundsEveryDay(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            func post(_ id: String, up: Int64, day: String) async throws -> TestReply {
                let record = UsageRecordsTests.record(id, sim: sim, up: 0, down: 0, day: day).merging(["bytes_up": up]) { $1 }
                return try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [record]])
            }
            #expect(try await post("full", up: Self.maximum - 10, day: "2026-11-02").json["accepted"] as? Int == 1)
            #expect(try await post("fits", up: 10, day: "2026-11-20").json["accepted"] as? Int == 1)
            // Its own day holds 10 bytes, but its month would pass the limit by one.
            let refused = try await post("one-more", up: 1, day: "2026-11-20")
            #expect(refused.json["accepted"] as? Int == 0, "\(refused.text)")
            #expect(((refused.json["errors"] as? [[String: Any]]) ?? []).first?["code"] as? String == "total_out_of_range")
            // Of a month with nothing stored yet: taken.
            #expect(try await post("october", up: Self.maximum, day: "2026-10-31").json["accepted"] as? Int == 1)

            let months = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: key)
            let upByMonth = Dictionary(uniqueKeysWithValues: months.items.map { ($0["period"] as? String ?? "?", ($0["bytes_up"] as? NSNumber)?.int64Value) })
            #expect(upByMonth == ["2026-11": Self.maximum, "2026-10": Self.maximum], "\(months.text)")
            let days = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=day", key: key)
            let upByDay = Dictionary(uniqueKeysWithValues: days.items.map { ($0["period"] as? String ?? "?", ($0["bytes_up"] as? NSNumber)?.int64Value) })
            #expect(upByDay == ["2026-11-02": Self.maximum - 10, "2026-11-20": 10, "2026-10-31": Self.maximum], "\(days.text)")
        }
    }

    /// A SIM's usage is read as up and down together (`bytes_total`, statements, rules). Up
    /// and down were once checked apart only, so 2^62 bytes each way were taken and the SIM's
    /// total read 2^63, past the limit; its account's statement then failed with a 500 for good.
    @Test("a record that would carry its SIM's up and down together past 2^63 - 1 bytes is refused; the statement still reads", arguments: TestEngine.available)
    func upAndDownTogether(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let month = String(RFC3339Text.format(app.clock.now()).prefix(7))
            let day = month + "-01"
            func post(_ id: String, up: Int64, down: Int64) async throws -> TestReply {
                let record = UsageRecordsTests.record(id, sim: sim, up: 0, down: 0, day: day).merging(["bytes_up": up, "bytes_down": down]) { $1 }
                return try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [record]])
            }
            let half = Int64(1) << 62
            let refused = try await post("each-way", up: half, down: half)
            #expect(refused.json["accepted"] as? Int == 0, "\(refused.text)")
            #expect(((refused.json["errors"] as? [[String: Any]]) ?? []).first?["code"] as? String == "total_out_of_range")
            #expect(try await post("to-the-limit", up: half, down: half - 1).json["accepted"] as? Int == 1)
            let oneMore = try await post("one-more", up: 0, down: 1)
            #expect(oneMore.json["accepted"] as? Int == 0, "\(oneMore.text)")

            let months = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: key)
            #expect(months.items.map { ($0["bytes_total"] as? NSNumber)?.int64Value } == [Self.maximum], "\(months.text)")
            let statement = try await app.request(.get, "/v1/statements?month=\(month)", key: key)
            #expect(statement.status == 200, "\(statement.text)")
        }
    }

    @Test("an account's usage whose up and down each fit but together pass 2^63 - 1 is total_out_of_range, not a bytes_total no int64 holds", arguments: TestEngine.available)
    func accountUpAndDownTogether(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            let day = String(RFC3339Text.format(app.clock.now()).prefix(7)) + "-01"
            let records = [
                UsageRecordsTests.record("up", sim: sims[0], up: 0, down: 0, day: day).merging(["bytes_up": Self.maximum]) { $1 },
                UsageRecordsTests.record("down", sim: sims[1], up: 0, down: 0, day: day).merging(["bytes_down": Self.maximum]) { $1 },
            ]
            #expect(try await app.request(.post, "/v1/usage_records", key: key, json: ["records": records]).json["accepted"] as? Int == 2)
            for path in ["/v1/usage?granularity=month", "/v1/usage?granularity=day", "/v1/usage?granularity=month&group_by=country"] {
                let reply = try await app.request(.get, path, key: key)
                #expect(reply.code == "total_out_of_range", "\(path): \(reply.text)")
                // No field was at fault, and what was asked is not suggested again.
                #expect(reply.param == nil, "\(path): \(reply.text)")
                #expect(path.contains("group_by") != (reply["detail"]?.contains("group_by=country") ?? false), "\(path): \(reply.text)")
            }
            // Each SIM alone still reads.
            let one = try await app.request(.get, "/v1/sims/\(sims[0])/usage?granularity=month", key: key)
            #expect(one.items.map { ($0["bytes_total"] as? NSNumber)?.int64Value } == [Self.maximum], "\(one.text)")
        }
    }

    /// Totals stored before up and down were checked together can still sum, over a SIM's
    /// countries, past any 64-bit integer: the statement said so with an opaque 500.
    @Test("a statement whose sums no 64-bit integer holds is a 409 total_out_of_range, not a 500", arguments: TestEngine.available)
    func statementPastTheLimit(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let simID = try #require(try await app.request(.get, "/v1/sims/\(sim)", key: key).json["id"] as? String)
            let day = String(RFC3339Text.format(app.clock.now()).prefix(10))
            try await app.database.sqlTransaction { db in
                for (period, granularity) in [(day, "day"), (String(day.prefix(7)), "month")] {
                    for country in ["AT", "DE"] {
                        try await db.raw("""
                            INSERT INTO usage_totals (sim_id, account_id, period, granularity, country, bytes_up, bytes_down)
                            VALUES (\(bind: simID), \(bind: account), \(bind: period), \(bind: granularity), \(bind: country), \(bind: Self.maximum), 0)
                            """).run()
                    }
                }
            }
            let statement = try await app.request(.get, "/v1/statements?month=\(day.prefix(7))", key: key)
            #expect(statement.status == 409, "\(statement.text)")
            #expect(statement.code == "total_out_of_range")
        }
    }

    @Test("records dated before 2000 or more than a day ahead are refused per record; the rest are kept", arguments: TestEngine.available)
    func implausibleTimes(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            let now = app.clock.now()
            func at(_ date: Date) -> String { RFC3339Text.format(date) }
            let records: [[String: Any]] = [
                ["id": "old", "sim": sim, "started_at": "1999-12-31T23:00:00Z", "ended_at": "1999-12-31T23:59:59Z", "bytes_up": 1, "bytes_down": 1],
                ["id": "ahead", "sim": sim, "started_at": at(now), "ended_at": at(now.addingTimeInterval(2 * 86_400)), "bytes_up": 1, "bytes_down": 1],
                ["id": "fine", "sim": sim, "started_at": at(now.addingTimeInterval(-3_600)), "ended_at": at(now.addingTimeInterval(3_600)), "bytes_up": 1, "bytes_down": 1],
            ]
            let reply = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": records])
            #expect(reply.json["accepted"] as? Int == 1)
            let errors = (reply.json["errors"] as? [[String: Any]]) ?? []
            #expect(errors.map { $0["param"] as? String } == ["records[0].started_at", "records[1].ended_at"])
            #expect(errors.allSatisfy { $0["code"] as? String == "time_out_of_range" })
        }
    }
}
