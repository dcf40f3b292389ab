import Foundation
@testable import SimGateServer
import SimGateCore
import Testing

@Suite("Webhook bodies")
struct WebhookPayloadTests {
    /// The body as the JSON encoder writes it from the event's API resource: what the text
    /// assembly must equal, byte for byte.
    private struct Body: Encodable {
        let type: String
        let timestamp: Date
        let data: EventResource
    }

    @Test("the body put together from stored JSON is exactly the encoded event, with and without its optional parts",
          arguments: [true, false])
    func bodyMatchesEncoder(full: Bool) throws {
        let event = Event(
            id: EventID(trusted: "evt_01JDX0000000000000000000AB"), type: .simStatusChanged,
            accountID: full ? AccountID(trusted: "acct_1") : nil, simID: full ? SimID(trusted: "sim_1") : nil,
            object: #"{"id":"sim_1","labels":["a\"b"],"status":"OFFLINE","url":"http://x/y"}"#,
            previousAttributes: full ? #"{"status":"LIVE"}"# : nil,
            cause: ChangeCause(actor: ChangeActor(.rule, id: full ? "rule_1" : nil), reason: full ? "Left \"DE\" / went to FR" : nil),
            createdAt: Date(epochMilliseconds: 1_764_642_000_123)
        )
        let expected = try APIJSON.encodeToString(Body(type: event.type.rawValue, timestamp: event.createdAt, data: try EventResource(event)))
        #expect(try WebhookPayload.body(for: event) == expected)
    }

    @Test("Retry-After is read as seconds or as an HTTP date; anything else is no wish")
    func retryAfter() {
        let now = Date(epochMilliseconds: 1_764_640_800_000)  // Tue, 02 Dec 2025 02:00:00 GMT
        #expect(WebhookSender.seconds(retryAfter: "120", now: now) == 120)
        #expect(WebhookSender.seconds(retryAfter: " 0 ", now: now) == 0)
        #expect(WebhookSender.seconds(retryAfter: "99999999999999999999", now: now).map { $0 >= 86_400 } == true, "more seconds than 64 bits hold are still a long wait")
        #expect(WebhookSender.seconds(retryAfter: "+5", now: now) == nil)
        #expect(WebhookSender.seconds(retryAfter: "Tue, 02 Dec 2025 02:10:00 GMT", now: now) == 600)
        #expect(WebhookSender.seconds(retryAfter: "Tue, 02 Dec 2025 01:00:00 GMT", now: now) == 0, "a date past is now")
        for nonsense in ["-5", "soon", "", "1.5", "12a"] {
            #expect(WebhookSender.seconds(retryAfter: nonsense, now: now) == nil, "\(nonsense)")
        }
        // Honoured up to a day, and never sooner than the schedule.
        let policy = WebhookRetryPolicy()
        #expect(policy.nextAttempt(after: 1, at: now, retryAfter: 120, jitter: 0.5) == now + 120)
        #expect(policy.nextAttempt(after: 1, at: now, retryAfter: 10_000_000, jitter: 0.5) == now + 86_400)
        #expect(policy.nextAttempt(after: 1, at: now, retryAfter: 1, jitter: 0.5) == now + 5)
        #expect(policy.nextAttempt(after: policy.maximumAttempts, at: now, retryAfter: nil, jitter: 0.5) == nil)
    }
}
