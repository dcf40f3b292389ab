import Foundation
import SimGateCore

/// Valid identifiers for test SIMs, made rather than hard-coded so any number can be had.
public enum Fixtures {
    /// The `n`-th test ICCID: 19 digits in the 8988 (test) range with a correct Luhn digit.
    public static func iccid(_ n: Int) -> String {
        let body = "898830" + String(format: "%012d", n)
        return body + String(Luhn.checkDigit(for: body))
    }

    /// The `n`-th test IMSI: 15 digits, MCC 001 (test network).
    public static func imsi(_ n: Int) -> String {
        "00101" + String(format: "%010d", n)
    }

    /// The `n`-th test MSISDN.
    public static func msisdn(_ n: Int) -> String {
        "4477" + String(format: "%08d", n)
    }

    /// The `n`-th test IMEI with a correct Luhn digit.
    public static func imei(_ n: Int) -> String {
        let body = "35" + String(format: "%012d", n)
        return body + String(Luhn.checkDigit(for: body))
    }

    /// An event of no SIM or account, by the system (`actorID`), carrying `object`: for store
    /// tests that only need rows to write and find.
    public static func systemEvent(_ ids: IdentifierGenerator, object: String = "{}", actorID: String = "test") -> Event {
        Event(
            id: ids.make(), type: .simUpdated, accountID: nil, simID: nil, object: object, previousAttributes: nil,
            cause: ChangeCause(actor: ChangeActor(.system, id: actorID)), createdAt: Date()
        )
    }
}
