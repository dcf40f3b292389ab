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

    /// A statement to show: frozen (its lines are read from storage a page at a time), or
    /// computed now with every line.
    enum View: Sendable {
        /// Stored; the same whenever asked.
        case frozen(StatementResource)
        /// Computed for this request.
        case computed(StatementResource, [StatementLineResource])

        /// The summary, without lines.
        var summary: StatementResource {
            switch self {
            case .frozen(let summary), .computed(let summary, _): summary
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
            guard month >= BillingMonth(containing: account.createdAt), month <= current else {
                throw DomainError(
                    .invalid, code: "month_out_of_range",
                    message: "'month' must be from the account's first month (\(BillingMonth(containing: account.createdAt))) to the current one (\(current)).",
                    param: "month"
                )
            }
            return try await tx.statements.frozen(accountID: accountID, month: month)
        }
        if let frozen { return .frozen(try Self.summary(frozen)) }
        if month < current, now >= month.end.addingTimeInterval(settings.freezeAfter) {
            return .frozen(try Self.summary(try await freeze(accountID, month: month)))
        }
        let (statement, names) = try await compute(accountID, month: month, asOf: now)
        return .computed(
            StatementResource(statement, state: month == current ? .open : .closing, frozenAt: nil, names: names),
            statement.lines.map(StatementLineResource.init)
        )
    }

    /// Up to `limit` lines of `view` after the line `after`.
    func lines(of view: View, after: String?, limit: Int) async throws -> (lines: [StatementLineResource], hasMore: Bool) {
        switch view {
        case .computed(_, let all):
            let rest = all.drop { after != nil && $0.id <= after! }
            return (Array(rest.prefix(limit)), rest.count > limit)
        case .frozen(let summary):
            let (account, month) = (AccountID(trusted: summary.account), BillingMonth(summary.month)!)
            let rows = try await store.read { tx in try await tx.statements.lines(accountID: account, month: month, after: after, limit: limit + 1) }
            return (try rows.prefix(limit).map { try APIJSON.decode(StatementLineResource.self, from: $0.body) }, rows.count > limit)
        }
    }

    /// Every line of `view`, in order.
    func allLines(of view: View) async throws -> [StatementLineResource] {
        var all: [StatementLineResource] = []
        while true {
            let (page, hasMore) = try await lines(of: view, after: all.last?.id, limit: 10_000)
            all += page
            if !hasMore { return all }
        }
    }

    /// Freezes the account's statement for the closed `month` (if no one has yet) and returns
    /// the frozen copy; the first freeze writes a `statement.frozen` event.
    func freeze(_ accountID: AccountID, month: BillingMonth, by actor: ChangeActor = ChangeActor(.system, id: "statements")) async throws -> FrozenStatement {
        let now = clock.now()
        let (statement, names) = try await compute(accountID, month: month, asOf: max(now, month.end))
        let summary = StatementResource(statement, state: .frozen, frozenAt: now, names: names)
        let lines = try statement.lines.map { ($0.id, try APIJSON.encodeToString(StatementLineResource($0))) }
        let summaryText = try APIJSON.encodeToString(summary)
        let event = try EventFactory(ids: ids).event(.statementFrozen, accountID: accountID, object: summary, cause: ChangeCause(actor: actor), at: now)
        return try await store.transaction { tx in
            if try await tx.statements.freeze(accountID: accountID, month: month, summary: summaryText, lines: lines, at: now) {
                try await tx.events.append([event])
            }
            guard let frozen = try await tx.statements.frozen(accountID: accountID, month: month) else {
                throw StoreError.corruptRow(table: "statements", column: "month", value: month.description)
            }
            return frozen
        }
    }

    /// The statement as it stands at `asOf`, with the names of its tariffs.
    func compute(_ accountID: AccountID, month: BillingMonth, asOf: Date) async throws -> (Statement, [Int: String]) {
        let (inputs, names) = try await store.read { tx in
            let found = try await tx.simPeriods.periods(accountID: accountID, from: month.start, to: month.end)
            let periods = found.map(\.period)
            var iccids = Dictionary(found.map { ($0.period.simID, $0.iccid) }, uniquingKeysWith: { first, _ in first })
            var prices: [Int: [TariffPrice]] = [:], names: [Int: String] = [:]
            for number in Set(periods.compactMap(\.terms.tariffNumber)) {
                prices[number] = try await tx.tariffs.prices(of: number)
                names[number] = try await tx.tariffs.find(number)?.name
            }
            let monthly = try await tx.usage.monthlyBytes(accountID: accountID, month: month)
            let daily = try await tx.usage.dailyBytes(accountID: accountID, sims: StatementInputs.simsNeedingDailyUsage(periods), month: month)
            let changes = try await tx.sims.bundleChanges(accountID: accountID, from: month.start, to: month.end)
            let unnamed = Set(monthly.keys).union(changes.map(\.simID)).subtracting(iccids.keys)
            for (id, sim) in try await tx.sims.find(ids: Array(unnamed), accountID: nil) { iccids[id] = sim.iccid }
            let inputs = StatementInputs(
                accountID: accountID, month: month, asOf: asOf, periods: periods, iccids: iccids, prices: prices,
                monthlyUsage: monthly, dailyUsage: daily, bundleChanges: changes
            )
            return (inputs, names)
        }
        do {
            return (try StatementCalculator.statement(inputs), names)
        } catch let tooLarge as StatementTooLarge {
            throw DomainError(
                .conflict, code: "amount_out_of_range",
                message: "The statement's \(tooLarge.item) passes what a 64-bit amount holds; the prices or usage behind it are beyond any real bill."
            )
        }
    }

    private static func summary(_ frozen: FrozenStatement) throws -> StatementResource {
        try APIJSON.decode(StatementResource.self, from: frozen.summary)
    }
}
