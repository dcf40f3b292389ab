import Foundation
import SimGateTestSupport
import Testing

@Suite("Tenant isolation")
struct TenantIsolationTests {
    /// A body that would be accepted on each POST route, so a refusal can only come from ownership.
    static func body(for path: String, otherAccount: String, iccid: String, gatewayA: String) -> [String: Any] {
        switch path {
        case "/v1/payment_gateways": ["kind": "stripe", "secrets": ["whsec_bbbbbbbb"], "account": "ACCOUNT_A"]
        case "/v1/payment_gateways/{id}": ["grace_period_hours": 1]
        case "/v1/billing_bindings": ["gateway": gatewayA, "subscription": "sub_b", "sim": iccid]
        case "/v1/usage_records": ["records": [["id": "b-1", "sim": iccid, "started_at": "2026-01-01T00:00:00Z", "ended_at": "2026-01-01T01:00:00Z", "bytes_up": 1, "bytes_down": 1]]]
        case "/v1/sims/{id}": ["labels": ["taken"], "metadata": ["owner": "B"]]
        case "/v1/sims/{id}/activate": ["force": true, "reason": "B tries"]
        case "/v1/sims/{id}/assign": ["account": otherAccount]
        case "/v1/sims/bulk": ["action": "suspend", "iccids": [iccid]]
        case "/v1/sims/import": ["sims": [["iccid": Fixtures.iccid(900), "imsi": Fixtures.imsi(900)]]]
        case "/v1/accounts": ["name": "B's new account"]
        case "/v1/api_keys": ["name": "B's key", "account": "ACCOUNT_A"]
        case "/v1/sims/{id}/provision": ["tariff": 7]
        case "/v1/sims/{id}/shutdown_threshold": ["hours": 5]
        case "/v1/sims/{id}/top_ups": ["amount_mb": 5]
        case "/v1/tariffs": ["number": 8, "name": "B's tariff", "kind": "standard"]
        case "/v1/tariffs/{number}": ["name": "taken"]
        case "/v1/api_clients": ["name": "B's client", "account": "ACCOUNT_A"]
        case "/v1/webhook_endpoints": ["url": "http://127.0.0.1:9/b", "event_types": ["*"], "account": "ACCOUNT_A"]
        case "/v1/webhook_endpoints/{id}": ["description": "taken"]
        case "/v1/webhook_endpoints/{id}/rotate_secret": ["expires_in_seconds": 0]
        case "/v1/webhook_endpoints/{id}/replay_failed": ["since": "2026-01-01T00:00:00Z"]
        case "/v1/webhook_endpoints/{id}/test", "/v1/webhook_deliveries/{id}/replay": [:]
        case "/v1/rules": ["name": "B's rule", "trigger": ["type": "first_use"], "actions": [["type": "set_offline"]], "account": "ACCOUNT_A"]
        case "/v1/rules/{id}": ["enabled": false]
        case "/v1/rules/{id}/test": ["sim": iccid]
        case "/v1/rules/test": ["sim": iccid, "trigger": ["type": "first_use"], "actions": [["type": "set_offline"]], "account": "ACCOUNT_A"]
        default: ["reason": "B tries"]
        }
    }

