import SimGateCore
import SimGateStore

/// Finds identifiers in an import that repeat within it or are already taken.
enum SimImportConflicts {
    /// Every ICCID, IMSI or MSISDN of `rows` that repeats an earlier row (invalid) or is
    /// already in `taken` (conflict), each named at `sims[row].field`.
    static func find(in rows: [IndexedNewSim], taken: TakenIdentifiers) -> [DomainError] {
        var issues: [DomainError] = []
        var seenICCIDs: [String: Int] = [:], seenIMSIs: [String: Int] = [:], seenMSISDNs: [String: Int] = [:]
        // Sized up front: a million-row import would otherwise rehash each table twenty times.
        seenICCIDs.reserveCapacity(rows.count)
        seenIMSIs.reserveCapacity(rows.count)

        func check(_ value: String?, field: String, row: Int, seen: inout [String: Int], stored: Set<String>) {
            guard let value else { return }
            // The row's name is made only for a problem: most rows of a large import have none.
            if !stored.isEmpty, stored.contains(value) {
                issues.append(DomainError(.conflict, code: "duplicate_\(field)", message: "A SIM with \(field) \(value) already exists.", param: "sims[\(row)].\(field)"))
            } else if let first = seen.updateValue(row, forKey: value) {
                seen[value] = first
                issues.append(DomainError(.invalid, code: "duplicate_\(field)", message: "The \(field) \(value) also appears at sims[\(first)].", param: "sims[\(row)].\(field)"))
            }
        }

        for (index, row) in rows {
            check(row.iccid.digits, field: "iccid", row: index, seen: &seenICCIDs, stored: taken.iccids)
            check(row.imsi.digits, field: "imsi", row: index, seen: &seenIMSIs, stored: taken.imsis)
            check(row.msisdn?.digits, field: "msisdn", row: index, seen: &seenMSISDNs, stored: taken.msisdns)
        }
        return issues
    }
}
