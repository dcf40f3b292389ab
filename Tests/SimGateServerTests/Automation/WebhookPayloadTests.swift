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
}
