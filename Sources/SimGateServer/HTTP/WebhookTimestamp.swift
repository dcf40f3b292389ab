import Foundation

/// The signed timestamp of a webhook (Stripe's `t=`, Standard Webhooks' `webhook-timestamp`):
/// Unix seconds in decimal digits, as every gateway writes it. Read as any floating-point text,
/// `0x69…`, `+1.79e9` and `1700000000.5` were taken too; each is signed, so nothing was forged
/// by it, but the gateways' own libraries refuse them, and so does SimGate.
enum WebhookTimestamp {
    /// The seconds `text` gives, or nil unless it is 1 to 12 ASCII digits.
    static func seconds(_ text: String) -> TimeInterval? {
        guard (1...12).contains(text.utf8.count), text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else { return nil }
        return Int64(text).map(TimeInterval.init)
    }
}
