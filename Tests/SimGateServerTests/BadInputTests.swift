import Foundation
import SimGateTestSupport
import Testing

/// A request that must be refused, and what the refusal must say.
struct BadRequestCase: Sendable, CustomStringConvertible {
    let name: String
    let path: String
    let body: String
    let status: Int
    let code: String
    let param: String?
    var description: String { name }
}

@Suite("Bad input is refused clearly and changes nothing", .timeLimit(.minutes(2)))
struct BadInputTests {
    static let cases: [BadRequestCase] = [
        BadRequestCase(name: "malformed JSON", path: "/v1/sims/SIM/activate", body: "{\"reason\": ", status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "stray closing brace in an array", path: "/v1/sims/SIM/activate", body: "[}", status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "value missing after a key", path: "/v1/sims/SIM/activate", body: "{\"force\": }", status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "object closed as an array", path: "/v1/sims/SIM/activate", body: "{\"force\": true]", status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "not an object", path: "/v1/sims/SIM/activate", body: "[1, 2]", status: 400, code: "invalid_body", param: nil),
        BadRequestCase(name: "null for a body", path: "/v1/sims/SIM/top_ups", body: "null", status: 400, code: "invalid_body", param: nil),
        BadRequestCase(name: "null for an import", path: "/v1/sims/import", body: "null", status: 400, code: "invalid_body", param: nil),
        BadRequestCase(name: "wrong type", path: "/v1/sims/SIM/activate", body: "{\"force\": \"yes\"}", status: 400, code: "invalid_type", param: "force"),
        BadRequestCase(name: "unknown field", path: "/v1/sims/SIM/activate", body: "{\"forse\": true}", status: 400, code: "unknown_parameter", param: "forse"),
        BadRequestCase(name: "reason too long", path: "/v1/sims/SIM/suspend", body: "{\"reason\": \"\(String(repeating: "x", count: 501))\"}", status: 400, code: "value_too_long", param: "reason"),
        BadRequestCase(name: "bad label", path: "/v1/sims/SIM", body: "{\"labels\": [\"no spaces\"]}", status: 400, code: "invalid_label", param: "labels"),
        BadRequestCase(name: "metadata value too long", path: "/v1/sims/SIM", body: "{\"metadata\": {\"k\": \"\(String(repeating: "v", count: 501))\"}}", status: 400, code: "invalid_metadata", param: "metadata"),
        BadRequestCase(name: "null where a list is required", path: "/v1/sims/bulk", body: "{\"action\": \"activate\", \"iccids\": null}", status: 400, code: "invalid_type", param: "iccids"),
        BadRequestCase(name: "unknown bulk action", path: "/v1/sims/bulk", body: "{\"action\": \"explode\", \"iccids\": [\"1\"]}", status: 400, code: "invalid_value", param: "action"),
        BadRequestCase(name: "bad ICCID in bulk", path: "/v1/sims/bulk", body: "{\"action\": \"activate\", \"iccids\": [\"123\"]}", status: 400, code: "invalid_iccid", param: "iccids[0]"),
        BadRequestCase(name: "empty bulk", path: "/v1/sims/bulk", body: "{\"action\": \"activate\", \"iccids\": []}", status: 400, code: "invalid_batch_size", param: "iccids"),
        BadRequestCase(name: "unknown field in an import row", path: "/v1/sims/import", body: "{\"sims\": [{\"iccid\": \"1\", \"imsi\": \"2\", \"colour\": \"red\"}]}", status: 400, code: "unknown_parameter", param: "sims[0].colour"),
        BadRequestCase(name: "missing IMSI in an import row", path: "/v1/sims/import", body: "{\"sims\": [{\"iccid\": \"1\"}]}", status: 400, code: "parameter_missing", param: "sims[0].imsi"),
        BadRequestCase(name: "bad account id", path: "/v1/sims/SIM/assign", body: "{\"account\": \"sim_123\"}", status: 400, code: "invalid_id", param: "account"),
        BadRequestCase(name: "empty account name", path: "/v1/accounts", body: "{\"name\": \"  \"}", status: 400, code: "invalid_value", param: "name"),
        // Valid JSON that does not fit the field: named, not "not valid JSON".
        BadRequestCase(name: "fraction for an integer", path: "/v1/accounts/ACCOUNT", body: "{\"radius_interim_interval\": 120.5}", status: 400, code: "invalid_type", param: "radius_interim_interval"),
        BadRequestCase(name: "26-digit integer", path: "/v1/accounts/ACCOUNT", body: "{\"radius_interim_interval\": 12345678901234567890123456}", status: 400, code: "value_out_of_range", param: "radius_interim_interval"),
        // An array for a number was "too large"; a number past what any field reads had no param.
        BadRequestCase(name: "an array for an integer", path: "/v1/accounts/ACCOUNT", body: "{\"radius_interim_interval\": [300]}", status: 400, code: "invalid_type", param: "radius_interim_interval"),
        BadRequestCase(name: "an object for an integer", path: "/v1/accounts/ACCOUNT", body: "{\"radius_interim_interval\": {}}", status: 400, code: "invalid_type", param: "radius_interim_interval"),
        BadRequestCase(name: "1e200 for an integer", path: "/v1/accounts/ACCOUNT", body: "{\"radius_interim_interval\": 1e200}", status: 400, code: "value_out_of_range", param: "radius_interim_interval"),
        BadRequestCase(name: "1e308 in a usage record", path: "/v1/usage_records", body: "{\"records\": [{\"id\": \"r1\", \"sim\": \"SIM\", \"started_at\": \"2027-01-01T00:00:00Z\", \"ended_at\": \"2027-01-01T00:00:00Z\", \"bytes_up\": 1e308, \"bytes_down\": 0}]}", status: 400, code: "value_out_of_range", param: "records[0].bytes_up"),
        // A number smaller than any field reads (it underflows, or Decimal cannot hold it) had no param.
        BadRequestCase(name: "1e-400 for an integer", path: "/v1/accounts/ACCOUNT", body: "{\"radius_interim_interval\": 1e-400}", status: 400, code: "value_out_of_range", param: "radius_interim_interval"),
        BadRequestCase(name: "-1e-300 in a usage record", path: "/v1/usage_records", body: "{\"records\": [{\"id\": \"r1\", \"sim\": \"SIM\", \"started_at\": \"2027-01-01T00:00:00Z\", \"ended_at\": \"2027-01-01T00:00:00Z\", \"bytes_up\": 0, \"bytes_down\": -1e-300}]}", status: 400, code: "value_out_of_range", param: "records[0].bytes_down"),
        // null for a field that is not nullable was read as left out: 200, nothing changed.
        BadRequestCase(name: "null for an account's name", path: "/v1/accounts/ACCOUNT", body: "{\"name\": null}", status: 400, code: "invalid_type", param: "name"),
        BadRequestCase(name: "null for a tariff's new name", path: "/v1/tariffs/77", body: "{\"name\": null}", status: 400, code: "invalid_type", param: "name"),
        BadRequestCase(name: "null for a tariff's accounts", path: "/v1/tariffs", body: "{\"number\": 77, \"name\": \"n\", \"kind\": \"standard\", \"accounts\": null}", status: 400, code: "invalid_type", param: "accounts"),
        BadRequestCase(name: "a key given twice", path: "/v1/sims/SIM/suspend", body: "{\"reason\": \"a\", \"reason\": \"b\"}", status: 400, code: "duplicate_key", param: "reason"),
        BadRequestCase(name: "a key given twice, once escaped", path: "/v1/sims/SIM/suspend", body: "{\"reason\": \"a\", \"re\\u0061son\": \"b\"}", status: 400, code: "duplicate_key", param: "reason"),
        BadRequestCase(name: "NUL in a name", path: "/v1/accounts", body: "{\"name\": \"Acme\\u0000Ltd\"}", status: 400, code: "invalid_value", param: "name"),
        BadRequestCase(name: "NUL in a reason", path: "/v1/sims/SIM/suspend", body: "{\"reason\": \"stolen\\u0000\"}", status: 400, code: "invalid_value", param: "reason"),
        // 32 KB of brackets once ran the duplicate-key scan out of stack and killed the server.
        BadRequestCase(name: "arrays nested 16,000 deep", path: "/v1/sims/SIM/suspend", body: String(repeating: "[", count: 16_000) + String(repeating: "]", count: 16_000), status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "objects nested 20,000 deep", path: "/v1/accounts", body: String(repeating: "{\"a\":", count: 20_000) + "1" + String(repeating: "}", count: 20_000), status: 400, code: "invalid_json", param: nil),
        // Foundation's parser let a trailing comma pass: an account was made from '{"name": "x",}'.
        BadRequestCase(name: "a trailing comma in an object", path: "/v1/accounts", body: "{\"name\": \"trail\",}", status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "a trailing comma in a list", path: "/v1/sims/SIM", body: "{\"labels\": [\"a\",]}", status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "a comma before the first member", path: "/v1/sims/SIM/suspend", body: "{, \"reason\": \"a\"}", status: 400, code: "invalid_json", param: nil),
        BadRequestCase(name: "one letter and 100,000 combining marks", path: "/v1/accounts", body: "{\"name\": \"a\(String(repeating: "\u{0301}", count: 100_000))\"}", status: 400, code: "value_too_long", param: "name"),
    ]