    @Test("every route refuses another account's objects and lists none of them", arguments: TestEngine.available)
    func everyRoute(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, keyB) = try await app.makeCustomer("B")
            let simA = try #require(try await app.importSims(0..<1, account: accountA).first)
            try await app.importSims(1..<2, account: accountB)
            _ = try await app.request(.post, "/v1/sims/\(simA)/activate", key: keyA)
            let keyAID = try #require(try await app.request(.get, "/v1/api_keys", key: keyA).items.first?["id"] as? String)
            let eventsA = try await app.request(.get, "/v1/events?limit=100", key: keyA)
            let eventA = try #require(eventsA.items.first?["id"] as? String)
            let gatewayA = try await app.makeGateway(key: keyA, ["kind": "stripe", "secrets": ["whsec_aaaaaaaa"]])
            let bindingA = try #require(try await app.request(.post, "/v1/billing_bindings", key: keyA, json: ["gateway": gatewayA, "subscription": "sub_a", "sim": simA])["id"])
            try await app.sendStripe(["id": "evt_a1", "type": "ping", "created": Int(app.clock.now().timeIntervalSince1970), "data": ["object": [:]]], gateway: gatewayA, secret: "whsec_aaaaaaaa")
            let gatewayEventA = try #require(try await app.request(.get, "/v1/gateway_events", key: keyA).items.first?["id"] as? String)
            try await app.waitForGatewayEvents(key: keyA)
            let clientA = try #require(try await app.request(.post, "/v1/api_clients", key: keyA, json: ["name": "A's client"])["id"])
            let endpointA = try #require(try await app.request(.post, "/v1/webhook_endpoints", key: keyA, json: ["url": "http://127.0.0.1:9/a", "event_types": ["*"]])["id"])
            let deliveryA = try #require(try await app.request(.post, "/v1/webhook_endpoints/\(endpointA)/test", key: keyA)["id"])
            let ruleA = try #require(try await app.request(.post, "/v1/rules", key: keyA, json: [
                "name": "A's rule", "trigger": ["type": "first_use"], "actions": [["type": "webhook", "endpoint": endpointA]],
            ])["id"])
            let simBefore = try await app.request(.get, "/v1/sims/\(simA)", key: keyA).text
            let eventsABefore = try await app.request(.get, "/v1/events?limit=100", key: keyA).items.count
            var objectsOfA = [accountA, keyAID, simA, eventA, Fixtures.iccid(0), gatewayA, bindingA, gatewayEventA]
            objectsOfA += [clientA, endpointA, deliveryA, ruleA]
            // A tariff offered to A alone: B may neither see nor change it.
            _ = try await app.request(.post, "/v1/tariffs", key: app.operatorKey, json: ["number": 7, "name": "A only", "kind": "standard", "accounts": [accountA]])

            var checked = 0
            for route in try OpenAPIContractTests.routerRoutes().sorted() where route.contains(" /v1/") {
                let parts = route.split(separator: " ", maxSplits: 1).map(String.init)
                let (method, template) = (parts[0], parts[1])
                let target: String? = switch true {
                case template.hasPrefix("/v1/sims/{id}"): simA
                case template.hasPrefix("/v1/accounts/{id}"): accountA
                case template.hasPrefix("/v1/api_keys/{id}"): keyAID
                case template.hasPrefix("/v1/events/{id}"): eventA
                case template.hasPrefix("/v1/payment_gateways/{id}"): gatewayA
                case template.hasPrefix("/v1/billing_bindings/{id}"): bindingA
                case template.hasPrefix("/v1/gateway_events/{id}"): gatewayEventA
                case template.hasPrefix("/v1/tariffs/{number}"): "7"
                case template.hasPrefix("/v1/api_clients/{id}"): clientA
                case template.hasPrefix("/v1/webhook_endpoints/{id}"): endpointA
                case template.hasPrefix("/v1/webhook_deliveries/{id}"): deliveryA
                case template.hasPrefix("/v1/rules/{id}"): ruleA
                default: nil
                }
                let path = template.replacingOccurrences(of: "{id}", with: target ?? "").replacingOccurrences(of: "{number}", with: target ?? "")
                var body = Self.body(for: template, otherAccount: accountB, iccid: Fixtures.iccid(0), gatewayA: gatewayA)
                if body["account"] as? String == "ACCOUNT_A" { body["account"] = accountA }
                let reply = try await app.request(
                    method == "GET" ? .get : method == "DELETE" ? .delete : .post, path, key: keyB, json: method == "POST" ? body : nil
                )

                let namesAccountA = [
                    "/v1/api_keys", "/v1/payment_gateways", "/v1/billing_bindings", "/v1/api_clients", "/v1/webhook_endpoints", "/v1/rules", "/v1/rules/test",
                ].contains(template) && method == "POST"
                if target != nil || namesAccountA {
                    #expect([403, 404].contains(reply.status), "\(route) answered \(reply.status): \(reply.text)")
                } else if template == "/v1/sims/bulk" {
                    #expect(reply.items.first?["status"] as? String == "failed", "\(route): \(reply.text)")
                } else if template == "/v1/usage_records" {
                    #expect(reply.json["accepted"] as? Int == 0 && reply.json["rejected"] as? Int == 1, "\(route): \(reply.text)")
                } else if method == "POST" {
                    #expect(reply.status == 403, "\(route) answered \(reply.status)")
                } else {
                    #expect(reply.status == 200, "\(route) answered \(reply.status)")
                    for object in objectsOfA {
                        #expect(!reply.text.contains(object), "\(route) shows \(object) of account A to B")
                    }
                }
                checked += 1
            }
            #expect(checked >= 19)
            // A bulk action naming another account ran when that account existed, and was a 404
            // when it did not: a customer could tell real account ids. Both are now a 404.
            _ = try await app.importSims(5..<6, account: accountB)
            let foreign = try await app.request(.post, "/v1/sims/bulk", key: keyB, json: ["action": "retire", "iccids": [Fixtures.iccid(5)], "account": accountA])
            #expect(foreign.status == 404 && foreign.code == "resource_missing" && foreign.param == "account", "\(foreign.text)")
            #expect(try await app.request(.get, "/v1/sims/\(Fixtures.iccid(5))", key: keyB)["status"] == "INVENTORY")
            // A's SIM and history are as they were.
            #expect(try await app.request(.get, "/v1/sims/\(simA)", key: keyA).text == simBefore)
            #expect(try await app.request(.get, "/v1/events?limit=100", key: keyA).items.count == eventsABefore)
            #expect((try await app.request(.get, "/v1/payment_gateways/\(gatewayA)", key: keyA).json["grace_period_hours"] as? Int) == 72)
            #expect(try await app.request(.get, "/v1/sims?limit=100", key: keyA).items.count == 1)
        }
    }

    @Test("the operator sees and acts on every account's SIMs", arguments: TestEngine.available)
    func operatorSeesAll(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, _) = try await app.makeCustomer("A")
            let (accountB, _) = try await app.makeCustomer("B")
            try await app.importSims(0..<2, account: accountA)
            try await app.importSims(2..<3, account: accountB)
            try await app.importSims(3..<4)
            #expect(try await app.request(.get, "/v1/sims?limit=100", key: app.operatorKey).items.count == 4)
            #expect(try await app.request(.get, "/v1/sims?account=\(accountA)", key: app.operatorKey).items.count == 2)
            #expect(try await app.request(.post, "/v1/sims/\(Fixtures.iccid(2))/activate", key: app.operatorKey)["status"] == "LIVE")
        }
    }
}
