import Foundation
import SimGateCore
import SimGateServer
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("CSV import (command line)")
struct CSVImportTests {
    @Test("a CSV file with quoted fields and labels imports every row", arguments: TestEngine.available)
    func imports(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let csv = """
                iccid,imsi,msisdn,serial_number,labels
                \(Fixtures.iccid(1)),\(Fixtures.imsi(1)),+\(Fixtures.msisdn(1)),"SN-1, box 4",fleet-a;beta
                \(Fixtures.iccid(2)),\(Fixtures.imsi(2)),,,

                """
            #expect(try await Administration(database: database).importSims(csv: csv, accountID: nil) == 2)
            let page = try await database.read { try await SimStore().list(SimFilter(label: "beta"), PageRequest(), on: $0) }
            #expect(page.items.map(\.serialNumber) == ["SN-1, box 4"])
        }
    }

    @Test("bad rows are reported by line, and nothing is imported", arguments: TestEngine.available)
    func rejects(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let csv = """
                iccid,imsi
                \(Fixtures.iccid(1)),\(Fixtures.imsi(1))
                \(Fixtures.iccid(2)),999
                \(Fixtures.iccid(1)),\(Fixtures.imsi(3))
                """
            await #expect {
                try await Administration(database: database).importSims(csv: csv, accountID: nil)
            } throws: { error in
                let params = (error as? DomainError)?.issues.compactMap(\.param) ?? []
                return params == ["line 3: imsi", "line 4: iccid"]
            }
            let page = try await database.read { try await SimStore().list(SimFilter(), PageRequest(), on: $0) }
            #expect(page.items.isEmpty)
        }
    }
}