    @Test("each bad request gets problem details with code and param", arguments: cases)
    func refused(_ badCase: BadRequestCase) async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            let before = try await app.snapshot(sim)

            let path = badCase.path.replacingOccurrences(of: "SIM", with: sim).replacingOccurrences(of: "ACCOUNT", with: app.fleetAccount)
            let reply = try await app.request(.post, path, key: app.operatorKey, rawBody: badCase.body.replacingOccurrences(of: "\"SIM\"", with: "\"\(sim)\""))
            #expect(reply.status == badCase.status, "\(reply.text)")
            #expect(reply.contentType == "application/problem+json")
            #expect(reply.code == badCase.code, "\(reply.text)")
            #expect(reply.param == badCase.param)
            #expect(reply.json["detail"] is String)
            #expect(try await app.snapshot(sim) == before)
        }
    }

    @Test("query parameters are checked too", arguments: TestEngine.available)
    func badQueries(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let cases: [(String, String, String)] = [
                ("/v1/sims?limit=0", "invalid_limit", "limit"), ("/v1/sims?limit=101", "invalid_limit", "limit"),
                ("/v1/sims?limit=ten", "invalid_limit", "limit"), ("/v1/sims?limit=+5", "invalid_limit", "limit"),
                ("/v1/sims?label=%00", "invalid_label", "label"), ("/v1/sims?label=a%20b", "invalid_label", "label"), ("/v1/sims?status=ONLINE", "invalid_status", "status"),
                ("/v1/sims?colour=red", "unknown_parameter", "colour"), ("/v1/sims?iccid=12", "invalid_iccid", "iccid"),
                ("/v1/sims?imei=490154203237519", "invalid_imei", "imei"), ("/v1/events?created[gte]=yesterday", "invalid_time", "created[gte]"),
                ("/v1/events?sim=acct_1", "invalid_id", "sim"),
                // Unix seconds past year 9999 are no time (they would not fit in milliseconds).
                ("/v1/events?created[gte]=9223372036854775807", "invalid_time", "created[gte]"),
                ("/v1/usage?from=-9223372036854775808", "invalid_time", "from"), ("/v1/usage?from=+1000", "invalid_time", "from"),
                // Impossible fields are refused, not rolled over into the next day or month.
                ("/v1/events?created[gte]=2026-02-30T00:00:00Z", "invalid_time", "created[gte]"),
                ("/v1/events?created[gte]=2026-11-30T24:00:00Z", "invalid_time", "created[gte]"),
                ("/v1/events?created[lte]=2026-11-30T23:61:00Z", "invalid_time", "created[lte]"),
                ("/v1/events?created[lte]=2026-11-30T23:00:00+25:00", "invalid_time", "created[lte]"),
                // Names percent-encoded as libraries send them are read like values.
                ("/v1/events?created%5Bgte%5D=yesterday", "invalid_time", "created[gte]"),
                // Cursors must be ids of the listed kind.
                ("/v1/sims?starting_after=foo", "invalid_cursor", "starting_after"),
                ("/v1/sims?ending_before=evt_01MB78QN001XH51DH4RTMBHWT5", "invalid_cursor", "ending_before"),
                // Made up, cased otherwise or cut short: each was a place in the list.
                ("/v1/sims?starting_after=sim_x", "invalid_cursor", "starting_after"),
                ("/v1/sims?starting_after=sim_01mb78qn001xh51dh4rtmbhwt5", "invalid_cursor", "starting_after"),
                ("/v1/events?starting_after=evt_01MB78QN001XH51DH4RTMBHWT", "invalid_cursor", "starting_after"),
                // One value where one is allowed.
                ("/v1/sims?limit=1&limit=2", "parameter_repeated", "limit"), ("/v1/sims?label=a&label=b", "parameter_repeated", "label"),
                // Filters for types that do not exist are typos.
                ("/v1/events?type=sim.teleported", "invalid_type_filter", "type"),
                // Routes take only what they support.
                ("/v1/usage?limit=5", "unknown_parameter", "limit"), ("/v1/sims/\(app.fleetAccount)?limit=5", "unknown_parameter", "limit"),
                // A statement's paging is checked whatever the format (CSV ignored it).
                ("/v1/statements?account=\(app.fleetAccount)&limit=0&format=csv", "invalid_limit", "limit"),
                ("/v1/statements?account=\(app.fleetAccount)&format=xml", "invalid_value", "format"),
                ("/v1/statements?account=\(app.fleetAccount)&format=csv&starting_after=garbage", "invalid_cursor", "starting_after"),
                // A country no record can name (it was answered as no usage).
                ("/v1/usage?country=ZZ", "invalid_value", "country"), ("/v1/usage?country=UK", "invalid_value", "country"),
            ]
            for (path, code, param) in cases {
                let reply = try await app.request(.get, path, key: app.operatorKey)
                #expect(reply.status == 400, "\(path)")
                #expect(reply.code == code, "\(path): \(reply.text)")
                #expect(reply.param == param, "\(path)")
            }
            // Within a time window, a cursor naming no event of the caller's (another account's)
            // gave an empty page with no more, as if the list had ended.
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let (_, otherKey) = try await app.makeCustomer("Scooters")
            let own = try #require(try await app.request(.get, "/v1/events", key: key).items.first?["id"] as? String)
            let foreign = try #require(try await app.request(.get, "/v1/events", key: otherKey).items.first?["id"] as? String)
            let window = "created[gte]=2000-01-01T00:00:00Z"
            let crossing = try await app.request(.get, "/v1/events?\(window)&ending_before=\(foreign)", key: key)
            #expect(crossing.status == 400 && crossing.code == "invalid_cursor" && crossing.param == "ending_before", "\(crossing.text)")
            #expect(try await app.request(.get, "/v1/events?\(window)&starting_after=\(own)", key: key).status == 200)
            // A lone bound at the edge of time selects nothing; it was refused against a default
            // no one sent ('from' after the default 'to').
            for path in ["/v1/usage?from=9999-12-31T23:59:59.999Z", "/v1/usage?to=0001-01-01T00:00:00Z", "/v1/usage?to=1969-12-31T00:00:00Z&granularity=month"] {
                let reply = try await app.request(.get, path, key: app.operatorKey)
                #expect(reply.status == 200 && reply.items.isEmpty, "\(path): \(reply.text)")
            }
            #expect(try await app.request(.get, "/v1/usage?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z", key: app.operatorKey).param == "from")
        }
    }

    @Test("a body over 4 MiB is refused with 413 before it is read whole")
    func oversizedBody() async throws {
        try await TestHarness.run(.sqlite) { app in
            let huge = "{\"name\": \"" + String(repeating: "a", count: 5 * 1024 * 1024) + "\"}"
            let reply = try await app.request(.post, "/v1/accounts", key: app.operatorKey, rawBody: huge)
            #expect(reply.status == 413)
            #expect(reply.code == "body_too_large")
            // The operator's and the harness's fleet account, and no third.
            #expect(try await app.request(.get, "/v1/accounts", key: app.operatorKey).items.count == 2)
        }
    }

    /// A gzipped body was answered invalid_json, as if its JSON were broken; one labelled br but
    /// sent plain was taken.
    @Test("a body sent with a Content-Encoding is a 415 unsupported_encoding and changes nothing")
    func encodedBody() async throws {
        try await TestHarness.run(.sqlite) { app in
            for encoding in ["gzip", "br", "deflate, gzip"] {
                let reply = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Encoded"], headers: ["Content-Encoding": encoding])
                #expect(reply.status == 415 && reply.code == "unsupported_encoding", "\(encoding): \(reply.text)")
            }
            #expect(try await app.request(.get, "/v1/accounts", key: app.operatorKey).items.count == 2)
            let plain = try await app.request(.post, "/v1/accounts", key: app.operatorKey, json: ["name": "Plain"], headers: ["Content-Encoding": "identity"])
            #expect(plain.status == 201, "\(plain.text)")
        }
    }

    @Test("unknown ids and routes are 404 problem details")
    func notFound() async throws {
        try await TestHarness.run(.sqlite) { app in
            for path in ["/v1/sims/sim_01NOPE", "/v1/sims/\(Fixtures.iccid(77))", "/v1/sims/garbage", "/v1/events/evt_0", "/v1/nowhere"] {
                let reply = try await app.request(.get, path, key: app.operatorKey)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.contentType == "application/problem+json")
            }
        }
    }
}

extension TestHarness {
    /// The SIM as the API shows it plus how many events exist: what a refused request must not change.
    func snapshot(_ sim: String) async throws -> String {
        let object = try await request(.get, "/v1/sims/\(sim)", key: operatorKey).text
        let events = try await request(.get, "/v1/events?limit=100", key: operatorKey).items.count
        return object + "|\(events)"
    }
}
