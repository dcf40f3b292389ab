import Foundation
import Testing
@testable import SimGateCore

@Suite("Reading gateway payloads")
struct GatewayReaderTests {
    static func json(_ object: [String: Any]) -> Data { try! JSONSerialization.data(withJSONObject: object) }

    @Test("Stripe invoice.paid: the paid period and subscription are read from both payload shapes")
    func stripeInvoiceShapes() throws {
        let lines: [String: Any] = ["data": [["period": ["start": 1_800_000_000, "end": 1_802_592_000]]]]
        let current = Self.json(["id": "evt_1", "type": "invoice.paid", "created": 1_800_000_100, "data": ["object": [
            "lines": lines, "parent": ["subscription_details": ["subscription": "sub_new", "metadata": ["iccid": "8988"]]],
        ]]])
        let legacy = Self.json(["id": "evt_2", "type": "invoice.paid", "created": 1_800_000_100, "data": ["object": [
            "lines": lines, "subscription": "sub_old", "subscription_details": ["metadata": ["imei": "3500"]],
        ]]])
        let a = try StripeEventReader.read(current)
        let b = try StripeEventReader.read(legacy)
        #expect(a.subscriptionID == "sub_new")
        #expect(a.simHint == .iccid("8988"))
        #expect(a.fact == .paidThrough(Date(timeIntervalSince1970: 1_802_592_000)))
        #expect(b.subscriptionID == "sub_old")
        #expect(b.simHint == .imei("3500"))
        #expect(b.fact == a.fact)
        // An invoice paid with nothing (a trial's $0 invoice) grants its period as a trial.
        let free = try StripeEventReader.read(Self.json(["id": "evt_3", "type": "invoice.paid", "created": 1_800_000_100, "data": ["object": [
            "lines": lines, "amount_paid": 0, "parent": ["subscription_details": ["subscription": "sub_new"]],
        ]]]))
        #expect(free.fact == .trialThrough(Date(timeIntervalSince1970: 1_802_592_000), grantedAt: Date(timeIntervalSince1970: 1_800_000_100)))
        // Paid from the customer's credit balance: nothing charged now, but money all the same.
        let fromBalance = try StripeEventReader.read(Self.json(["id": "evt_4", "type": "invoice.paid", "created": 1_800_000_100, "data": ["object": [
            "lines": lines, "amount_paid": 0, "total": 900, "parent": ["subscription_details": ["subscription": "sub_new"]],
        ]]]))
        #expect(fromBalance.fact == .paidThrough(Date(timeIntervalSince1970: 1_802_592_000)))
    }

