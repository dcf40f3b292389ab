import Foundation
import SQLKit
import SimGateTestSupport
import Testing

@Suite("The Cellhire-compatible API at its limits")
struct CellhireExtremesTests {
    @Test("the largest threshold and bundle Cellhire allows are kept exactly, and a shutdown thousands of years away shows as the last RFC 3339 second", arguments: TestEngine.available)
    func largestValues(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            let sim = try await app.cellhireStock(account: account)
            let client = try await CellhireClient.make(app, key: key)
            let ticket = try await client.submitAndSettle("Provision", """
                {"stock": [{"serialNumber": "987654321", "msisdn": "\(Fixtures.msisdn(0))"}], "provisioningOrderNumber": 2147483647,
                 "tariffNumber": 999, "shutdownThreshold": 2147483647, "bundleSizeMb": 2147483647, "boltOns": [1, 2147483647]}
                """)
            #expect(ticket["status"] == "complete", "\(ticket.text)")
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "x", imsi: Fixtures.imsi(0), input: 1, output: 1, identifier: 1),
            ])
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(state.json["shutdown_threshold_hours"] as? Int == 2_147_483_647)
            #expect(state["shutdown_at"] == "9999-12-31T23:59:59.000Z")
            #expect((state.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == 2_147_483_647 * 1_048_576)
            // Adding the largest top-up again and again stays exact until it would pass 2^63 - 1 bytes.
            let top = #"{"serialNumbers": ["987654321"], "amountMb": 2147483647}"#
            #expect(try await client.submitAndSettle("TopUp", top)["status"] == "complete")
            let size = try #require((try await app.request(.get, "/v1/sims/\(sim)", key: key).json["bundle"] as? [String: Any])?["size_bytes"] as? Int)
            #expect(size == 2 * 2_147_483_647 * 1_048_576)
        }
    }

    /// A TopUp of several SIMs refused because one SIM's bundle would pass 2^63 - 1 bytes
    /// named only `amountMb`, not which SIM.
    @Test("a TopUp too large for one SIM's bundle is refused whole and names that SIM")
    func topUpTooLargeNamesTheSIM() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            _ = try await app.cellhireStock(account: account)
            let imported = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: [
                "account": account, "sims": [["iccid": Fixtures.iccid(1), "imsi": Fixtures.imsi(1), "serial_number": "SN2"]],
            ])
            let second = try #require(imported.items.first?["id"] as? String)
            let client = try await CellhireClient.make(app, key: key)
            let provisioned = try await client.submitAndSettle("Provision", """
                {"stock": [{"serialNumber": "987654321"}, {"serialNumber": "SN2"}], "provisioningOrderNumber": 1, "tariffNumber": 999, "shutdownThreshold": 24, "bundleSizeMb": 1}
                """)
            #expect(provisioned["status"] == "complete", "\(provisioned.text)")
            // The second SIM's bundle a megabyte short of the largest (4,096 of the largest
            // top-ups would take too long here).
            try await app.database.sqlTransaction { db in
                _ = try await db.raw("UPDATE sims SET bundle_bytes = \(bind: Int64.max - 1_048_575) WHERE id = \(bind: second)").all()
            }
            let refused = try await client.send(.post, "/api/simSubmission/TopUp", #"{"serialNumbers": ["987654321", "SN2"], "amountMb": 1}"#)
            #expect(refused.status == 400 && refused.code == "bundle_too_large" && refused.param == "serialNumbers[1]", "\(refused.text)")
            #expect(refused["detail"]?.contains("SN2") == true, "\(refused.text)")
            let first = try await app.request(.get, "/v1/sims/\(Fixtures.iccid(0))", key: key)
            #expect((first.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == 1_048_576, "the whole ticket refused: \(first.text)")
        }
    }

    /// Serial numbers spelt with `é` and with `e` and a combining accent are two in the
    /// database but one to Swift's string equality: a Provision naming both was refused as
    /// naming one twice, and one naming either found both SIMs.
    @Test("serial numbers in canonically equivalent spellings are told apart byte for byte, as the database tells them", arguments: TestEngine.available)
    func equivalentSpellings(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            _ = try await app.cellhireStock(account: account)
            let (composed, decomposed) = ("s-\u{E9}", "s-e\u{301}")
            #expect(composed == decomposed && !composed.utf8.elementsEqual(decomposed.utf8), "two spellings Swift takes for one")
            let imported = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: [
                "account": account, "sims": [
                    ["iccid": Fixtures.iccid(1), "imsi": Fixtures.imsi(1), "serial_number": composed],
                    ["iccid": Fixtures.iccid(2), "imsi": Fixtures.imsi(2), "serial_number": decomposed],
                ],
            ])
            #expect(imported.items.count == 2, "\(imported.text)")
            let client = try await CellhireClient.make(app, key: key)
            func provision(_ serials: [String]) async throws -> TestReply {
                let body = try JSONSerialization.data(withJSONObject: [
                    "stock": serials.map { ["serialNumber": $0] }, "provisioningOrderNumber": 1, "tariffNumber": 999, "shutdownThreshold": 24, "bundleSizeMb": 1,
                ] as [String: Any])
                return try await client.submitAndSettle("Provision", String(decoding: body, as: UTF8.self))
            }
            let one = try await provision([decomposed])
            #expect(one["status"] == "complete", "\(one.text)")
            #expect(try await app.request(.get, "/v1/sims/\(Fixtures.iccid(1))", key: key)["status"] == "INVENTORY", "only the SIM spelt as asked")
            #expect(try await app.request(.get, "/v1/sims/\(Fixtures.iccid(2))", key: key)["status"] == "LIVE")
            let both = try await provision([composed, decomposed])
            #expect(both["status"] == "complete", "\(both.text)")
            #expect(try await app.request(.get, "/v1/sims/\(Fixtures.iccid(1))", key: key)["status"] == "LIVE")
        }
    }

    /// Two SIMs of a company with one serial number could never be provisioned: Provision said
    /// to set distinct serial numbers first, and no route set one. A retired SIM's serial
    /// number, carried on by its replacement, blocked the replacement for good; an import took a
    /// blank serial number, which no request can name.
    @Test("a serial number two SIMs share can be set apart through the API; a retired SIM's does not count; a blank one is refused", arguments: TestEngine.available)
    func sharedSerialNumbers(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            _ = try await app.cellhireStock(account: account)
            func importSIM(_ index: Int, serial: String) async throws -> TestReply {
                try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: [
                    "account": account, "sims": [["iccid": Fixtures.iccid(index), "imsi": Fixtures.imsi(index), "serial_number": serial]],
                ])
            }
            for index in 1...2 { #expect(try await importSIM(index, serial: "DUP1").status == 201) }
            let client = try await CellhireClient.make(app, key: key)
            let provision = #"{"stock": [{"serialNumber": "DUP1"}], "provisioningOrderNumber": 1, "tariffNumber": 999, "shutdownThreshold": 24, "bundleSizeMb": 1}"#
            let refused = try await client.send(.post, "/api/simSubmission/Provision", provision)
            #expect(refused.code == "ambiguous_serial_number" && refused["detail"]?.contains("serial_number") == true, "\(refused.text)")

            let respelt = try await app.request(.post, "/v1/sims/\(Fixtures.iccid(2))", key: key, json: ["serial_number": "DUP1-b"])
            #expect(respelt.status == 200 && respelt["serial_number"] == "DUP1-b", "\(respelt.text)")
            let told = try await app.request(.get, "/v1/sims/\(Fixtures.iccid(2))/events?type=sim.updated", key: key).items.first
            #expect(((told?["data"] as? [String: Any])?["previous_attributes"] as? [String: Any])?["serial_number"] as? String == "DUP1", "\(String(describing: told))")
            #expect(try await client.submitAndSettle("Provision", provision)["status"] == "complete")
            #expect(try await app.request(.get, "/v1/sims/\(Fixtures.iccid(1))", key: key)["status"] == "LIVE")

            // The SIM carrying 987654321 is retired; its replacement carries the number on.
            #expect(try await app.request(.post, "/v1/sims/\(Fixtures.iccid(0))/retire", key: app.operatorKey).status == 200)
            #expect(try await importSIM(3, serial: "987654321").status == 201)
            let replacement = try await client.submitAndSettle("Provision", #"{"stock": [{"serialNumber": "987654321"}], "provisioningOrderNumber": 2, "tariffNumber": 999, "shutdownThreshold": 24, "bundleSizeMb": 1}"#)
            #expect(replacement["status"] == "complete", "\(replacement.text)")
            #expect(try await app.request(.get, "/v1/sims/\(Fixtures.iccid(3))", key: key)["status"] == "LIVE")

            for blank in ["", " ", "\u{2028}"] {
                let imported = try await importSIM(4, serial: blank)
                #expect(imported.status == 400 || (imported.json["errors"] as? [[String: Any]])?.isEmpty == false, "\(imported.text)")
                #expect(imported.text.contains("serial_number") && imported.text.contains("invalid_value"), "\(imported.text)")
                let set = try await app.request(.post, "/v1/sims/\(Fixtures.iccid(1))", key: key, json: ["serial_number": blank])
                #expect(set.status == 400 && set.code == "invalid_value" && set.param == "serial_number", "\(set.text)")
            }
        }
    }

    /// A purchase order number took NUL and escape characters, and a fraction among the
    /// bolt-ons was refused without naming the field.
    @Test("a Provision with control characters in its purchase order or a fraction among its bolt-ons is refused, naming the field", arguments: [TestEngine.sqlite])
    func provisionFieldsNamed(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            _ = try await app.cellhireStock(account: account)
            let client = try await CellhireClient.make(app, key: key)
            func provision(_ extra: String) async throws -> TestReply {
                try await client.send(.post, "/api/simSubmission/Provision", """
                    {"stock": [{"serialNumber": "987654321"}], "provisioningOrderNumber": 1, "tariffNumber": 999, \(extra)}
                    """)
            }
            for order in [#""a\u0000b""#, #""po\u001b[31m""#, #""line\nbreak""#] {
                let refused = try await provision("\"purchaseOrderNumber\": \(order)")
                #expect(refused.status == 400 && refused.code == "invalid_value" && refused.param == "purchaseOrderNumber", "\(order): \(refused.text)")
            }
            for boltOns in ["[1.5]", "[1, \"2\"]", "[0]"] {
                let refused = try await provision("\"boltOns\": \(boltOns)")
                #expect(refused.status == 400 && refused.param == "boltOns", "\(boltOns): \(refused.text)")
            }
            let accepted = try await client.submitAndSettle("Provision", """
                {"stock": [{"serialNumber": "987654321"}], "provisioningOrderNumber": 1, "tariffNumber": 999, "shutdownThreshold": 24, "bundleSizeMb": 10, "purchaseOrderNumber": "PO-1,PO-2"}
                """)
            #expect(accepted["status"] == "complete", "\(accepted.text)")
        }
    }

    @Test("the token endpoint refuses hostile forms without crashing: no grant, garbage, a huge body, encoded and repeated fields", arguments: [TestEngine.sqlite])
    func hostileTokenRequests(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            _ = try await app.cellhireStock(account: account)
            let client = try await CellhireClient.make(app, key: key)
            #expect(try await CellhireClient.requestToken(app, form: "")["error"] == "invalid_request")
            #expect(try await CellhireClient.requestToken(app, form: "%%%&&&===")["error"] == "invalid_request")
            #expect(try await CellhireClient.requestToken(app, form: String(repeating: "a", count: 20_000)).status == 413)
            // Percent-encoded values are decoded. A field given twice is refused (RFC 6749
            // section 3.2), whichever value comes first: it was once read as the first one.
            let encoded = "grant_type=client%5Fcredentials&client_id=\(client.clientID)&client_secret=\(client.secret)"
            #expect(try await CellhireClient.requestToken(app, form: encoded).status == 200)
            #expect(try await CellhireClient.requestToken(app, form: encoded + "&client_secret=wrong")["error"] == "invalid_request")
            #expect(try await CellhireClient.requestToken(app, form: encoded + "&grant_type=password")["error"] == "invalid_request")
            #expect(try await CellhireClient.requestToken(app, form: "grant_type=client_credentials&client_id=\(client.clientID)&client_secret=\(String(repeating: "x", count: 500))")["error"] == "invalid_client")
            #expect(try await CellhireClient.requestToken(app, form: "grant_type=client_credentials", headers: ["Authorization": "Basic !!!"])["error"] == "invalid_client")
            var forged = client
            forged.token = client.token + "x"
            #expect(try await forged.send(.get, "/api/simSubmission/\(String(repeating: "z", count: 500))").status == 401)
            #expect(try await client.send(.get, "/api/simSubmission/\(String(repeating: "z", count: 500))").status == 404)
        }
    }
}
