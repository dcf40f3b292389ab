import Foundation
import SimGateTestSupport
import Testing

@Suite("Statements: frozen months and requests")
struct StatementFreezeTests {
    @Test("a closed month takes late usage until it freezes, then reads the same, as JSON and CSV, whatever happens after", arguments: TestEngine.available)
    func frozenMonth(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (otherAccount, otherKey) = try await app.makeCustomer("Scooters")
            let sims = try await app.importSims(0..<3, account: account)
            let otherSims = try await app.importSims(3..<4, account: otherAccount)
            try await app.pricedTariff(5, accounts: [account, otherAccount], price: StatementTests.standardPrice)
            for sim in sims { try await app.provision(sim, tariff: 5, key: key) }
            try await app.provision(otherSims[0], tariff: 5, key: otherKey)
            app.at(day: 19)
            try await app.used(120, sim: 0, key: key, id: "cdr-1")

            // Two days after January: a CDR file for January 20 still arrives, and counts.
            app.at(day: 33)
            let closing = try await app.statement("2027-01", key: key)
            #expect(closing["state"] == "closing" && closing["frozen_at"] == nil)
            app.clock.set(TestHarness.january + 19 * TestHarness.day)
            try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [[
                "id": "late-1", "sim": Fixtures.iccid(1), "started_at": "2027-01-20T10:00:00Z", "ended_at": "2027-01-20T11:00:00Z",
                "bytes_up": 130 * TestHarness.megabyte, "bytes_down": 0,
            ]]])
            app.at(day: 33)
            #expect(try await app.statement("2027-01", key: key).line(sims[1], tariff: 5)?.number("data.used_bytes") == 130 * TestHarness.megabyte)

            // 72 hours after the month: the hourly job freezes every account's statement.
            app.at(day: 34, seconds: 3_600)
            try await app.settle()
            let frozenEvents = try await app.request(.get, "/v1/events?type=statement.frozen", key: app.operatorKey).items
            #expect(Set(frozenEvents.compactMap { $0["account"] as? String }) == [account, otherAccount], "\(frozenEvents)")
            let frozen = try await app.statement("2027-01", key: key)
            #expect(frozen["state"] == "frozen" && frozen["frozen_at"] != nil)
            #expect(frozen.line(sims[1], tariff: 5)?.number("data.billable_bytes") == 30 * TestHarness.megabyte)
            let csv = try await app.request(.get, "/v1/statements?month=2027-01&format=csv", key: key)
            #expect(csv.contentType == "text/csv; charset=utf-8")
            #expect(csv.headers[.contentDisposition] == "attachment; filename=\"statement-\(account)-2027-01.csv\"")
            let rows = csv.text.split(separator: "\r\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            #expect(rows.count == 1 + (frozen.json["line_count"] as? Int ?? -1))
            let header = try #require(rows.first)
            for line in frozen.lines {
                let row = try #require(rows.first { $0[header.firstIndex(of: "line")!] == line["id"] as? String })
                #expect(row[header.firstIndex(of: "amount")!] == String(line["amount"] as? Int ?? -1))
                #expect(row[header.firstIndex(of: "iccid")!] == line["iccid"] as? String)
            }

            // Later usage dated in January, a renamed tariff, a suspension and a SIM that
            // changes hands leave the frozen month as it was, to the byte.
            app.clock.set(TestHarness.january + 25 * TestHarness.day)
            try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [[
                "id": "late-2", "sim": Fixtures.iccid(2), "started_at": "2027-01-26T10:00:00Z", "ended_at": "2027-01-26T11:00:00Z",
                "bytes_up": 500 * TestHarness.megabyte, "bytes_down": 0,
            ]]])
            app.at(day: 36)
            _ = try await app.request(.post, "/v1/tariffs/5", key: app.operatorKey, json: ["name": "Renamed"])
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/suspend", key: key)
            _ = try await app.request(.post, "/v1/sims/\(sims[2])/unprovision", key: key)
            #expect(try await app.request(.post, "/v1/sims/\(sims[2])/assign", key: app.operatorKey, json: ["account": otherAccount]).status == 200)
            app.at(day: 40)
            try await app.settle()
            #expect(try await app.statement("2027-01", key: key).text == frozen.text)
            #expect(try await app.request(.get, "/v1/statements?month=2027-01&format=csv", key: key).text == csv.text)
            #expect(try await app.request(.get, "/v1/events?type=statement.frozen", key: app.operatorKey).items.count == 2)

            // Lines page by their ids, in order, on frozen and open statements alike.
            for month in ["2027-01", "2027-02"] {
                let first = try await app.request(.get, "/v1/statements?month=\(month)&limit=2", key: key)
                let page = first.lines.compactMap { $0["id"] as? String }
                #expect(page.count == 2 && (first.json["lines"] as? [String: Any])?["has_more"] as? Bool == true)
                let next = try await app.request(.get, "/v1/statements?month=\(month)&limit=2&starting_after=\(page[1])", key: key)
                #expect(next.lines.compactMap { $0["id"] as? String }.allSatisfy { $0 > page[1] } && !next.lines.isEmpty)
                // A cursor that names no line paged from wherever it sorted: `zzz` gave an
                // empty last page, `a` or nothing the first page again.
                for garbage in ["zzz", "a", "", page[1] + "0"] {
                    let refused = try await app.request(.get, "/v1/statements?month=\(month)&limit=2&starting_after=\(garbage)", key: key)
                    #expect(refused.status == 400 && refused.code == "invalid_cursor" && refused.param == "starting_after", "\(month) \(garbage): \(refused.text)")
                }
            }
        }
    }

    @Test("requests that freeze the same month at once agree: one copy is kept, one event written", arguments: TestEngine.available)
    func concurrentFreezes(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<20, account: account)
            try await app.pricedTariff(5, accounts: [account], price: StatementTests.standardPrice)
            for sim in sims { try await app.provision(sim, tariff: 5, key: key) }
            app.at(day: 40)
            async let first = app.request(.get, "/v1/statements?month=2027-01&format=csv", key: key)
            async let second = app.request(.get, "/v1/statements?month=2027-01&format=csv&account=\(account)", key: app.operatorKey)
            async let third = app.statement("2027-01", key: key)
            let (one, two, three) = try await (first, second, third)
            #expect(one.status == 200 && three["state"] == "frozen", "\(one.text) \(three.text)")
            #expect(one.text.split(separator: "\r\n").count == 21)
            #expect(two.text == one.text)
            #expect(try await app.request(.get, "/v1/statements?month=2027-01&format=csv", key: key).text == one.text)
            #expect(try await app.request(.get, "/v1/events?type=statement.frozen", key: key).items.count == 1)
            let stored = try await app.database.sqlRead { try await $0.raw("SELECT line_id FROM statement_lines").all() }
            #expect(stored.count == 20, "only the winning freeze's lines stay")
        }
    }

    @Test("statements refuse bad requests by parameter; a customer reads only its own, a read-only key reads them", arguments: [TestEngine.sqlite])
    func requests(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (otherAccount, _) = try await app.makeCustomer("Scooters")
            app.at(day: 40)
            let cases: [(String, String, Int, String, String)] = [
                ("month=2027-13", key, 400, "invalid_month", "month"),
                ("month=27-01", key, 400, "invalid_month", "month"),
                ("month=2027-03", key, 400, "month_out_of_range", "month"),
                ("month=2026-12", key, 400, "month_out_of_range", "month"),
                ("month=2027-01&format=pdf", key, 400, "invalid_value", "format"),
                ("month=2027-01&page=2", key, 400, "unknown_parameter", "page"),
                ("month=2027-01&limit=0", key, 400, "invalid_limit", "limit"),
                ("month=2027-01&account=nope", key, 400, "invalid_value", "account"),
                ("month=2027-01&account=\(otherAccount)", key, 404, "resource_missing", "account"),
                ("month=2027-01", app.operatorKey, 400, "parameter_missing", "account"),
                ("month=2027-01&account=acct_missing", app.operatorKey, 404, "resource_missing", "account"),
            ]
            for (query, caller, status, code, param) in cases {
                let reply = try await app.request(.get, "/v1/statements?\(query)", key: caller)
                #expect(reply.status == status && reply.code == code && reply.param == param, "\(query): \(reply.text)")
            }
            let readOnly = try #require(try await app.request(.post, "/v1/api_keys", key: key, json: ["name": "desk", "scope": "read_only"])["secret"])
            let read = try await app.statement("2027-01", key: readOnly)
            #expect(read.status == 200 && read["account"] == account && read.lines.isEmpty)
            #expect(try await app.request(.get, "/v1/statements", key: nil).status == 401)
        }
    }

    @Test("amounts too large for 64 bits are refused, never wrapped or rounded away", arguments: [TestEngine.sqlite])
    func extremeAmounts(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let sims = try await app.importSims(0..<1, account: account)
            try await app.pricedTariff(5, accounts: [account], price: [
                "currency": "EUR", "monthly_fees": ["LIVE": 1_000_000_000_000], "data_price_per_mb": 1_000_000_000_000,
            ])
            try await app.provision(sims[0], tariff: 5, key: key)
            app.at(day: 2)
            let reply = try await app.request(.post, "/v1/usage_records", key: key, json: ["records": [[
                "id": "huge", "sim": Fixtures.iccid(0), "started_at": "2027-01-03T00:00:00Z", "ended_at": "2027-01-03T01:00:00Z",
                "bytes_up": 4_000_000_000_000_000_000, "bytes_down": 0,
            ]]])
            #expect(reply.status < 300, "\(reply.text)")
            // Another account's statement still freezes on time: one account that cannot be
            // frozen holds up no other, and the hourly job keeps coming back.
            let (other, otherKey) = try await app.makeCustomer("Scooters")
            let otherSims = try await app.importSims(1..<2, account: other)
            try await app.pricedTariff(6, accounts: [other], price: StatementTests.standardPrice)
            try await app.provision(otherSims[0], tariff: 6, key: otherKey)
            app.at(day: 33)
            let refused = try await app.statement("2027-01", key: key)
            #expect(refused.status == 409 && refused.code == "amount_out_of_range", "\(refused.text)")
            app.at(day: 35)
            try await app.settle()
            #expect(try await app.statement("2027-01", key: otherKey)["state"] == "frozen")
            #expect(try await app.request(.get, "/v1/events?type=statement.frozen", key: app.operatorKey).items.count == 1)
            app.at(day: 35, seconds: 3_600)
            try await app.settle()
            #expect(try await app.statement("2027-01", key: key).code == "amount_out_of_range")
        }
    }
}
