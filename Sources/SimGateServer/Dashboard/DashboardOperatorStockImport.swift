import Foundation
import SimGateCore

/// Stock import from a CSV file pasted or chosen in the operator's form: the file is read
/// by the command line's reader (``CSVTable``), each row checked by the API's own
/// ``SimImportRow/validated(index:)``, and the batch handed to ``SimService/importSims`` —
/// all or nothing, every problem named by the file's line number. The header is the one
/// `simgate sims import` takes: `iccid,imsi[,msisdn,eid,serial_number,labels]`, labels
/// separated by `;`.
struct DashboardOperatorStockImport: Sendable {
    /// Imports SIMs into stock, as the API and the command line do.
    let sims: SimService

    /// Largest form the import accepts, in bytes: room for a CSV file of about 16 MiB once the
    /// browser has percent-encoded its commas and line ends.
    static let maximumFormBytes = 32 * 1_024 * 1_024

    /// Columns a file must have.
    static let requiredColumns = ["iccid", "imsi"]
    /// Columns a file may have besides.
    static let optionalColumns = ["msisdn", "eid", "serial_number", "labels"]

    /// Imports the SIMs of `text`, given to `accountID` (kept in stock when `nil`); returns how
    /// many were imported.
    /// - Throws: ``DomainError`` `invalid_csv` for a file that cannot be read or has the wrong
    ///   header, `import_rejected` with one issue per problem (its `param` is
    ///   `line N: field`) when any row is wrong; nothing is imported then.
    func run(csv text: String, accountID: AccountID?, cause: ChangeCause) async throws -> Int {
        let table: CSVTable
        do { table = try CSVTable(parsing: text) } catch let error as CSVError {
            throw DomainError(.invalid, code: "invalid_csv", message: error.description, param: "csv")
        }
        try Self.checkHeader(table)
        guard !table.rows.isEmpty else {
            throw DomainError(.invalid, code: "invalid_csv", message: "The file has a header but no SIMs.", param: "csv")
        }
        var rows: [IndexedNewSim] = []
        var issues: [DomainError] = []
        for (index, row) in table.rows.enumerated() {
            let cell = { (column: String) in table.value(column, in: row.fields) }
            let (sim, rowIssues) = SimImportRow(
                iccid: cell("iccid") ?? "", imsi: cell("imsi") ?? "", msisdn: cell("msisdn"), eid: cell("eid"),
                serialNumber: cell("serial_number"), labels: cell("labels")?.split(separator: ";").map(String.init), metadata: nil
            ).validated(index: index)
            if let sim { rows.append((index, sim)) }
            issues += rowIssues
        }
        do {
            return try await sims.importSims(rows, knownIssues: issues, accountID: accountID, cause: cause).count
        } catch let error as DomainError {
            throw error.withRowsNamedByLine(table.rows.map(\.line))
        }
    }

    /// A header names both required columns and nothing unknown: a misspelt `msidsn` would
    /// otherwise be dropped without a word.
    private static func checkHeader(_ table: CSVTable) throws {
        for column in requiredColumns where !table.header.contains(column) {
            throw DomainError(.invalid, code: "invalid_csv", message: "Line 1, the header, has no '\(column)' column.", param: "csv")
        }
        let known = Set(requiredColumns + optionalColumns)
        if let unknown = table.header.first(where: { !known.contains($0) }) {
            throw DomainError(
                .invalid, code: "invalid_csv",
                message: "Line 1, the header, names an unknown column '\(unknown)'; columns are iccid, imsi and optionally \(optionalColumns.joined(separator: ", ")).",
                param: "csv"
            )
        }
    }
}
