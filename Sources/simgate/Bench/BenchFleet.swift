import Foundation
import NIOHTTP1
import SimGateCore
import SimGateServer

/// The customer, Stripe gateway and SIMs a benchmark works on.
struct BenchFleet: Sendable {
    /// API key of the bench customer, who owns the SIMs.
    let customerKey: String
    /// Id of the customer's Stripe payment gateway; webhooks are posted to its URL.
    let gatewayID: String
    /// The gateway's webhook signing secret, which signs every invoice sent.
    let secret: String
    /// SIMs already LIVE (paid once), for the throughput phase.
    let warmICCIDs: [String]
    /// SIMs still in stock, each made LIVE once by the latency phase.
    let coldICCIDs: [String]

    /// Creates the account, its key and gateway, and `sims` SIMs; pays for the first 100 (warm)
    /// and waits until those payments are processed.
    static func prepare(_ client: BenchClient, operatorKey: String, sims: Int, secret: String) async throws -> BenchFleet {
        let account = try await client.createAccount(named: "Bench Bikes", operatorKey: operatorKey)
        let key = try await client.json(.POST, "/v1/api_keys", key: operatorKey, ["account": account, "name": "bench"]).json["secret"] as? String ?? ""
        let gateway = try await client.json(.POST, "/v1/payment_gateways", key: key, ["kind": "stripe", "secrets": [secret]]).json["id"] as? String ?? ""
        let iccids = (0..<sims).map { n -> String in
            let body = "898831" + String(format: "%012d", n)
            return body + String(Luhn.checkDigit(for: body))
        }
        for start in stride(from: 0, to: sims, by: 1_000) {
            let rows = iccids[start..<min(start + 1_000, sims)].enumerated().map { offset, iccid in
                ["iccid": iccid, "imsi": "00102" + String(format: "%010d", start + offset)]
            }
            let reply = try await client.json(.POST, "/v1/sims/import", key: operatorKey, ["sims": rows, "account": account])
            guard reply.status == 201 else { throw BenchError("import failed: \(String(decoding: reply.body, as: UTF8.self))") }
        }
        let fleet = BenchFleet(customerKey: key, gatewayID: gateway, secret: secret, warmICCIDs: Array(iccids.prefix(100)), coldICCIDs: Array(iccids.dropFirst(100)))
        for (index, iccid) in fleet.warmICCIDs.enumerated() {
            _ = try await fleet.sendInvoice(client, eventID: "evt_warm_\(index)", iccid: iccid, paidDays: 30)
        }
        try await fleet.waitForIdleQueue(client)
        return fleet
    }

    /// A Stripe-signed `invoice.paid` whose subscription metadata names the SIM, ready to post.
    struct SignedInvoice: Sendable {
        let body: Data
        let signature: String
    }

    /// Posts a Stripe-signed `invoice.paid` whose subscription metadata names the SIM.
    func sendInvoice(_ client: BenchClient, eventID: String, iccid: String, paidDays: Int) async throws -> BenchClient.Reply {
        try await send(client, try invoice(eventID: eventID, iccid: iccid, paidDays: paidDays))
    }

    /// Posts an invoice made by ``invoice(eventID:iccid:paidDays:)``.
    func send(_ client: BenchClient, _ invoice: SignedInvoice) async throws -> BenchClient.Reply {
        try await client.send(.POST, "/webhooks/stripe/\(gatewayID)", body: invoice.body, headers: ["Stripe-Signature": invoice.signature])
    }

    /// The signed `invoice.paid` for `iccid`, paying `paidDays` from now; signed now, so it must
    /// be sent within Stripe's five minutes.
    func invoice(eventID: String, iccid: String, paidDays: Int) throws -> SignedInvoice {
        let now = SystemWallClock().now()
        let event: [String: Any] = [
            "id": eventID, "object": "event", "type": "invoice.paid", "created": Int(now.timeIntervalSince1970),
            "data": ["object": [
                "object": "invoice",
                "lines": ["data": [["period": ["start": Int(now.timeIntervalSince1970), "end": Int(now.timeIntervalSince1970) + paidDays * 86_400]]]],
                "parent": ["subscription_details": ["subscription": "sub_\(iccid)", "metadata": ["iccid": iccid]]],
            ]],
        ]
        let body = try JSONSerialization.data(withJSONObject: event)
        return SignedInvoice(body: body, signature: StripeSignature.header(body: body, secret: secret, time: now))
    }

    /// Waits until no received gateway event is still waiting for its job: at most three
    /// minutes, time for a throughput phase's backlog of tens of thousands.
    func waitForIdleQueue(_ client: BenchClient) async throws {
        let deadline = ContinuousClock.now + .seconds(180)
        while ContinuousClock.now < deadline {
            let pending = try await client.send(.GET, "/v1/gateway_events?status=received&limit=1", key: customerKey).json["data"] as? [Any]
            if pending?.isEmpty ?? false { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw BenchError("gateway events were still waiting for their jobs after three minutes")
    }
}

/// A benchmark step that failed, in one sentence.
struct BenchError: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String
    /// A failure described by `description`.
    init(_ description: String) { self.description = description }
}