    @Test("Stripe subscription events never extend access by announcing a period: a trial grants its trial_end, failures and ends count")
    func stripeSubscriptionStatuses() throws {
        func event(_ type: String, _ object: [String: Any]) throws -> GatewayNotification {
            try StripeEventReader.read(Self.json(["id": "evt", "type": type, "created": 1_800_000_000, "data": ["object": ["id": "sub_1"].merging(object) { $1 }]]))
        }
        // At a renewal Stripe moves the period before it collects: that is no payment.
        let renewal = try event("customer.subscription.updated", ["status": "active", "items": ["data": [["current_period_end": 1_803_000_000]]]])
        #expect(renewal.fact == nil)
        #expect(renewal.noFactBecause?.contains("paid invoice") == true)
        #expect(try event("customer.subscription.updated", ["status": "trialing", "trial_end": 1_801_000_000, "current_period_end": 1_802_000_000]).fact
                == .trialThrough(Date(timeIntervalSince1970: 1_801_000_000), grantedAt: Date(timeIntervalSince1970: 1_800_000_000)))
        // Kept and shown as changing nothing, not refused (Stripe would send it again for days).
        let noTrialEnd = try event("customer.subscription.updated", ["status": "trialing", "trial_end": true])
        #expect(noTrialEnd.fact == nil && noTrialEnd.noFactBecause?.contains("trial_end") == true)
        #expect(try event("customer.subscription.updated", ["status": "past_due"]).fact == .paymentFailed(at: Date(timeIntervalSince1970: 1_800_000_000)))
        #expect(try event("customer.subscription.deleted", ["status": "canceled", "ended_at": 1_800_000_500]).fact == .ended(at: Date(timeIntervalSince1970: 1_800_000_500)))
        #expect(try event("customer.subscription.paused", ["status": "paused"]).fact == nil)
    }

    @Test("Stripe checkout binds through subscription_data metadata or client_reference_id")
    func stripeCheckout() throws {
        let withReference = try StripeEventReader.read(Self.json(["id": "evt", "type": "checkout.session.completed", "created": 1, "data": ["object": [
            "subscription": "sub_9", "client_reference_id": "89883000000000000018",
        ]]]))
        #expect(withReference.subscriptionID == "sub_9")
        #expect(withReference.simHint == .iccid("89883000000000000018"))
        #expect(withReference.fact == nil)
    }

    @Test("malformed Stripe payloads are refused", arguments: ["not json", "[]", #"{"id": "evt"}"#, #"{"id":"e","type":"ping","created":true,"data":{"object":{}}}"#])
    func stripeMalformed(body: String) {
        #expect(throws: GatewayPayloadError.self) { try StripeEventReader.read(Data(body.utf8)) }
    }

    @Test("an invoice without a numeric period end, or with a total that is no number, changes nothing and says why", arguments: [
        #"{"id":"e","type":"invoice.paid","created":1,"data":{"object":{"lines":{"data":[]}}}}"#,
        #"{"id":"e","type":"invoice.paid","created":1,"data":{"object":{"lines":{"data":[{"period":{"end":true}}]}}}}"#,
        #"{"id":"e","type":"invoice.paid","created":1,"data":{"object":{"total":false,"lines":{"data":[{"period":{"end":100}}]}}}}"#,
    ])
    func stripeInvoiceWithoutFacts(body: String) throws {
        let read = try StripeEventReader.read(Data(body.utf8))
        #expect(read.fact == nil && read.noFactBecause != nil)
    }

    @Test("Braintree notifications are read, paid through the end of the paid-through day")
    func braintree() throws {
        let xml = """
            <?xml version="1.0" encoding="UTF-8"?>
            <notification>
              <timestamp type="datetime">2026-11-01T10:00:00Z</timestamp>
              <kind>subscription_charged_successfully</kind>
              <subject>
                <subscription>
                  <id>bt-sub-1</id>
                  <status>Active</status>
                  <billing-period-start-date type="date">2026-11-01</billing-period-start-date>
                  <billing-period-end-date type="date">2026-11-30</billing-period-end-date>
                  <paid-through-date type="date">2026-11-30</paid-through-date>
                  <failure-count type="integer">0</failure-count>
                </subscription>
              </subject>
            </notification>
            """
        let notification = try BraintreeNotificationReader.read(Data(xml.utf8), externalID: "bt_1")
        #expect(notification.subscriptionID == "bt-sub-1")
        #expect(notification.fact == .paidThrough(try Date("2026-12-01T00:00:00Z", strategy: .iso8601)))
        let failed = try BraintreeNotificationReader.read(Data(xml.replacingOccurrences(of: "subscription_charged_successfully", with: "subscription_went_past_due").utf8), externalID: "bt_2")
        #expect(failed.fact == .paymentFailed(at: try Date("2026-11-01T10:00:00Z", strategy: .iso8601)))
        #expect(throws: GatewayPayloadError.self) { try BraintreeNotificationReader.read(Data("<notification><kind>x</kind>".utf8), externalID: "bt_3") }
    }

    @Test("generic events need a known type, a subscription, and paid_until when paid")
    func generic() throws {
        let sent = Date(timeIntervalSince1970: 1_800_000_000)
        let paid = try GenericPaymentEventReader.read(Self.json(["type": "payment.succeeded", "subscription": "c-1", "iccid": "8988", "paid_until": "2027-01-01T00:00:00Z"]), externalID: "msg_1", sentAt: sent)
        #expect(paid.fact == .paidThrough(try Date("2027-01-01T00:00:00Z", strategy: .iso8601)))
        #expect(paid.simHint == .iccid("8988"))
        let canceled = try GenericPaymentEventReader.read(Self.json(["type": "subscription.canceled", "subscription": "c-1"]), externalID: "msg_2", sentAt: sent)
        #expect(canceled.fact == .ended(at: sent))
        #expect(throws: GatewayPayloadError.self) { try GenericPaymentEventReader.read(Self.json(["type": "payment.succeeded", "subscription": "c-1"]), externalID: "m", sentAt: sent) }
        #expect(throws: GatewayPayloadError.self) { try GenericPaymentEventReader.read(Self.json(["type": "refund", "subscription": "c-1"]), externalID: "m", sentAt: sent) }
    }
}
