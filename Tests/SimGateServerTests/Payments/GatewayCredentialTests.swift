import Foundation
import SimGateTestSupport
import Testing

@Suite("Payment gateway credentials")
struct GatewayCredentialTests {
    @Test("a secret or key pair that verifies nothing, or that anyone could guess, is refused and names itself")
    func refused() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            func refusal(_ body: [String: Any], to path: String = "/v1/payment_gateways") async throws -> (status: Int, code: String?, param: String?) {
                let reply = try await app.request(.post, path, key: key, json: body)
                return (reply.status, reply.code, reply.param)
            }
            func braintree(_ pairs: [[String: Any]]) -> [String: Any] { ["kind": "braintree", "braintree_keys": pairs] }
            // An empty private key: its signatures, HMAC-SHA1 under the SHA-1 of nothing, could
            // be made by anyone who knew the public key.
            #expect(try await refusal(braintree([["public_key": "merchant_pub", "private_key": ""]])) == (400, "invalid_value", "braintree_keys[0].private_key"))
            #expect(try await refusal(braintree([["public_key": "merchant_pub", "private_key": "short"]])).param == "braintree_keys[0].private_key")
            // A public key that no signature could name (its pairs are split at '|' and '&').
            for publicKey in ["", "pub|lic", "pub&lic", "pub lic"] {
                #expect(try await refusal(braintree([["public_key": publicKey, "private_key": "private_key_1"]])).param == "braintree_keys[0].public_key", "\(publicKey)")
            }
            #expect(try await refusal(braintree([
                ["public_key": "pub_a", "private_key": "private_key_1"], ["public_key": "pub_a", "private_key": "private_key_2"],
            ])) == (400, "duplicate_value", "braintree_keys[1].public_key"))
            #expect(try await refusal(braintree([["public_key": "pub_a", "private_key": "private_key_1", "extra": 1]])) == (400, "unknown_parameter", "braintree_keys[0].extra"))

            // A Standard Webhooks key of one byte; of 65.
            for bytes in [1, 23, 65] {
                let secret = "whsec_" + Data(repeating: 0x61, count: bytes).base64EncodedString()
                #expect(try await refusal(["kind": "generic", "secrets": [secret]]) == (400, "invalid_value", "secrets[0]"), "\(bytes) bytes")
            }
            // A secret pasted with its line break, with a NUL, or listed twice.
            #expect(try await refusal(["kind": "stripe", "secrets": ["whsec_pasted_with_newline\n"]]) == (400, "invalid_value", "secrets[0]"))
            #expect(try await refusal(["kind": "stripe", "secrets": ["whsec_ok_secret", "whsec_with\u{0}nul"]]) == (400, "invalid_value", "secrets[1]"))
            #expect(try await refusal(["kind": "stripe", "secrets": ["whsec_ok_secret", "whsec_ok_secret"]]) == (400, "duplicate_value", "secrets[1]"))
            #expect(try await refusal(["kind": "stripe", "secrets": ["whsec_ok_secret"], "name": "  "]) == (400, "invalid_value", "name"))
            // Eight characters after the prefix everyone knows; a private key that is not the
            // public key every signature shows.
            #expect(try await refusal(["kind": "stripe", "secrets": ["whsec_ab"]]) == (400, "invalid_value", "secrets[0]"))
            #expect(try await refusal(braintree([["public_key": "merchant_pub", "private_key": "merchant_pub"]])) == (400, "invalid_value", "braintree_keys[0].private_key"))

            // What is accepted: Braintree's own shapes, a 24-byte key, and hints that show at
            // most a quarter of a secret.
            let pairs = try await app.makeGateway(key: key, braintree([["public_key": "a1b2c3d4e5f6g7h8", "private_key": "0123456789abcdef0123456789abcdef"]]))
            let generic = try await app.makeGateway(key: key, ["kind": "generic", "secrets": ["whsec_" + Data(repeating: 0x62, count: 24).base64EncodedString()]])
            let stripe = try await app.makeGateway(key: key, ["kind": "stripe", "secrets": ["whsec_12345678"]])
            #expect(try await app.request(.get, "/v1/payment_gateways/\(stripe)", key: key).json["credential_hints"] as? [String] == ["…78"])
            #expect(try await app.request(.get, "/v1/payment_gateways/\(generic)", key: key).json["credential_hints"] as? [String] == ["…YmJi"])
            #expect(try await refusal(["name": ""], to: "/v1/payment_gateways/\(stripe)") == (400, "invalid_value", "name"))
            #expect(try await refusal(["braintree_keys": [["public_key": "", "private_key": "private_key_1"]]], to: "/v1/payment_gateways/\(pairs)").param == "braintree_keys[0].public_key")
            #expect(try await refusal(["secrets": ["whsec_YQ=="]], to: "/v1/payment_gateways/\(generic)").param == "secrets[0]")
        }
    }
}
