import Foundation
@testable import SimGateServer
import Logging
import SimGateCore
import SimGateRADIUS
import SimGateStore
import SimGateTestSupport

/// The accounting ledger on a test database with SIMs imported, for tests that hand it
/// batches directly: which reports share a batch depends on timing when they come by UDP.
struct LedgerFixture {
    /// Applies batches of reports as the batcher does.
    let ledger: AccountingLedger

    /// Imports the fixture SIMs numbered `sims` (ICCID and IMSI) into `database`; the ledger
    /// reads `clock` (the system's unless a test fixes the time).
    static func importing(_ sims: [Int], into database: SimGateDatabase, clock: any WallClock = SystemWallClock()) async throws -> LedgerFixture {
        let csv = "iccid,imsi\n" + sims.map { "\(Fixtures.iccid($0)),\(Fixtures.imsi($0))\n" }.joined()
        _ = try await Administration(database: database).importSims(csv: csv, accountID: nil)
        let ids = IdentifierGenerator(clock: clock)
        let service = SimService(store: Store(database: database, ids: ids), clock: clock, ids: ids)
        return LedgerFixture(ledger: AccountingLedger(sims: service, metrics: RADIUSMetrics(), logger: Logger(label: "test")))
    }

    /// A report from gateway `pgw-1` for `session`, its User-Name the IMSI `imsi`.
    static func report(_ status: AccountingStatusType, session: String, imsi: String, inputOctets: UInt32? = nil) -> AccountingReport {
        var attributes: [RADIUSAttribute] = [
            .integer(RADIUSAttributeType.acctStatusType, status.rawValue),
            .text(RADIUSAttributeType.nasIdentifier, "pgw-1"),
            .text(RADIUSAttributeType.acctSessionID, session),
            .text(RADIUSAttributeType.userName, imsi),
        ]
        if let inputOctets { attributes.append(.integer(RADIUSAttributeType.acctInputOctets, inputOctets)) }
        return AccountingReport(
            RADIUSPacket(code: .accountingRequest, identifier: 1, authenticator: [UInt8](repeating: 0, count: 16), attributes: attributes),
            client: RADIUSClient(name: "pgw", address: "127.0.0.1", secret: "s"), sourceIP: "127.0.0.1"
        )
    }
}
