import Foundation
@testable import SimGateServer
import SimGateTestSupport
import SQLKit
import Testing

@Suite("Payment gateway secrets at rest")
struct GatewaySecretsAtRestTests {
    /// The stored `secrets` column of `gateway`.
    static func storedSecrets(_ app: TestHarness, gateway: String) async throws -> String {
        try await app.database.sqlRead { db in
            try await db.raw("SELECT secrets FROM payment_gateways WHERE id = \(bind: gateway)").first()?.decode(column: "secrets", as: String.self) ?? ""
        }
    }

    @Test("a gateway's secrets are stored sealed and still verify; a row an earlier version wrote in clear still verifies and is sealed when it changes",
          arguments: TestEngine.available)
    func sealed(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let gateway = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": ["whsec_sealedsecret123"]])
            let stored = try await Self.storedSecrets(app, gateway: gateway)
            #expect(stored.hasPrefix("v1:") && !stored.contains("sealedsecret123"), "\(stored)")
            let ping: [String: Any] = ["id": "evt_s1", "type": "ping", "created": Int(app.clock.now().timeIntervalSince1970), "data": ["object": [:]]]
            #expect(try await app.sendStripe(ping, gateway: gateway, secret: "whsec_sealedsecret123").status == 200)
            #expect(try await app.sendStripe(["id": "evt_s2"].merging(ping) { first, _ in first }, gateway: gateway, secret: "whsec_wrong").code == "signature_invalid")

            // As an earlier version stored it: JSON in clear.
            try await app.database.sqlTransaction { db in
                try await db.raw("UPDATE payment_gateways SET secrets = \(bind: #"{"secrets":["whsec_legacysecret456"]}"#) WHERE id = \(bind: gateway)").run()
            }
            // Written behind the server's back, as another instance would: seen once what it
            // remembers of the gateway (at most a second) has gone.
            app.clock.advance(by: 2)
            var legacy = ping
            legacy["id"] = "evt_s3"
            #expect(try await app.sendStripe(legacy, gateway: gateway, secret: "whsec_legacysecret456").status == 200)
            _ = try await app.request(.post, "/v1/payment_gateways/\(gateway)", key: key, json: ["grace_period_hours": 24])
            let resealed = try await Self.storedSecrets(app, gateway: gateway)
            #expect(resealed.hasPrefix("v1:") && !resealed.contains("legacysecret456"))
            legacy["id"] = "evt_s4"
            #expect(try await app.sendStripe(legacy, gateway: gateway, secret: "whsec_legacysecret456").status == 200)
        }
    }

    /// The checks on credentials apply when they are set; a gateway stored before them with an
    /// empty Braintree private key took payments anyone could sign.
    @Test("a stored credential that today's checks refuse verifies nothing")
    func weakStoredCredentials() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let gateway = try await app.makeGateway(key: key, ["kind": "braintree", "braintree_keys": [["public_key": "merchant_pub", "private_key": "private_key_1"]]])
            let check = "<notification><timestamp>2027-01-01T00:00:00Z</timestamp><kind>check</kind><subject><check>true</check></subject></notification>"
            #expect(try await app.sendBraintree(xml: check, gateway: gateway, key: .init(publicKey: "merchant_pub", privateKey: "private_key_1")).status == 200)
            // As an earlier version let it be stored: an empty private key, in clear.
            try await app.database.sqlTransaction { db in
                try await db.raw("UPDATE payment_gateways SET secrets = \(bind: #"{"braintree_keys":[{"public_key":"merchant_pub","private_key":""}]}"#) WHERE id = \(bind: gateway)").run()
            }
            app.clock.advance(by: 2)
            let forged = try await app.sendBraintree(xml: check, gateway: gateway, key: .init(publicKey: "merchant_pub", privateKey: ""))
            #expect(forged.code == "signature_invalid", "\(forged.text)")
        }
    }
}
