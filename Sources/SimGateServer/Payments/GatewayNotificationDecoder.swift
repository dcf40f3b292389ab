import Crypto
import Foundation
import SimGateCore

/// Reads a stored gateway payload into a ``GatewayNotification``, the same way at receipt and
/// when the apply job runs later.
enum GatewayNotificationDecoder {
    /// Reads `payload` the way a gateway of `kind` sends it. `externalID` is the id the signature
    /// scheme carried, if any; `receivedAt` stands in for a generic event's send time.
    /// Times outside the years 1970 to 9999 are refused (``GatewayNotification/withTimesInRange()``),
    /// and a failed payment or an end dated after `receivedAt` is dated then
    /// (``GatewayNotification/reported(noLaterThan:)``). (An id or type past the limits a
    /// receipt checks is read all the same: an event stored before those checks keeps its
    /// effect when a binding is made or moved.)
    static func decode(kind: PaymentGatewayKind, payload: String, externalID: String?, receivedAt: Date) throws(GatewayPayloadError) -> GatewayNotification {
        try read(kind: kind, payload: payload, externalID: externalID, receivedAt: receivedAt).withTimesInRange().reported(noLaterThan: receivedAt)
    }

    private static func read(kind: PaymentGatewayKind, payload: String, externalID: String?, receivedAt: Date) throws(GatewayPayloadError) -> GatewayNotification {
        switch kind {
        case .stripe:
            return try StripeEventReader.read(Data(payload.utf8))
        case .braintree:
            let form = BraintreeForm(payload)
            guard let encoded = form.payload else { throw GatewayPayloadError("bt_payload is missing.") }
            // Braintree wraps the base64 in newlines; they are signed but are not base64.
            guard let xml = Data(base64Encoded: encoded, options: .ignoreUnknownCharacters) else {
                throw GatewayPayloadError("bt_payload is not base64.")
            }
            return try BraintreeNotificationReader.read(xml, externalID: externalID ?? braintreeExternalID(encoded))
        case .generic:
            guard let externalID else { throw GatewayPayloadError("webhook-id is missing.") }
            return try GenericPaymentEventReader.read(Data(payload.utf8), externalID: externalID, sentAt: receivedAt)
        }
    }

    /// Braintree notifications carry no id; a retry resends the same signed payload, so its
    /// digest identifies the notification.
    static func braintreeExternalID(_ payload: String) -> String {
        "bt_" + SHA256.hash(data: Data(payload.utf8)).prefix(16).hexString
    }
}

/// The two fields of a Braintree webhook form body.
struct BraintreeForm {
    /// `bt_signature`, if the body has it.
    let signature: String?
    /// `bt_payload` (the notification XML in base64), if the body has it.
    let payload: String?

    /// Reads a form-encoded body; fields other than the two are ignored.
    init(_ body: String) {
        var fields: [String: String] = [:]
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            guard let name = parts.first.map(String.init) else { continue }
            let value = parts.count > 1 ? String(parts[1]) : ""
            // Form encoding: '+' is a space, then percent-decoding.
            fields[name] = value.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? value
        }
        signature = fields["bt_signature"]
        payload = fields["bt_payload"]
    }
}
