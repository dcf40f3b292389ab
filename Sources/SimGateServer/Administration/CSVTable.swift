import Foundation
/// A CSV document (RFC 4180: commas, double-quoted fields, `""` for a quote inside one),
/// read into a header and rows.
struct CSVTable: Sendable {
    /// The column names of the first row, trimmed and lowercased.
    let header: [String]
    /// Each row with its 1-based line number in the file, for error messages.
    let rows: [(line: Int, fields: [String])]

    /// Reads `text`, skipping blank lines; throws ``CSVError`` for an unclosed quote or an empty file.
    init(parsing text: String) throws {
        var records: [(line: Int, fields: [String])] = []
        try Self.records(in: text) { records.append(($0, $1)) }
        guard let first = records.first else { throw CSVError(line: 1, message: "The file is empty.") }
        self.init(headerFields: first.fields, rows: Array(records.dropFirst()))
        for row in rows { try checkWidth(row.fields, line: row.line) }
    }

    /// Fails for a row with a cell past the header's last column: it belongs to no column and
    /// would be dropped without a word (a missing comma or an unquoted one, most often). Empty
    /// cells there, as some spreadsheets write them, lose nothing and pass.
    func checkWidth(_ fields: [String], line: Int) throws {
        guard fields.count > header.count,
              fields[header.count...].contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) else { return }
        throw CSVError(line: line, message: "The row has \(fields.count) cells, but the header names \(header.count) columns.")
    }

    private init(headerFields: [String], rows: [(line: Int, fields: [String])]) {
        // Empty names after the last named column are a spreadsheet's trailing commas
        // (`iccid,imsi,`), no columns: a cell under one is past the header's last column, an
        // error only when it holds something, as in any row.
        var names = headerFields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        while names.last?.isEmpty == true { names.removeLast() }
        header = names
        self.rows = rows
    }

    /// Reads `text` as ``init(parsing:)`` does, but without keeping its rows: `header` is
    /// called with the header first, then `eachRow` with each row and its line as it is read,
    /// so that a large file's cells need not all be held at once. Both are handed the table
    /// of the header alone, for ``value(_:in:)``.
    static func reading(
        _ text: String, header: (CSVTable) throws -> Void, eachRow: (_ table: CSVTable, _ line: Int, _ fields: [String]) throws -> Void
    ) throws {
        var table: CSVTable?
        try records(in: text) { line, fields in
            if let table {
                try table.checkWidth(fields, line: line)
                try eachRow(table, line, fields)
            } else {
                let headerOnly = CSVTable(headerFields: fields, rows: [])
                try header(headerOnly)
                table = headerOnly
            }
        }
        if table == nil { throw CSVError(line: 1, message: "The file is empty.") }
    }

    /// Hands each record of `text` with its first line to `body`, in order, skipping blank lines.
    ///
    /// The text is read as UTF-8 bytes, not characters: every byte the format gives meaning to
    /// (comma, quote, CR, LF) is ASCII and never part of another character's encoding, and
    /// walking a million-row file by grapheme was most of the time before its first row was
    /// written.
    private static func records(in text: String, _ body: (_ line: Int, _ fields: [String]) throws -> Void) throws {
        var field: [UInt8] = [], fields: [String] = []
        var inQuotes = false, line = 1, recordLine = 1
        let comma = UInt8(ascii: ","), quote = UInt8(ascii: "\""), cr = UInt8(ascii: "\r"), lf = UInt8(ascii: "\n")

        func endField() {
            fields.append(String(decoding: field, as: UTF8.self))
            field.removeAll(keepingCapacity: true)
        }
        func endRecord() throws {
            endField()
            if !(fields.count == 1 && fields[0].isEmpty) { try body(recordLine, fields) }
            fields = []
        }

        // A byte order mark, as spreadsheet programs write at the start of UTF-8 files, is not
        // part of the first column's name.
        let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
        var bytes = text.utf8.dropFirst(text.utf8.starts(with: byteOrderMark) ? 3 : 0).makeIterator()
        var pending: UInt8? = nil
        while let byte = pending ?? bytes.next() {
            pending = nil
            if inQuotes {
                if byte == quote {
                    let next = bytes.next()
                    if next == quote { field.append(quote) } else { inQuotes = false; pending = next }
                    continue
                }
                field.append(byte)
                // CR LF, a lone CR and a lone LF each end one line.
                if byte == lf { line += 1 }
                if byte == cr {
                    let next = bytes.next()
                    if next == lf { field.append(lf) } else { pending = next }
                    line += 1
                }
                continue
            }
            switch byte {
            case quote where field.isEmpty: inQuotes = true
            case comma: endField()
            case lf, cr:
                if byte == cr {
                    let next = bytes.next()
                    if next != lf { pending = next }
                }
                try endRecord()
                line += 1
                recordLine = line
            default: field.append(byte)
            }
        }
        if inQuotes { throw CSVError(line: recordLine, message: "A quoted field is not closed.") }
        if !field.isEmpty || !fields.isEmpty { try endRecord() }
    }

    /// The value in `column` of `fields`, or `nil` when the column is absent or the cell empty.
    func value(_ column: String, in fields: [String]) -> String? {
        guard let index = header.firstIndex(of: column), index < fields.count else { return nil }
        let field = fields[index]
        // Most cells have no blank at either end; trimming them anyway cost 4% of a large import.
        let untrimmed = field.unicodeScalars.first.map { !CharacterSet.whitespaces.contains($0) } == true
            && field.unicodeScalars.last.map { !CharacterSet.whitespaces.contains($0) } == true
        let value = untrimmed ? field : field.trimmingCharacters(in: .whitespaces)
        return value.isEmpty ? nil : value
    }
}

/// A CSV file that cannot be read.
struct CSVError: Error, CustomStringConvertible {
    /// The 1-based line where the faulty record starts.
    let line: Int
    /// What is wrong, as a sentence.
    let message: String
    var description: String { "line \(line): \(message)" }
}
