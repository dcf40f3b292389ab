import SQLKit

/// How many rows, or `IN` values, each statement of a batch takes.
///
/// PostgreSQL is a round trip away, so a batch goes in as few statements as it can: up to
/// ``UsageRepository/rowsPerStatement`` rows each. SQLite runs in process, and what costs is
/// parsing: a statement whose text it has seen before is reused, one it has not is parsed
/// afresh. So on SQLite a batch is cut into statements of a few fixed sizes (1, 2, 4, 16 or 64
/// rows), whose texts repeat from one batch to the next, each small enough for the connection
/// to keep prepared (at most 1,024 binds: those of up to 256 among the many it keeps, larger
/// ones among the last 16 it used). The largest size serves most rows: each statement also
/// costs its own run, and an accounting batch cut into 16-row statements (as a 256-bind limit
/// cut them) ran four times as many. Two rows is what an accounting batch most often holds
/// when reports come at an even, moderate pace: one statement for them rather than two.
enum BatchShape {
    /// The sizes SQLite statements are cut to, largest first.
    private static let sqliteSizes = [64, 16, 4, 2, 1]
    /// Binds a statement may carry and still be kept prepared by ``SQLiteHandle``.
    private static let keptBinds = 1_024

    /// The ranges of `0..<count` that each statement writes, for rows of `columns` binds.
    static func rows(_ count: Int, columns: Int, on db: any SQLDatabase) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        guard db.dialect.name == "sqlite" else {
            for start in stride(from: 0, to: count, by: UsageRepository.rowsPerStatement) {
                ranges.append(start..<min(start + UsageRepository.rowsPerStatement, count))
            }
            return ranges
        }
        var start = 0
        for size in sqliteSizes where size * columns <= keptBinds {
            while count - start >= size {
                ranges.append(start..<start + size)
                start += size
            }
        }
        // Rows wider than the kept limit still go one per statement.
        while start < count {
            ranges.append(start..<start + 1)
            start += 1
        }
        return ranges
    }

    /// `values` as `IN` lists, one per statement. On SQLite each list is padded to one of the
    /// fixed sizes by repeating its last value, which an `IN` list ignores; `lists` is how many
    /// such lists the statement holds, to stay within the kept limit.
    static func inLists<Value>(_ values: [Value], lists: Int = 1, on db: any SQLDatabase) -> [[Value]] {
        guard let last = values.last else { return [] }
        guard db.dialect.name == "sqlite" else {
            return stride(from: 0, to: values.count, by: UsageRepository.rowsPerStatement).map {
                Array(values[$0..<min($0 + UsageRepository.rowsPerStatement, values.count)])
            }
        }
        let largest = sqliteSizes.first { $0 * lists <= keptBinds } ?? 1
        var chunks: [[Value]] = []
        for start in stride(from: 0, to: values.count, by: largest) {
            var chunk = Array(values[start..<min(start + largest, values.count)])
            let size = sqliteSizes.last { $0 >= chunk.count } ?? largest
            chunk += repeatElement(chunk.last ?? last, count: size - chunk.count)
            chunks.append(chunk)
        }
        return chunks
    }
}
