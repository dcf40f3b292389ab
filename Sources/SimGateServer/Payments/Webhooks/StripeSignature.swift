import Crypto
import Foundation

/// Stripe's webhook signature: `Stripe-Signature: t=<unix seconds>,v1=<hex>[,v1=<hex>...]`,
/// where each `v1` is hex HMAC-SHA256, keyed with the endpoint secret as is, over
/// `"<t>.<raw body>"`. Any matching `v1` will do (several appear while a secret rolls);
/// other schemes (`v0`) are ignored.
public enum StripeSignature {
    /// Default tolerance for the signed timestamp, in seconds.
    static let defaultTolerance: TimeInterval = 300

    /// Returns if a `v1` of `header` matches one of `secrets` and its `t` is within `tolerance`
    /// seconds of `now`; throws otherwise.
    static func verify(header: String?, body: Data, secrets: [String], now: Date, tolerance: TimeInterval = defaultTolerance) throws(WebhookVerificationError) {
        guard let header, !header.isEmpty else { throw .missingSignature("The Stripe-Signature header is missing.") }
        var timestamp: String?
        var candidates: [String] = []
        for part in header.split(separator: ",") {
            let pair = part.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard pair.count == 2 else { continue }
            if pair[0] == "t" { timestamp = pair[1] } else if pair[0] == "v1" { candidates.append(pair[1].lowercased()) }
        }
        guard let timestamp, let seconds = WebhookTimestamp.seconds(timestamp), !candidates.isEmpty else {
            throw .missingSignature("Stripe-Signature needs t= and at least one v1=.")
        }
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        let matches = secrets.contains { secret in
            let expected = Array(HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8))).hexString.utf8)
            return candidates.contains { ConstantTime.equals(expected, Array($0.utf8)) }
        }
        guard matches else { throw .signatureMismatch }
        guard abs(now.timeIntervalSince1970 - seconds) <= tolerance else { throw .staleTimestamp }
    }

    /// The header Stripe would send for `body` at `time`; for tests, benchmarks and the simulator.
    public static func header(body: Data, secret: String, time: Date) -> String {
        let timestamp = String(Int(time.timeIntervalSince1970))
        var signed = Data("\(timestamp).".utf8)
        signed.append(body)
        return "t=\(timestamp),v1=" + HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Data(secret.utf8))).hexString
    }
}
