import Foundation
import HTTPTypes
import NIOCore
import SimGateTestSupport
import Testing

@Suite("The Cellhire-compatible API")
struct CellhireSurfaceTests {
    @Test("client credentials get a bearer token; a bad client is 400 invalid_client; an expired or revoked token is 401", arguments: TestEngine.available)
    func tokens(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            _ = try await app.cellhireStock(account: account)
            let client = try await CellhireClient.make(app, key: key)
            let token = try await CellhireClient.requestToken(app, form: "grant_type=client_credentials&client_id=\(client.clientID)&client_secret=\(client.secret)")
            #expect(token.status == 200)
            #expect(token.json["expires_in"] as? Int == 3600)
            #expect(token["token_type"] == "Bearer")
            #expect(token.headers[.contentType] == "application/json;charset=UTF-8")
            let basic = Data("\(client.clientID):\(client.secret)".utf8).base64EncodedString()
            #expect(try await CellhireClient.requestToken(app, form: "grant_type=client_credentials", headers: ["Authorization": "Basic \(basic)"]).status == 200)

            for form in ["grant_type=client_credentials&client_id=\(client.clientID)&client_secret=wrong", "grant_type=client_credentials&client_id=cli_nope&client_secret=x", "grant_type=client_credentials"] {
                let refused = try await CellhireClient.requestToken(app, form: form)
                #expect(refused.status == 400)
                #expect(refused["error"] == "invalid_client")
            }
            #expect(try await CellhireClient.requestToken(app, form: "grant_type=password&username=a&password=b")["error"] == "unsupported_grant_type")

            // RFC 6749's rules the endpoint once let pass: a scope it does not have, two ways of
            // authenticating at once, a Basic header it could not read (looked past to the
            // form), a repeat hidden behind an undecodable value, a body that is not a form.
            let good = "grant_type=client_credentials&client_id=\(client.clientID)&client_secret=\(client.secret)"
            #expect(try await CellhireClient.requestToken(app, form: good + "&scope=simSubmission").status == 200)
            #expect(try await CellhireClient.requestToken(app, form: good + "&scope=admin")["error"] == "invalid_scope")
            let both = try await CellhireClient.requestToken(app, form: good, headers: ["Authorization": "Basic \(basic)"])
            #expect(both.status == 400 && both["error"] == "invalid_request", "\(both.text)")
            let unreadable = try await CellhireClient.requestToken(app, form: "grant_type=client_credentials&client_id=\(client.clientID)", headers: ["Authorization": "Basic !!!"])
            #expect(unreadable.status == 401 && unreadable["error"] == "invalid_client" && unreadable.headers[.wwwAuthenticate] != nil, "\(unreadable.text)")
            let wrongBasic = Data("\(client.clientID):wrong".utf8).base64EncodedString()
            let refusedBasic = try await CellhireClient.requestToken(app, form: "grant_type=client_credentials", headers: ["Authorization": "Basic \(wrongBasic)"])
            #expect(refusedBasic.status == 401 && refusedBasic.headers[.wwwAuthenticate] == #"Basic realm="SimGate""#, "\(refusedBasic.text)")
            let hidden = "grant_type=client_credentials&client_id=\(client.clientID)&client_secret=%ZZ&client_secret=\(client.secret)"
            #expect(try await CellhireClient.requestToken(app, form: hidden)["error"] == "invalid_request")
            let json = try await CellhireClient.requestToken(app, form: good, headers: ["Content-Type": "application/json"])
            #expect(json.status == 400 && json["error_description"]?.contains("x-www-form-urlencoded") == true, "\(json.text)")

            let standard = #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 1, "provisioningOrderNumber": 1}"#
            #expect(try await client.send(.post, "/api/simSubmission/Provision", standard).status == 200)
            // An API key is not a token, and a token is not an API key.
            var withKey = client
            withKey.token = key
            #expect(try await withKey.send(.post, "/api/simSubmission/Provision", standard).status == 401)
            #expect(try await app.request(.get, "/v1/sims", key: client.token).status == 401)
            // Two Authorization headers were read as one list and called not valid.
            var twice = HTTPFields()
            for _ in 0..<2 { twice.append(HTTPField(name: .authorization, value: "Bearer \(client.token)")) }
            let repeated = try await app.client.executeRequest(uri: "/api/simSubmission/00000000-0000-0000-0000-000000000000", method: .get, headers: twice, body: nil)
            #expect(repeated.status == .unauthorized && String(buffer: repeated.body).contains("one Authorization header"), "\(String(buffer: repeated.body))")
            var basicTwice = HTTPFields()
            let credentials = Data("\(client.clientID):\(client.secret)".utf8).base64EncodedString()
            for _ in 0..<2 { basicTwice.append(HTTPField(name: .authorization, value: "Basic \(credentials)")) }
            basicTwice[.contentType] = "application/x-www-form-urlencoded"
            let tokenTwice = try await app.client.executeRequest(uri: "/connect/token", method: .post, headers: basicTwice, body: ByteBuffer(string: "grant_type=client_credentials"))
            #expect(tokenTwice.status == .badRequest && String(buffer: tokenTwice.body).contains("one Authorization header"), "\(String(buffer: tokenTwice.body))")

            app.clock.advance(by: 3_601)
            let expired = try await client.send(.get, "/api/simSubmission/00000000-0000-0000-0000-000000000000")
            #expect(expired.status == 401)
            #expect(expired.headers[.wwwAuthenticate]?.contains("invalid_token") == true)

            var fresh = client
            fresh.token = try #require(try await CellhireClient.requestToken(app, form: "grant_type=client_credentials&client_id=\(client.clientID)&client_secret=\(client.secret)")["access_token"])
            #expect(try await fresh.send(.get, "/api/simSubmission/00000000-0000-0000-0000-000000000000").status == 404)
            _ = try await app.request(.delete, "/v1/api_clients/\(client.clientID)", key: key)
            #expect(try await fresh.send(.get, "/api/simSubmission/00000000-0000-0000-0000-000000000000").status == 401)
            #expect(try await CellhireClient.requestToken(app, form: "grant_type=client_credentials&client_id=\(client.clientID)&client_secret=\(client.secret)")["error"] == "invalid_client")
            let listed = try await app.request(.get, "/v1/api_clients", key: key)
            #expect(listed.items.count == 1)
            #expect(listed.items.first?["secret"] == nil)
            #expect(!listed.text.contains(client.secret))
        }
    }

    @Test("Cellhire's documented Provision example works as written, then ConfigureThreshold, TopUp and Unprovision, each with a ticket that completes", arguments: TestEngine.available)
    func documentedFlow(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            let sim = try await app.cellhireStock(account: account)
            let client = try await CellhireClient.make(app, key: key)

            let provisioned = try await client.submitAndSettle("Provision", """
                {"stock": [{"serialNumber": "987654321"}], "provisioningOrderNumber": 999,
                 "tariffNumber": 999, "shutdownThreshold": 24, "bundleSizeMb": 100}
                """)
            #expect(provisioned.status == 200)
            #expect(provisioned["status"] == "complete")
            #expect(provisioned["type"] == "Provision")
            #expect(provisioned["createdBy"] == "erp")
            #expect(provisioned["completedOn"] != nil)
            #expect(provisioned.json["errorId"] is NSNull)
            var state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(state["status"] == "LIVE")
            #expect(state.json["tariff_number"] as? Int == 999)
            #expect((state.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == 100 * 1_048_576)
            let events = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.tariff_set", key: key)
            let actor = (events.items.first?["cause"] as? [String: Any])?["actor"] as? [String: Any]
            #expect(actor?["type"] as? String == "api_client")
            #expect(actor?["id"] as? String == client.clientID)

            #expect(try await client.submitAndSettle("ConfigureThreshold", #"{"serialNumbers": ["987654321"], "shutdownThreshold": 48}"#)["status"] == "complete")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key).json["shutdown_threshold_hours"] as? Int == 48)

            #expect(try await client.submitAndSettle("TopUp", #"{"serialNumbers": ["987654321"], "amountMb": 50}"#)["status"] == "complete")
            state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect((state.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == 150 * 1_048_576)

            // A retried TopUp with the same Idempotency-Key gets the same ticket and adds nothing.
            let first = try await client.send(.post, "/api/simSubmission/TopUp", #"{"serialNumbers": ["987654321"], "amountMb": 10}"#, headers: ["Idempotency-Key": "topup-7"])
            let retry = try await client.send(.post, "/api/simSubmission/TopUp", #"{"serialNumbers": ["987654321"], "amountMb": 10}"#, headers: ["Idempotency-Key": "topup-7"])
            #expect(first["ticketNumber"] == retry["ticketNumber"])
            try await app.settle()
            state = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect((state.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == 160 * 1_048_576)

            #expect(try await client.submitAndSettle("Unprovision", #"{"serialNumbers": ["987654321"]}"#)["status"] == "complete")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "UNPROVISIONED")
        }
    }

    @Test("bad submissions are refused with the field named, leave no ticket and change nothing; another company's ticket is 403", arguments: TestEngine.available)
    func badSubmissions(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            let sim = try await app.cellhireStock(account: account)
            let (otherAccount, otherKey) = try await app.makeCustomer("Rival")
            _ = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: [
                "account": otherAccount, "sims": [["iccid": Fixtures.iccid(1), "imsi": Fixtures.imsi(1), "serial_number": "555"]],
            ])
            let client = try await CellhireClient.make(app, key: key)
            let order = #""provisioningOrderNumber": 1"#
            let cases: [(String, String, String)] = [
                ("Provision", #"{"tariffNumber": 999, \#(order)}"#, "stock"),
                ("Provision", #"{"stock": [], "tariffNumber": 999, \#(order)}"#, "stock"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 999, \#(order), "shutdownThreshold": 0, "bundleSizeMb": 1}"#, "shutdownThreshold"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 999, \#(order), "shutdownThreshold": 2147483648, "bundleSizeMb": 1}"#, "shutdownThreshold"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": "999", \#(order)}"#, "tariffNumber"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 999, \#(order), "bundleSizeMb": 1}"#, "shutdownThreshold"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 1, \#(order), "shutdownThreshold": 24}"#, "shutdownThreshold"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}, {"serialNumber": "nope"}], "tariffNumber": 999, \#(order), "shutdownThreshold": 1, "bundleSizeMb": 1}"#, "stock[1].serialNumber"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}, {"serialNumber": "555"}], "tariffNumber": 999, \#(order), "shutdownThreshold": 1, "bundleSizeMb": 1}"#, "stock[1].serialNumber"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 999, "shutdownThreshold": 1, "bundleSizeMb": 1}"#, "provisioningOrderNumber"),
                ("Provision", #"{"stock": [{"serialNumber": "987654321"}], "tariffNumber": 4, \#(order)}"#, "tariffNumber"),
                ("ConfigureThreshold", #"{"serialNumbers": ["987654321"], "shutdownThreshold": 0}"#, "shutdownThreshold"),
                ("ConfigureThreshold", #"{"serialNumbers": ["987654321"], "shutdownThreshold": 5}"#, "serialNumbers[0]"),
                ("TopUp", #"{"serialNumbers": ["987654321"], "amountMb": 2147483648}"#, "amountMb"),
                ("TopUp", #"{"serialNumbers": [], "amountMb": 5}"#, "serialNumbers"),
                ("TopUp", #"{"serialNumbers": ["987654321", "987654321"], "amountMb": 5}"#, "serialNumbers[1]"),
                ("Unprovision", #"{"serialNumbers": ["555"]}"#, "serialNumbers[0]"),
                ("Unprovision", #"{"serialNumbers": ["987654321"], "extra": 1}"#, "extra"),
            ]
            for (path, body, param) in cases {
                let reply = try await client.send(.post, "/api/simSubmission/\(path)", body)
                #expect(reply.status == 400, "\(path) \(body): \(reply.status) \(reply.text)")
                #expect(reply.param == param, "\(path) \(body): \(reply.text)")
            }
            try await app.settle()
            let untouched = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(untouched["status"] == "INVENTORY")
            #expect(untouched.json["tariff_number"] is NSNull)
            #expect(try await app.database.sqlRead { try await $0.raw("SELECT id FROM submission_tickets").all() }.isEmpty)

            let ticket = try #require(try await client.send(.post, "/api/simSubmission/Provision", """
                {"stock": [{"serialNumber": "987654321"}], "createNewProvisioningOrder": true, "newProvisioningOrderName": "Spring2027",
                 "tariffNumber": 1, "purchaseOrderNumber": "PO-1,PO-2"}
                """)["ticketNumber"])
            let rival = try await CellhireClient.make(app, key: otherKey)
            #expect(try await rival.send(.get, "/api/simSubmission/\(ticket)").status == 403)
            #expect(try await client.send(.get, "/api/simSubmission/\(ticket)")["status"] == "pending")
            try await app.settle()
            #expect(try await client.send(.get, "/api/simSubmission/\(ticket)")["status"] == "complete")
            // A GUID is the same in either case (RFC 4122); upper case was a 404.
            #expect(try await client.send(.get, "/api/simSubmission/\(ticket.uppercased())")["status"] == "complete")
            #expect(try await app.request(.get, "/v1/sims/\(sim)", key: key)["status"] == "LIVE")
        }
    }
}
