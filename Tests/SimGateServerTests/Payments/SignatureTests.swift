import Crypto
import Foundation
@testable import SimGateServer
import Testing

@Suite("Gateway signature schemes")
struct SignatureTests {
    static let body = Data(#"{"id":"evt_1","type":"invoice.paid"}"#.utf8)
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    /// A Stripe signature computed from first principles, independent of the code under test.
    static func stripeV1(_ body: Data, secret: String, timestamp: Int) -> String {
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        return Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8)))).map { String(format: "%02x", $0) }.joined()
    }

    @Test("Stripe: a matching v1 among several is accepted; v0 is ignored")
    func stripeAccepts() throws {
        let t = Int(Self.now.timeIntervalSince1970)
        let good = Self.stripeV1(Self.body, secret: "whsec_new", timestamp: t)
        let header = "t=\(t),v0=\(good),v1=\(Self.stripeV1(Self.body, secret: "whsec_old", timestamp: t)),v1=\(good)"
        try StripeSignature.verify(header: header, body: Self.body, secrets: ["whsec_new"], now: Self.now)
        #expect(StripeSignature.header(body: Self.body, secret: "whsec_new", time: Self.now) == "t=\(t),v1=\(good)")
    }

    @Test("Stripe: tampered body, wrong secret, only v0, stale or future timestamp are refused")
    func stripeRefuses() {
        let t = Int(Self.now.timeIntervalSince1970)
        let good = "t=\(t),v1=\(Self.stripeV1(Self.body, secret: "whsec_a", timestamp: t))"
        var tampered = Self.body
        tampered[2] ^= 1
        #expect(throws: WebhookVerificationError.signatureMismatch) { try StripeSignature.verify(header: good, body: tampered, secrets: ["whsec_a"], now: Self.now) }
        #expect(throws: WebhookVerificationError.signatureMismatch) { try StripeSignature.verify(header: good, body: Self.body, secrets: ["whsec_b"], now: Self.now) }
        #expect(throws: WebhookVerificationError.self) { try StripeSignature.verify(header: "t=\(t),v0=abc", body: Self.body, secrets: ["whsec_a"], now: Self.now) }
        #expect(throws: WebhookVerificationError.staleTimestamp) { try StripeSignature.verify(header: good, body: Self.body, secrets: ["whsec_a"], now: Self.now + 301) }
        #expect(throws: WebhookVerificationError.staleTimestamp) { try StripeSignature.verify(header: good, body: Self.body, secrets: ["whsec_a"], now: Self.now - 301) }
        #expect(throws: WebhookVerificationError.self) { try StripeSignature.verify(header: nil, body: Self.body, secrets: ["whsec_a"], now: Self.now) }
        // A timestamp in any form but decimal digits, signed over as written: Stripe's own
        // libraries refuse it, and so does SimGate.
        for text in ["0x" + String(t, radix: 16), "+\(t)", "\(t).0", "\(t / 10)e1"] {
            var signed = Data("\(text).".utf8)
            signed.append(Self.body)
            let mac = HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data("whsec_a".utf8))).map { String(format: "%02x", $0) }.joined()
            #expect(throws: WebhookVerificationError.self, "\(text)") {
                try StripeSignature.verify(header: "t=\(text),v1=\(mac)", body: Self.body, secrets: ["whsec_a"], now: Self.now)
            }
        }
    }

    @Test("Braintree: HMAC-SHA1 keyed with SHA-1 of the private key, over the payload with its newlines, any of several pairs")
    func braintree() throws {
        let payload = "PG5vdGlmaWNhdGlvbj4K\nPGtpbmQ+Y2hlY2s8L2tpbmQ+\n"
        // Computed here from the published recipe, not through the code under test.
        let key = SymmetricKey(data: Data(Insecure.SHA1.hash(data: Data("private-2".utf8))))
        let hex = Data(HMAC<Insecure.SHA1>.authenticationCode(for: Data(payload.utf8), using: key)).map { String(format: "%02x", $0) }.joined()
        let keys = [BraintreeSignature.KeyPair(publicKey: "public-1", privateKey: "private-1"), .init(publicKey: "public-2", privateKey: "private-2")]
        try BraintreeSignature.verify(signature: "public-1|deadbeef&public-2|\(hex)", payload: payload, keys: keys)
        #expect(BraintreeSignature.sign(payload: payload, key: keys[1]) == "public-2|\(hex)")
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try BraintreeSignature.verify(signature: "public-2|\(hex)", payload: payload.replacingOccurrences(of: "\n", with: ""), keys: keys)
        }
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try BraintreeSignature.verify(signature: "public-3|\(hex)", payload: payload, keys: keys)
        }
    }

    @Test("Braintree: each key's signature is worked out once, however many pairs name it")
    func braintreeRepeatedPairs() throws {
        let keys = [BraintreeSignature.KeyPair(publicKey: "public-1", privateKey: "private-1"), .init(publicKey: "public-2", privateKey: "private-2")]
        let good = Array("00112233445566778899aabbccddeeff00112233".utf8)
        var worked: [String] = []
        let sign = { (key: BraintreeSignature.KeyPair) -> [UInt8] in
            worked.append(key.publicKey)
            return key.publicKey == "public-2" ? good : Array(repeating: UInt8(ascii: "f"), count: 40)
        }
        let repeated = Array(repeating: "public-1|0&public-2|1", count: 10_000).joined(separator: "&")
        #expect(throws: WebhookVerificationError.signatureMismatch) { try BraintreeSignature.verify(signature: repeated, keys: keys, sign: sign) }
        #expect(worked.sorted() == ["public-1", "public-2"], "one HMAC a key, not one a pair")
        worked = []
        try BraintreeSignature.verify(signature: repeated + "&public-2|" + String(decoding: good, as: UTF8.self), keys: keys, sign: sign)
        #expect(worked.sorted() == ["public-1", "public-2"])
    }

    @Test("Standard Webhooks: v1 base64 HMAC over id.timestamp.body with the whsec key bytes")
    func standardWebhooks() throws {
        let keyBytes = Data((0..<32).map { UInt8($0) })
        let secret = "whsec_" + keyBytes.base64EncodedString()
        let timestamp = "\(Int(Self.now.timeIntervalSince1970))"
        var signed = Data("msg_1.\(timestamp).".utf8)
        signed.append(Self.body)
        let expected = "v1," + Data(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: keyBytes))).base64EncodedString()
        #expect(StandardWebhookSignature.sign(id: "msg_1", timestamp: timestamp, body: Self.body, secret: secret) == expected)
        try StandardWebhookSignature.verify(id: "msg_1", timestamp: timestamp, signature: "v1,bm9wZQ== \(expected)", body: Self.body, secrets: ["whsec_b2xk", secret], now: Self.now)
        #expect(throws: WebhookVerificationError.signatureMismatch) {
            try StandardWebhookSignature.verify(id: "msg_2", timestamp: timestamp, signature: expected, body: Self.body, secrets: [secret], now: Self.now)
        }
        #expect(throws: WebhookVerificationError.staleTimestamp) {
            try StandardWebhookSignature.verify(id: "msg_1", timestamp: timestamp, signature: expected, body: Self.body, secrets: [secret], now: Self.now + 600)
        }
    }
}
