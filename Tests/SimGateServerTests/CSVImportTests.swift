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
            let page = try await database.store.read { try await $0.sims.list(SimFilter(label: "beta"), PageRequest()) }
            #expect(page.items.map(\.serialNumber) == ["SN-1, box 4"])
        }
    }

    @Test("blanks around a cell are trimmed, blanks inside kept, and a cell of blanks alone is empty", arguments: TestEngine.available)
    func trimsCells(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let csv = "iccid,imsi,msisdn,serial_number\n"
                + " \(Fixtures.iccid(1)),\t\(Fixtures.imsi(1)) ,   ,SN 1\n"
                + "\(Fixtures.iccid(2)) ,\(Fixtures.imsi(2)),\(Fixtures.msisdn(2)), SN 2 \n"
            #expect(try await Administration(database: database).importSims(csv: csv, accountID: nil) == 2)
            let sims = try await database.store.read { try await $0.sims.list(SimFilter(), PageRequest()) }.items.sorted { $0.iccid.digits < $1.iccid.digits }
            #expect(sims.map(\.iccid.digits) == [Fixtures.iccid(1), Fixtures.iccid(2)])
            #expect(sims.map(\.imsi.digits) == [Fixtures.imsi(1), Fixtures.imsi(2)])
            #expect(sims.map(\.msisdn?.digits) == [nil, Fixtures.msisdn(2)])
            #expect(sims.map(\.serialNumber) == ["SN 1", "SN 2"])
        }
    }

    @Test("CR LF, LF or CR line ends, quoted cells with doubled quotes and line breaks, blank lines and non-ASCII text: every problem named by the line its row starts on", arguments: TestEngine.available)
    func readsEveryLineEnd(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let header = "iccid,imsi,serial_number,labels\r\n"
            let first = "\(Fixtures.iccid(1)),\(Fixtures.imsi(1)),\"Kiste \"\"7\"\", Fach \u{FC}\",fleet-a\r\n\r\n"
            let bad = "\(Fixtures.iccid(2)),\(Fixtures.imsi(2)),\"two\r\nlines\",\n"  // lines 4 and 5
                + "\(Fixtures.iccid(3)),999,SN-3,\n"  // line 6
                + "\(Fixtures.iccid(4)),\(Fixtures.imsi(4)),\(String(repeating: "9", count: 65)),\r"  // line 7
            await #expect {
                try await Administration(database: database).importSims(csv: header + first + bad, accountID: nil)
            } throws: { error in
                (error as? DomainError)?.issues.compactMap(\.param) == ["line 4: serial_number", "line 6: imsi", "line 7: serial_number"]
            }
            let second = "\(Fixtures.iccid(2)),\(Fixtures.imsi(2)),SN-2,fleet-b\r"
            #expect(try await Administration(database: database).importSims(csv: header + first + second, accountID: nil) == 2)
            let sims = try await database.store.read { try await $0.sims.list(SimFilter(), PageRequest()) }.items.sorted { $0.iccid.digits < $1.iccid.digits }
            #expect(sims.map(\.serialNumber) == ["Kiste \"7\", Fach \u{FC}", "SN-2"])
            #expect(sims.map(\.labels.values) == [["fleet-a"], ["fleet-b"]])

            // A byte order mark before the header, as spreadsheet programs write.
            #expect(try await Administration(database: database).importSims(csv: "\u{FEFF}iccid,imsi\n\(Fixtures.iccid(6)),\(Fixtures.imsi(6))\n", accountID: nil) == 1)
            await #expect {
                try await Administration(database: database).importSims(csv: "iccid,imsi\n\n\"\(Fixtures.iccid(5)),1\n", accountID: nil)
            } throws: { error in
                (error as? DomainError)?.code == "invalid_csv" && (error as? DomainError)?.message.hasPrefix("line 3:") == true
            }
        }
    }

    /// A second `imsi` column, or a cell past the last column, was dropped without a word and
    /// the row imported from what was left.
    @Test("a column named twice or a cell past the header's last column is refused, and nothing is imported; empty trailing cells pass", arguments: TestEngine.available)
    func noCellDropped(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let admin = Administration(database: database)
            for (csv, message) in [
                ("iccid,imsi,imsi\n\(Fixtures.iccid(1)),\(Fixtures.imsi(1)),\(Fixtures.imsi(2))\n", "Line 1, the header, names the column 'imsi' twice."),
                ("iccid,imsi\n\(Fixtures.iccid(1)),\(Fixtures.imsi(1))\n\(Fixtures.iccid(2)),\(Fixtures.imsi(2)),\(Fixtures.iccid(3))\n",
                 "line 3: The row has 3 cells, but the header names 2 columns."),
            ] {
                await #expect {
                    try await admin.importSims(csv: csv, accountID: nil)
                } throws: { error in
                    (error as? DomainError)?.code == "invalid_csv" && (error as? DomainError)?.message == message
                }
            }
            let stored = try await database.store.read { try await $0.sims.list(SimFilter(), PageRequest()) }.items
            #expect(stored.isEmpty)
            #expect(try await admin.importSims(csv: "iccid,imsi\n\(Fixtures.iccid(4)),\(Fixtures.imsi(4)),,\n", accountID: nil) == 1)
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
                let issues = (error as? DomainError)?.issues ?? []
                // The repeated ICCID is named by the line it first appears on, not by its row index.
                return issues.compactMap(\.param) == ["line 3: imsi", "line 4: iccid"]
                    && issues.last?.message == "The iccid \(Fixtures.iccid(1)) also appears at line 2."
            }
            let page = try await database.store.read { try await $0.sims.list(SimFilter(), PageRequest()) }
            #expect(page.items.isEmpty)
        }
    }

    @Test("a CDR file: good rows kept with their country, bad rows named by line, a second import changes nothing", arguments: TestEngine.available)
    func importsUsage(engine: TestEngine) async throws {
        try await TestDatabase.with(engine) { database in
            let administration = Administration(database: database)
            _ = try await administration.importSims(csv: "iccid,imsi\n\(Fixtures.iccid(1)),\(Fixtures.imsi(1))\n", accountID: nil)
            let csv = """
                id,iccid,started_at,ended_at,bytes_up,bytes_down,mcc_mnc,rat
                cdr-1,\(Fixtures.iccid(1)),2026-11-20T10:00:00Z,2026-11-20T10:30:00Z,100,1000,23415,EUTRAN
                cdr-2,\(Fixtures.iccid(1)),2026-11-20T11:00:00Z,2026-11-20T11:30:00Z,lots,1000,23415,EUTRAN
                cdr-3,\(Fixtures.iccid(2)),2026-11-20T11:00:00Z,2026-11-20T11:30:00Z,1,1,,
                cdr-4,\(Fixtures.iccid(1)),2026-11-21T09:00:00Z,2026-11-21T09:10:00Z,5,50,,
                """
            let first = try await administration.importUsage(csv: csv)
            #expect(first.accepted == 2)
            #expect(first.problems == ["line 3: bytes_up: 'bytes_up' must be a whole number of bytes, 0 to 9223372036854775807.", "line 4: iccid: no such SIM"])
            let again = try await administration.importUsage(csv: csv)
            #expect(again.accepted == 0)
            #expect(again.duplicates == 2)

            let sim = try #require(try await database.store.read { try await $0.sims.list(SimFilter(), PageRequest()) }.items.first)
            let british = try await database.store.read {
                try await $0.usage.totals(UsageTotalsQuery(scope: .sim(sim.id), months: true, from: "2026-11", to: "2026-11", byCountry: true))
            }
            #expect(british == [UsageTotal(period: "2026-11", country: nil, up: 5, down: 50), UsageTotal(period: "2026-11", country: "GB", up: 100, down: 1_000)])
            #expect(sim.lastSeen?.country == "GB")
        }
    }
    /// The operator's CSV files held one namespace of ids for every account: a second
    /// customer's file that reused an id (`c1`) had its record taken for a resend and dropped.
    @Test("two accounts' CDR files that use the same ids are both imported; each account's ids are its own", arguments: TestEngine.available)
    func importIDsPerAccount(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (a, _) = try await app.makeCustomer("A")
            let (b, keyB) = try await app.makeCustomer("B")
            _ = try await app.importSims(0..<1, account: a)
            let simB = try #require(try await app.importSims(1..<2, account: b).first)
            let administration = Administration(database: app.database)
            let header = "id,iccid,started_at,ended_at,bytes_up,bytes_down\n"
            let first = try await administration.importUsage(csv: header + "c1,\(Fixtures.iccid(0)),2026-11-20T10:00:00Z,2026-11-20T10:30:00Z,1,0\n")
            let fileB = header + "c1,\(Fixtures.iccid(1)),2026-11-20T10:00:00Z,2026-11-20T10:30:00Z,777,0\n"
            let second = try await administration.importUsage(csv: fileB)
            #expect(first.accepted == 1 && second.accepted == 1 && second.duplicates == 0, "\(second)")
            let usage = try await app.request(.get, "/v1/sims/\(simB)/usage?granularity=month", key: keyB)
            #expect(usage.items.first?["bytes_up"] as? Int == 777, "\(usage.text)")
            let again = try await administration.importUsage(csv: fileB)
            #expect(again.accepted == 0 && again.duplicates == 1)
        }
    }
}
