import Foundation
import SimGateCore

/// Stock import from a CSV file, for `simgate sims import` and the operator's dashboard
/// alike: the file is read by ``CSVTable``, each row checked by the API's own
/// ``SimImportRow/validated(index:)``, and the batch handed to ``SimService/importStock``,
/// all or nothing, every problem named by the file's line number. The header is
/// `iccid,imsi[,msisdn,eid,serial_number,labels]`, labels separated by `;`.
struct StockCSVImport: Sendable {
    /// Imports SIMs into stock, as the API does.
    let sims: SimService

    /// Columns a file must have.
    static let requiredColumns = ["iccid", "imsi"]
    /// Columns a file may have besides.
    static let optionalColumns = ["msisdn", "eid", "serial_number", "labels"]

    /// Imports the SIMs of `text`, given to `accountID` (kept in stock when `nil`); returns how
    /// many were imported (none for a header alone, unless `refusingEmpty`).
    /// - Throws: ``DomainError`` `invalid_csv` for a file that cannot be read or has the wrong
    ///   header, `import_rejected` with one issue per problem (its `param` is
    ///   `line N: field`) when any row is wrong; nothing is imported then.
    /// `progress` hears how many SIMs are written so far, as the import goes. `text` is let go
    /// once read: a file of a million rows is 50 MB the import has no more use for.
    func run(
        csv text: consuming String, accountID: AccountID?, cause: ChangeCause, refusingEmpty: Bool = false,
        progress: (@Sendable (_ written: Int, _ of: Int) -> Void)? = nil
    ) async throws -> Int {
        let (rows, issues, lines) = try Self.read(text)
        _ = consume text
        // A file of no SIMs still names its account, which must exist: an import of a header
        // alone to a mistyped account said "Imported 0 SIM(s)." and succeeded.
        if lines.isEmpty, refusingEmpty {
            throw DomainError(.invalid, code: "invalid_csv", message: "The file has a header but no SIMs.", param: "csv")
        }
        do {
            let total = rows.count
            var perPart: (@Sendable (Int) -> Void)?
            if let progress { perPart = { written in progress(written, total) } }
            return try await sims.importStock(rows, knownIssues: issues, accountID: accountID, cause: cause, progress: perPart)
        } catch let error as DomainError {
            throw error.withRowsNamedByLine(lines)
        }
    }

    /// The file's rows checked as the API checks them, the problems found, and each row's line
    /// number. The file is checked row by row as it is read: the import, one long transaction,
    /// need not hold every cell of a large file beside the rows it writes.
    private static func read(_ text: String) throws -> (rows: [IndexedNewSim], issues: [DomainError], lines: [Int]) {
        var rows: [IndexedNewSim] = []
        var issues: [DomainError] = []
        var lines: [Int] = []
        do {
            try CSVTable.reading(text, header: { try $0.checkColumns(required: Self.requiredColumns, optional: Self.optionalColumns) }) { table, line, fields in
                let cell = { (column: String) in table.value(column, in: fields) }
                let (sim, rowIssues) = SimImportRow(
                    iccid: cell("iccid") ?? "", imsi: cell("imsi") ?? "", msisdn: cell("msisdn"), eid: cell("eid"),
                    serialNumber: cell("serial_number"), labels: cell("labels")?.split(separator: ";").map(String.init), metadata: nil
                ).validated(index: lines.count)
                if let sim { rows.append((lines.count, sim)) }
                issues += rowIssues
                lines.append(line)
            }
        } catch let error as CSVError {
            throw DomainError(.invalid, code: "invalid_csv", message: error.description, param: "csv")
        }
        return (rows, issues, lines)
    }
}

extension CSVTable {
    /// Fails unless the header names every `required` column, each column once, and nothing
    /// outside `required` and `optional`: a misspelt `msidsn`, or the second of two `imsi`
    /// columns, would otherwise be dropped without a word.
    func checkColumns(required: [String], optional: [String]) throws {
        for column in required where !header.contains(column) {
            throw DomainError(.invalid, code: "invalid_csv", message: "Line 1, the header, has no '\(column)' column.", param: "csv")
        }
        var named: Set<String> = []
        if let repeated = header.first(where: { !named.insert($0).inserted }) {
            throw DomainError(.invalid, code: "invalid_csv", message: "Line 1, the header, names the column '\(repeated)' twice.", param: "csv")
        }
        let known = Set(required + optional)
        if let blank = header.firstIndex(of: "") {
            throw DomainError(.invalid, code: "invalid_csv", message: "Line 1, the header, leaves column \(blank + 1) without a name.", param: "csv")
        }
        if let unknown = header.first(where: { !known.contains($0) }) {
            throw DomainError(
                .invalid, code: "invalid_csv",
                message: "Line 1, the header, names an unknown column '\(unknown)'; columns are \(required.joined(separator: ", ")) and optionally \(optional.joined(separator: ", ")).",
                param: "csv"
            )
        }
    }
}
