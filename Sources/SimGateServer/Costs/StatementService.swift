import Foundation
import SimGateCore
import SimGateStore

/// Computes, freezes and reads the monthly statements of accounts.
struct StatementService: Sendable {
    /// Where periods, prices, usage and frozen statements are.
    let store: Store
    /// The current time decides which month is open and which may freeze.
    let clock: any WallClock
    /// Names the events freezing writes.
    let ids: IdentifierGenerator
    /// When months freeze.
    let settings: StatementSettings
    /// Bounds how many open statements are worked out at once, shared by every copy.
    let computations = StatementComputations()
    /// The longest a request waits for its statement's turn to be worked out.
    static let computationWait: Duration = .seconds(30)

    /// A statement to show: frozen (its lines are read from storage a page at a time), or
    /// computed now with every line.
    enum View: Sendable {
        /// Stored; the same whenever asked.
        case frozen(StatementResource, FrozenStatement)
        /// Computed for this request, with every line (turned into resources only as shown).
        case computed(StatementResource, [StatementLine])

        /// The summary, without lines.
        var summary: StatementResource {
            switch self {
            case .frozen(let summary, _), .computed(let summary, _): summary
            }
        }
    }

    /// The account's statement for `month`, freezing it first if it is due.
    /// - Throws: ``DomainError`` `resource_missing` for an unknown account, `month_out_of_range`
    ///   for a month before the account existed or after the current one.
    func statement(of accountID: AccountID, month: BillingMonth) async throws -> View {
        let now = clock.now()
        let current = BillingMonth(containing: now)
        let frozen = try await store.read { tx -> FrozenStatement? in
            guard let account = try await tx.accounts.find(accountID) else { throw DomainError.notFound("account", param: "account") }
            // Before SimGate kept SIM periods there is no history to bill from.
            let first = max(BillingMonth(containing: account.createdAt), try await tx.statements.keptSince().map(BillingMonth.init(containing:)) ?? current)
            guard month >= first, month <= current else {
                throw DomainError(
                    .invalid, code: "month_out_of_range", message: "'month' must be from \(first) (the account's first month with SIM history) to \(current).",
                    param: "month"
                )
            }
            return try await tx.statements.frozen(accountID: accountID, month: month)
        }
        if let frozen { return .frozen(try Self.summary(frozen), frozen) }
        if month < current, now >= month.end.addingTimeInterval(settings.freezeAfter) {
            let frozen = try await freeze(accountID, month: month)
            return .frozen(try Self.summary(frozen), frozen)
        }
        let (statement, names) = try await computations.run(.init(account: accountID, month: month), waitingAtMost: Self.computationWait) {
            try await compute(accountID, month: month, asOf: now)
        }
        return .computed(
            StatementResource(statement, state: month == current ? .open : .closing, frozenAt: nil, names: names), statement.lines
        )
    }

    /// Up to `limit` lines of `view` after the line `after`.
    func lines(of view: View, after: String?, limit: Int) async throws -> (lines: [StatementLineResource], hasMore: Bool) {
        switch view {
        case .computed(_, let all):
            // Lines are sorted by id: the page starts after the line `after` names.
            var low = 0, high = all.count
            while let after, low < high {
                let middle = (low + high) / 2
                if all[middle].id <= after { low = middle + 1 } else { high = middle }
            }
            if let after, low == 0 || all[low - 1].id != after { throw Self.unknownLine }
            let end = min(all.count, low + limit)
            return (all[low..<end].map(StatementLineResource.init), end < all.count)
        case .frozen(let summary, let frozen):
            if let after, try await frozenLines(frozen, of: summary, from: after) != after { throw Self.unknownLine }
            let rows = try await frozenLines(frozen, of: summary, after: after, limit: limit + 1)
            return (try rows.prefix(limit).map { try APIJSON.decode(StatementLineResource.self, from: $0.body) }, rows.count > limit)
        }
    }

    /// The CSV of every line of `view`: a frozen statement's rows as they were stored.
    func csv(of view: View) async throws -> String {
        var document = StatementCSV.header
        switch view {
        case .computed(let summary, let all):
            for line in all { document += StatementCSV.row(StatementLineResource(line), of: summary) + "\r\n" }
            for row in StatementCSV.poolRows(of: summary) { document += row + "\r\n" }
        case .frozen(let summary, let frozen):
            var after: String?
            while true {
                let rows = try await frozenLines(frozen, of: summary, after: after, limit: 10_000)
                for row in rows { document += row.csvRow + "\r\n" }
                guard rows.count == 10_000 else { break }
                after = rows.last?.id
            }
            // Pools come from the stored summary, so a frozen statement's CSV stays as it was.
            for row in StatementCSV.poolRows(of: summary) { document += row + "\r\n" }
        }
        return document
    }

    /// A `starting_after` that names no line of the statement: any text once paged from
    /// wherever it sorted, so a client stopped early or started over without being told.
    private static let unknownLine = DomainError(
        .invalid, code: "invalid_cursor", message: "'starting_after' names no line of this statement.", param: "starting_after"
    )

    /// The id of the frozen line `id`, if the statement has it.
    private func frozenLines(_ frozen: FrozenStatement, of summary: StatementResource, from id: String) async throws -> String? {
        try await frozenLines(frozen, of: summary, after: nil, limit: 1, from: id).first?.id
    }

    private func frozenLines(_ frozen: FrozenStatement, of summary: StatementResource, after: String?, limit: Int, from: String? = nil) async throws -> [FrozenLine] {
        let (account, month) = (AccountID(trusted: summary.account), BillingMonth(summary.month) ?? BillingMonth(containing: frozen.frozenAt))
        return try await store.read { tx in try await tx.statements.lines(of: frozen, accountID: account, month: month, after: after, from: from, limit: limit) }
    }

