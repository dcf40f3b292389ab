import SimGateCore
import SimGateStore

/// Finds identifiers in an import that repeat within it or are already taken.
enum SimImportConflicts {
    /// Every ICCID, IMSI or MSISDN of `rows` that repeats an earlier row (invalid) or is
    /// already in `taken` (conflict), each named at `sims[row].field`.
    ///
    /// Repeats are found by sorting the rows' positions by value, so that equal values sit side
    /// by side, rather than with a dictionary of every value seen: for a million rows that is
    /// 4 MB of positions per identifier instead of a table of a million strings (about 40 MB
    /// each, a quarter of `simgate sims import`'s peak memory).
    static func find(in rows: [IndexedNewSim], taken: TakenIdentifiers) -> [DomainError] {
        var issues: [DomainError] = []
        issues += find(field: "iccid", in: rows, stored: taken.iccids) { $0.iccid.digits }
        issues += find(field: "imsi", in: rows, stored: taken.imsis) { $0.imsi.digits }
        issues += find(field: "msisdn", in: rows, stored: taken.msisdns) { $0.msisdn?.digits }
        return issues
    }

    /// The problems with one identifier: every row whose value is stored already, and every row
    /// after the first that repeats a value.
    private static func find(field: String, in rows: [IndexedNewSim], stored: Set<String>, value: (NewSim) -> String?) -> [DomainError] {
        // Positions in `rows` (not the rows' own indices), of rows that have the identifier,
        // sorted by value and then by position: each run of equal values starts with its first row.
        var order: [Int32] = []
        order.reserveCapacity(rows.count)
        for position in rows.indices where value(rows[position].sim) != nil { order.append(Int32(position)) }
        order.sort { left, right in
            let (a, b) = (value(rows[Int(left)].sim)!, value(rows[Int(right)].sim)!)
            return a == b ? left < right : a < b
        }
        var issues: [DomainError] = []
        var runStart = 0
        while runStart < order.count {
            let first = rows[Int(order[runStart])]
            let shared = value(first.sim)!
            var runEnd = runStart + 1
            while runEnd < order.count, value(rows[Int(order[runEnd])].sim)! == shared { runEnd += 1 }
            // The row's name is made only for a problem: most rows of a large import have none.
            if !stored.isEmpty, stored.contains(shared) {
                for position in order[runStart..<runEnd] {
                    issues.append(DomainError(
                        .conflict, code: "duplicate_\(field)", message: "A SIM with \(field) \(shared) already exists.",
                        param: "sims[\(rows[Int(position)].index)].\(field)"
                    ))
                }
            } else {
                for position in order[(runStart + 1)..<runEnd] {
                    issues.append(DomainError(
                        .invalid, code: "duplicate_\(field)", message: "The \(field) \(shared) also appears at sims[\(first.index)].",
                        param: "sims[\(rows[Int(position)].index)].\(field)"
                    ))
                }
            }
            runStart = runEnd
        }
        return issues
    }
}
