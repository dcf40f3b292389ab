import Foundation
import SimGateTestSupport
import Testing

@Suite("Statements")
struct StatementTests {
    static var standardPrice: [String: Any] { [
        "currency": "EUR", "monthly_fees": ["LIVE": 900, "OFFLINE": 100], "included_mb": 100, "data_price_per_mb": 2,
    ] }

    @Test("fees are prorated to the second across a month boundary, each line rounded once, and OFFLINE time's saving shown by hold cause", arguments: TestEngine.available)
    func monthBoundary(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            try await app.pricedTariff(5, accounts: [account], price: Self.standardPrice)
            app.at(day: 20)
            try await app.provision(sims[0], tariff: 5, key: key)
            app.at(day: 24)
            try await app.used(60, sim: 0, key: key, id: "cdr-1")
            app.at(day: 31)
            try await app.provision(sims[1], tariff: 5, key: key)
            app.at(day: 40)
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/suspend", key: key, json: ["reason": "rider stopped paying"]).status == 200)
            app.at(day: 45)
            #expect(try await app.request(.post, "/v1/sims/\(sims[1])/suspend", key: app.operatorKey, json: ["reason": "fraud check"]).status == 200)
            app.at(day: 63)

            let january = try await app.statement("2027-01", key: key)
            #expect(january.status == 200, "\(january.text)")
            #expect(january["state"] == "frozen" && january["month"] == "2027-01")
            let live = try #require(january.line(sims[0], tariff: 5))
            #expect(live.seconds("LIVE") == 11 * 86_400)
            // 100 MB included over 11 of 31 days, rounded down; the rest of 60 MB at 2 per MB.
            #expect(live.number("data.used_bytes") == 60 * TestHarness.megabyte)
            #expect(live.number("data.included_bytes") == 37_207_535)
            #expect(live.number("data.billable_bytes") == 25_707_025)
            // 900 × 11/31 = 319.35 and 49.03 for data: 368.39 is rounded once, to 368.
            #expect(live.number("amount") == 368)
            let stock = try #require(january.line(sims[0], tariff: nil))
            #expect(stock.seconds("INVENTORY") == 20 * 86_400 && stock.number("amount") == 0)
            #expect(january.total()?["amount"] as? Int == 368)

            let february = try await app.statement("2027-02", key: key)
            let first = try #require(february.line(sims[0], tariff: 5))
            #expect(first.seconds("LIVE") == 9 * 86_400 && first.seconds("OFFLINE") == 19 * 86_400)
            #expect(first.number("amount") == 357, "289.29 LIVE + 67.86 OFFLINE = 357.14")
            let second = try #require(february.line(sims[1], tariff: 5))
            #expect(second.seconds("LIVE") == 14 * 86_400 && second.seconds("OFFLINE") == 14 * 86_400 && second.number("amount") == 500)
            #expect(february.line(sims[1], tariff: nil) == nil, "its time in stock ended as February began")
            let savings = try #require(february.json["savings"] as? [[String: Any]])
            let manual = try #require(savings.first { $0["cause"] as? String == "manual" })
            #expect(manual["seconds"] as? Int == 19 * 86_400 && manual["live_amount"] as? Int == 611 && manual["offline_amount"] as? Int == 68)
            #expect(manual["saved"] as? Int == 543 && manual["sims"] as? Int == 1)
            let byOperator = try #require(savings.first { $0["cause"] as? String == "operator" })
            #expect(byOperator["saved"] as? Int == 400)
            #expect(february.total()?["amount"] as? Int == 857 && february.total()?["saved"] as? Int == 943)
        }
    }

    @Test("a price that changes mid-month prices each second at the price then in force", arguments: TestEngine.available)
    func priceChange(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<1, account: account)
            try await app.pricedTariff(5, accounts: [account], price: Self.standardPrice)
            try await app.provision(sims[0], tariff: 5, key: key)
            let raise = try await app.request(.post, "/v1/tariffs/5/prices", key: app.operatorKey, json: [
                "currency": "EUR", "monthly_fees": ["LIVE": 1_200], "included_mb": 100, "data_price_per_mb": 5,
                "effective_from": RFC3339Text.format(TestHarness.january + 15 * TestHarness.day),
            ])
            #expect(raise.status == 201, "\(raise.text)")
            app.at(day: 9)
            try await app.used(150, sim: 0, key: key, id: "cdr-1")
            app.at(day: 33)

            let january = try await app.statement("2027-01", key: key)
            let line = try #require(january.line(sims[0], tariff: 5))
            #expect(january["state"] == "closing")
            // (900 × 15 + 1,200 × 16) / 31 = 1,054.84, and 50 MB beyond the allowance at the
            // month's last data price, 5: 1,304.84, rounded once.
            #expect(line.number("data.billable_bytes") == 50 * TestHarness.megabyte && line.number("data.amount") == 250)
            #expect(line.number("amount") == 1_305, "\(line)")
        }
    }

    @Test("pooled data compares the account's use on the tariff with the sum of its SIMs' allowances", arguments: TestEngine.available)
    func pooledData(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<3, account: account)
            try await app.pricedTariff(6, accounts: [account], price: [
                "currency": "EUR", "monthly_fees": ["LIVE": 500], "included_mb": 100, "data_price_per_mb": 3, "data_pooled": true,
            ])
            for sim in sims { try await app.provision(sim, tariff: 6, key: key) }
            app.at(day: 10)
            for (n, megabytes) in [150, 20, 180].enumerated() { try await app.used(megabytes, sim: n, key: key, id: "cdr-\(n)") }
            app.at(day: 35)

            let january = try await app.statement("2027-01", key: key)
            for sim in sims {
                let line = try #require(january.line(sim, tariff: 6))
                #expect(line.number("amount") == 500 && (line["data"] as? [String: Any])?["billable_bytes"] is NSNull)
            }
            let tariff = try #require((january.json["tariffs"] as? [[String: Any]])?.first { $0["tariff"] as? Int == 6 })
            #expect(tariff["name"] as? String == "Tariff 6" && tariff["sims"] as? Int == 3)
            let pool = try #require(tariff["pooled_data"] as? [String: Any])
            #expect(pool["used_bytes"] as? Int == 350 * TestHarness.megabyte && pool["included_bytes"] as? Int == 300 * TestHarness.megabyte)
            // Per SIM, 130 MB would have been billable; pooled, only the 50 MB the fleet used beyond 300.
            #expect(pool["billable_bytes"] as? Int == 50 * TestHarness.megabyte && pool["amount"] as? Int == 150)
            #expect(tariff["amount"] as? Int == 1_650 && january.total()?["amount"] as? Int == 1_650)

            // The CSV adds up to the same total: the pool's charge is a row of its own.
            let csv = try await app.request(.get, "/v1/statements?month=2027-01&format=csv", key: key)
            let rows = csv.text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let header = try #require(rows.first)
            let names = ["amount", "line", "data_pooled", "tariff", "currency", "billable_bytes", "sim", "from"]
            let column = try Dictionary(uniqueKeysWithValues: names.map { name in (name, try #require(header.firstIndex(of: name))) })
            let at = { (row: [String], name: String) in row[column[name]!] }
            #expect(rows.dropFirst().reduce(0) { $0 + (Int(at($1, "amount")) ?? -1_000_000) } == 1_650, "\(csv.text)")
            let poolRow = try #require(rows.first { at($0, "line") == "pooled_data" }, "\(csv.text)")
            #expect(at(poolRow, "tariff") == "6" && at(poolRow, "currency") == "EUR" && at(poolRow, "data_pooled") == "true")
            #expect(at(poolRow, "billable_bytes") == String(50 * TestHarness.megabyte) && at(poolRow, "amount") == "150")
            #expect(at(poolRow, "sim").isEmpty && at(poolRow, "from") == "2027-01-01T00:00:00.000Z")
        }
    }

    /// Three SIMs at the largest allowance a price takes add up past 2^63 bytes: the whole
    /// statement was refused (409 amount_out_of_range, naming an amount), though nothing
    /// in it came near a real limit.
    @Test("a pool of the largest allowances is shown as 2^63 - 1 bytes, not refused", arguments: [TestEngine.sqlite])
    func poolOfLargestAllowances(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<3, account: account)
            try await app.pricedTariff(7, accounts: [account], price: [
                "currency": "EUR", "monthly_fees": ["LIVE": 1], "included_mb": 8_796_093_022_207, "data_price_per_mb": 1, "data_pooled": true,
            ])
            for sim in sims { try await app.provision(sim, tariff: 7, key: key) }
            app.at(day: 10)
            try await app.used(1, sim: 0, key: key, id: "cdr-0")
            app.at(day: 35)
            let january = try await app.statement("2027-01", key: key)
            let tariff = try #require((january.json["tariffs"] as? [[String: Any]])?.first { $0["tariff"] as? Int == 7 }, "\(january.text)")
            let pool = try #require(tariff["pooled_data"] as? [String: Any])
            #expect(pool["included_bytes"] as? Int == Int(Int64.max) && pool["billable_bytes"] as? Int == 0 && pool["amount"] as? Int == 0, "\(pool)")
            #expect(try await app.request(.get, "/v1/statements?month=2027-01&format=csv", key: key).status == 200)
        }
    }

    @Test("a SIM that changed hands mid-month is on each account's statement for its own time and usage only", arguments: TestEngine.available)
    func changedHands(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, keyB) = try await app.makeCustomer("B")
            let sims = try await app.importSims(0..<1, account: accountA)
            try await app.pricedTariff(5, accounts: [accountA, accountB], price: Self.standardPrice)
            try await app.provision(sims[0], tariff: 5, key: keyA)
            app.at(day: 4)
            try await app.used(10, sim: 0, key: keyA, id: "a-1")
            app.at(day: 10)
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/unprovision", key: keyA).status == 200)
            app.at(day: 11)
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/assign", key: app.operatorKey, json: ["account": accountB]).status == 200)
            app.at(day: 12)
            try await app.provision(sims[0], tariff: 5, key: keyB)
            app.at(day: 19)
            try await app.used(30, sim: 0, key: keyB, id: "b-1")
            app.at(day: 33)

            let ofA = try await app.statement("2027-01", key: keyA)
            let lineA = try #require(ofA.line(sims[0], tariff: 5))
            #expect(lineA.seconds("LIVE") == 10 * 86_400 && lineA.seconds("UNPROVISIONED") == 86_400)
            #expect(lineA.number("data.used_bytes") == 10 * TestHarness.megabyte)
            #expect(ofA.lines.allSatisfy { ($0["to"] as? String ?? "") <= "2027-01-12T00:00:00.000Z" }, "\(ofA.lines)")
            #expect(ofA.total()?["amount"] as? Int == 290)

            let ofB = try await app.statement("2027-01", key: keyB)
            let lineB = try #require(ofB.line(sims[0], tariff: 5))
            #expect(lineB.seconds("LIVE") == 19 * 86_400 && lineB.number("data.used_bytes") == 30 * TestHarness.megabyte)
            #expect(ofB.lines.allSatisfy { ($0["from"] as? String ?? "") >= "2027-01-12T00:00:00.000Z" }, "\(ofB.lines)")
            #expect(ofB.total()?["amount"] as? Int == 552)

            // A CDR from A's time that arrives after the SIM moved is A's: sent by the operator
            // it counts for A; B may not send it.
            let late: [String: Any] = ["records": [[
                "id": "late-a", "sim": Fixtures.iccid(0), "started_at": "2027-01-06T00:00:00Z", "ended_at": "2027-01-06T01:00:00Z",
                "bytes_up": 5 * TestHarness.megabyte, "bytes_down": 0,
            ]]]
            let refused = try await app.request(.post, "/v1/usage_records", key: keyB, json: late)
            let problem = (refused.json["errors"] as? [[String: Any]])?.first
            #expect(problem?["code"] as? String == "sim_not_held" && problem?["param"] as? String == "records[0].ended_at", "\(refused.text)")
            #expect(try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: late).json["accepted"] as? Int == 1)
            #expect(try await app.statement("2027-01", key: keyA).line(sims[0], tariff: 5)?.number("data.used_bytes") == 15 * TestHarness.megabyte)
            #expect(try await app.statement("2027-01", key: keyB).line(sims[0], tariff: 5)?.number("data.used_bytes") == 30 * TestHarness.megabyte)
            #expect(try await app.request(.get, "/v1/usage?granularity=month", key: keyB).items.first?["bytes_up"] as? Int == 30 * TestHarness.megabyte)

            #expect(try await app.statement("2027-01", key: keyA, account: accountB).status == 404)
            #expect(try await app.statement("2027-01", key: app.operatorKey, account: accountB).json["totals"] as? NSArray == ofB.json["totals"] as? NSArray)
        }
    }

    /// Each day's bytes went on the tariff of the day's last second: a SIM that used data on a
    /// tariff, went to another account and came back the same day (its tariff gone with the
    /// handover) had that day's bytes moved off its line, onto no tariff, at no price.
    @Test("a day's data is billed on the tariff the SIM was LIVE on that day, whatever it is on at the day's end", arguments: [TestEngine.sqlite])
    func dayBilledOnItsLiveTariff(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, _) = try await app.makeCustomer("B")
            let sims = try await app.importSims(0..<1, account: accountA)
            try await app.pricedTariff(5, accounts: [accountA, accountB], price: Self.standardPrice)
            app.at(day: 4, seconds: 36_000)
            try await app.provision(sims[0], tariff: 5, key: keyA)
            app.at(day: 4, seconds: 36_060)
            try await app.used(1_000, sim: 0, key: keyA, id: "burst")
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/unprovision", key: keyA).status == 200)
            app.at(day: 4, seconds: 40_000)
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/assign", key: app.operatorKey, json: ["account": accountB]).status == 200)
            app.at(day: 4, seconds: 50_000)
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/assign", key: app.operatorKey, json: ["account": accountA]).status == 200)
            app.at(day: 33)
            let statement = try await app.statement("2027-01", key: keyA)
            #expect(statement.line(sims[0], tariff: 5)?.number("data.used_bytes") == 1_000 * TestHarness.megabyte, "\(statement.lines)")
            #expect((statement.line(sims[0], tariff: nil)?.number("data.used_bytes") ?? 0) == 0)
        }
    }

    /// A record from before the SIM's import went on the bare first period: no tariff, no
    /// price, when the SIM was put on a tariff a second after its import (on that tariff when
    /// in the same second).
    @Test("a record from before the SIM's import is billed on its first tariff, however soon after the import that came", arguments: [TestEngine.sqlite])
    func recordBeforeImport(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("A")
            try await app.pricedTariff(5, accounts: [account], price: Self.standardPrice)
            app.at(day: 4)
            let sims = try await app.importSims(0..<1, account: account)
            app.at(day: 4, seconds: 2)
            try await app.provision(sims[0], tariff: 5, key: key)
            let early: [String: Any] = ["records": [[
                "id": "before-import", "sim": Fixtures.iccid(0), "started_at": "2027-01-03T10:00:00Z", "ended_at": "2027-01-03T11:00:00Z",
                "bytes_up": 300 * TestHarness.megabyte, "bytes_down": 0,
            ]]]
            #expect(try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: early).json["accepted"] as? Int == 1)
            app.at(day: 33)
            let statement = try await app.statement("2027-01", key: key)
            #expect(statement.line(sims[0], tariff: 5)?.number("data.used_bytes") == 300 * TestHarness.megabyte, "\(statement.lines)")
        }
    }

    @Test("bundles and top-ups of AOFU tariffs are priced at the price in force when they happen", arguments: TestEngine.available)
    func bundlesAndTopUps(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("Rentals")
            let sims = try await app.importSims(0..<1, account: account)
            try await app.pricedTariff(7, kind: "aofu", accounts: [account], price: [
                "currency": "EUR", "monthly_fees": ["LIVE": 100], "bundle_price": 300, "top_up_price_per_mb": 2,
            ])
            app.at(day: 1)
            try await app.provision(sims[0], tariff: 7, key: key, extra: ["shutdown_threshold_hours": 720, "bundle_size_mb": 100])
            app.at(day: 9)
            #expect(try await app.request(.post, "/v1/sims/\(sims[0])/top_ups", key: key, json: ["amount_mb": 50]).status == 200)
            app.at(day: 33)

            let line = try #require(try await app.statement("2027-01", key: key).line(sims[0], tariff: 7))
            #expect(line.number("bundles.count") == 1 && line.number("bundles.amount") == 300)
            #expect(line.number("top_ups.count") == 1 && line.number("top_ups.bytes") == 50 * TestHarness.megabyte && line.number("top_ups.amount") == 100)
            // 100 × 30/31 = 96.77 for the month's fee, plus 300 and 100: 496.77.
            #expect(line.number("amount") == 497, "\(line)")
        }
    }

    @Test("the current month shows the amount so far and a forecast of the whole month", arguments: TestEngine.available)
    func forecast(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<2, account: account)
            try await app.pricedTariff(5, accounts: [account], price: Self.standardPrice)
            try await app.provision(sims[0], tariff: 5, key: key)
            try await app.provision(sims[1], tariff: 5, key: key)
            app.at(day: 1)
            try await app.used(150, sim: 1, key: key, id: "burst")
            app.at(day: 2)
            #expect(try await app.request(.post, "/v1/sims/\(sims[1])/suspend", key: key).status == 200)
            app.at(day: 10)
            let now = try await app.request(.get, "/v1/statements", key: key)
            #expect(now["state"] == "open" && now["month"] == "2027-01" && now["as_of"] == "2027-01-11T00:00:00.000Z", "\(now.text)")
            let line = try #require(now.line(sims[0], tariff: 5))
            #expect(line.number("amount") == 290 && line.number("forecast_amount") == 900)
            // The suspended SIM used 150 MB in its two LIVE days; OFFLINE it uses no more, so
            // the forecast keeps its data as it is: 58.06 LIVE + 93.55 OFFLINE + 50 MB beyond
            // the month's allowance at 2 = 251.61, not 150 MB × 31/10 days.
            let stopped = try #require(now.line(sims[1], tariff: 5))
            #expect(stopped.number("amount") == 319 && stopped.number("forecast_amount") == 252, "\(stopped)")
            #expect(now.total()?["amount"] as? Int == 290 + 319 && now.total()?["forecast_amount"] as? Int == 900 + 252)
        }
    }
}