    /// Freezes the account's statement for the closed `month` (if no one has yet) and returns
    /// the frozen copy; the first freeze writes a `statement.frozen` event. The lines go in
    /// first, a few thousand per unit of work so that no write waits long behind them, under
    /// this freeze's id; storing the summary then makes them the statement's, in one step.
    func freeze(_ accountID: AccountID, month: BillingMonth, by actor: ChangeActor = ChangeActor(.system, id: "statements")) async throws -> FrozenStatement {
        let now = clock.now()
        let (statement, names) = try await compute(accountID, month: month, asOf: max(now, month.end))
        let summary = StatementResource(statement, state: .frozen, frozenAt: now, names: names)
        let freezeID = ids.nextBody()
        let lines = try statement.lines.map { line in
            let resource = StatementLineResource(line)
            return FrozenLine(id: line.id, body: try APIJSON.encodeToString(resource), csvRow: StatementCSV.row(resource, of: summary))
        }
        let summaryText = try APIJSON.encodeToString(summary)
        let event = try EventFactory(ids: ids).event(.statementFrozen, accountID: accountID, object: summary, cause: ChangeCause(actor: actor), at: now)
        do {
            for start in stride(from: 0, to: lines.count, by: Self.linesPerUnitOfWork) {
                let chunk = Array(lines[start..<min(start + Self.linesPerUnitOfWork, lines.count)])
                try await store.transaction { tx in try await tx.statements.insertLines(chunk, accountID: accountID, month: month, freezeID: freezeID) }
            }
            return try await store.transaction { tx in
                if try await tx.statements.freeze(accountID: accountID, month: month, freezeID: freezeID, summary: summaryText, at: now) {
                    try await tx.events.append([event])
                    try await tx.statements.deleteLines(accountID: accountID, month: month, otherThan: freezeID)
                } else {
                    try await tx.statements.deleteLines(accountID: accountID, month: month, freezeID: freezeID)
                }
                guard let frozen = try await tx.statements.frozen(accountID: accountID, month: month) else {
                    throw StoreError.corruptRow(table: "statements", column: "month", value: month.description)
                }
                return frozen
            }
        } catch {
            try? await store.transaction { tx in try await tx.statements.deleteLines(accountID: accountID, month: month, freezeID: freezeID) }
            throw error
        }
    }

    /// Lines one unit of work of a freeze writes.
    static let linesPerUnitOfWork = 5_000

    /// The statement as it stands at `asOf`, with the names of its tariffs.
    func compute(_ accountID: AccountID, month: BillingMonth, asOf: Date) async throws -> (Statement, [Int: String]) {
        let (inputs, names) = try await store.read { tx in
            // Periods come grouped by SIM; usage and bundle changes are matched to them.
            let found = try await tx.simPeriods.periods(accountID: accountID, from: month.start, to: month.end)
            var usage = try await tx.usage.monthlyBytes(accountID: accountID, month: month)
            var changes = Dictionary(grouping: try await tx.sims.bundleChanges(accountID: accountID, from: month.start, to: month.end), by: \.simID)
            var sims: [StatementSim] = []
            sims.reserveCapacity(found.count)
            var index = found.startIndex
            while index < found.endIndex {
                let (first, iccid) = found[index]
                var end = index + 1
                while end < found.endIndex, found[end].period.simID == first.simID { end += 1 }
                let simID = first.simID
                sims.append(StatementSim(
                    simID: simID, iccid: iccid, periods: found[index..<end].map(\.period), usedBytes: usage.removeValue(forKey: simID) ?? 0,
                    bundleChanges: changes.removeValue(forKey: simID) ?? []
                ))
                index = end
            }
            // Usage or bundle changes of a SIM with no period of the account's in the month
            // (it should not happen; if it does, the line shows it rather than losing it).
            let strays = Set(usage.keys).union(changes.keys)
            for (id, sim) in try await tx.sims.find(ids: Array(strays), accountID: nil) {
                sims.append(StatementSim(simID: id, iccid: sim.iccid, periods: [], usedBytes: usage[id] ?? 0, bundleChanges: changes[id] ?? []))
            }
            let split = Set(sims.filter(\.needsDailyUsage).map(\.simID))
            let daily = try await tx.usage.dailyBytes(accountID: accountID, sims: split, month: month)
            for position in sims.indices where split.contains(sims[position].simID) { sims[position].dailyBytes = daily[sims[position].simID] ?? [:] }

            var prices: [Int: [TariffPrice]] = [:], names: [Int: String] = [:]
            for number in Set(found.compactMap(\.period.terms.tariffNumber)) {
                prices[number] = try await tx.tariffs.prices(of: number)
                names[number] = try await tx.tariffs.find(number)?.name
            }
            return (StatementInputs(accountID: accountID, month: month, asOf: asOf, sims: sims, prices: prices), names)
        }
        do {
            return (try StatementCalculator.statement(inputs), names)
        } catch let tooLarge as StatementTooLarge {
            throw DomainError(
                .conflict, code: "amount_out_of_range",
                message: "The statement's \(tooLarge.item) passes what a 64-bit \(tooLarge.quantity) holds; the prices or usage behind it are beyond any real bill."
            )
        }
    }

    private static func summary(_ frozen: FrozenStatement) throws -> StatementResource {
        try APIJSON.decode(StatementResource.self, from: frozen.summary)
    }
}
