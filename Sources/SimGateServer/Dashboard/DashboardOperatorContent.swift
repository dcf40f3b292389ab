import Foundation
import SimGateCore
import SimGateStore

/// What the operator's pages show, read through the services the API uses: accounts a
/// page at a time, an account's keys (never a secret: only the redacted form the API lists),
/// tariffs with every price they have had, and the stock import form.
struct DashboardOperatorContent: Sendable {
    /// Accounts and their keys.
    let accounts: AccountService
    /// Tariffs and their prices.
    let tariffs: TariffService
    /// Every account, for the import form's choice.
    let directory: DashboardOperatorAccountDirectory

    /// Accounts or keys on a page.
    static let rowsPerPage = PageRequest.maximumLimit
    /// Largest pasted file sent back into the form after a refusal, in bytes; a bigger one is
    /// chosen again rather than echoed.
    static let largestEchoedCSV = 1_024 * 1_024

    /// `/operator`: accounts (paged by `after`), tariffs, and the import form.
    func home(_ signedIn: SignedIn, parameters: [String: String]) async throws -> [String: Any] {
        let after = parameters["after"].flatMap(AccountID.init(parsing:))
        let page = try await accounts.list(PageRequest(limit: Self.rowsPerPage, startingAfter: after?.rawValue))
        var values = try await importForm(signedIn, selected: nil, csv: "")
        values["accounts"] = page.items.map { account -> [String: Any] in
            [
                "id": account.id.rawValue, "name": account.name, "role": account.role.rawValue,
                "created": RFC3339.string(from: account.createdAt), "createdText": DashboardFormat.time(account.createdAt),
            ]
        }
        if page.hasMore, let last = page.items.last { values["nextAccounts"] = "/operator?after=\(last.id)" }
        let tariffRows = try await tariffRows()
        values["tariffs"] = tariffRows
        values["hasTariffs"] = !tariffRows.isEmpty
        if let notice = DashboardNotice.text(parameters["notice"]) { values["notice"] = notice }
        if let imported = parameters["imported"].flatMap({ Int($0) }) {
            values["notice"] = imported == 1 ? "Imported 1 SIM." : "Imported \(imported) SIMs."
        }
        return values
    }

    /// `/operator/accounts/{id}`: the account and its keys (paged by `after`).
    func account(_ id: AccountID, signedIn: SignedIn, parameters: [String: String]) async throws -> [String: Any] {
        guard let account = try await accounts.find(id) else { throw DomainError.notFound("account") }
        let after = parameters["after"].flatMap(APIKeyID.init(parsing:))
        let keys = try await accounts.listKeys(accountID: id, PageRequest(limit: Self.rowsPerPage, startingAfter: after?.rawValue))
        let canChange = !signedIn.readOnly
        var values: [String: Any] = [
            "id": account.id.rawValue, "name": account.name, "role": account.role.rawValue,
            "created": RFC3339.string(from: account.createdAt), "createdText": DashboardFormat.time(account.createdAt),
            "interim": account.radiusInterimInterval.map { "\($0) seconds" } ?? "the server's default",
            "isCustomer": account.role == .customer, "canChange": canChange, "csrf": signedIn.session.csrfToken,
            "hasKeys": !keys.items.isEmpty,
            "keys": keys.items.map { key -> [String: Any] in
                var row: [String: Any] = [
                    "id": key.id.rawValue, "name": key.name, "redacted": key.redactedSecret, "scope": key.scope.rawValue.replacingOccurrences(of: "_", with: "-"),
                    "created": RFC3339.string(from: key.createdAt), "createdText": DashboardFormat.time(key.createdAt),
                    "canRevoke": canChange && key.revokedAt == nil,
                ]
                if let revoked = key.revokedAt {
                    row["revoked"] = RFC3339.string(from: revoked)
                    row["revokedText"] = DashboardFormat.time(revoked)
                }
                return row
            },
            "scopeOptions": APIKey.Scope.allCases.map { ["value": $0.rawValue, "label": $0 == .full ? "Full: reads and changes" : "Read-only: reads only"] },
        ]
        if keys.hasMore, let last = keys.items.last { values["nextKeys"] = "/operator/accounts/\(id)?after=\(last.id)" }
        if let notice = DashboardNotice.text(parameters["notice"]) { values["notice"] = notice }
        return values
    }

    /// The stock import form's values: accounts to import into, and `csv` back in the box
    /// when it is small enough to send back.
    func importForm(_ signedIn: SignedIn, selected: AccountID?, csv: String) async throws -> [String: Any] {
        var values: [String: Any] = [
            "canChange": !signedIn.readOnly, "csrf": signedIn.session.csrfToken,
            "importAccounts": DashboardOperatorAccountDirectory.choices(try await directory.all(), selected: selected),
        ]
        if csv.utf8.count <= Self.largestEchoedCSV { values["csv"] = csv } else { values["csvTooLargeToShow"] = true }
        return values
    }

    /// Every tariff with each price it has had, amounts in their currency.
    private func tariffRows() async throws -> [[String: Any]] {
        var rows: [[String: Any]] = []
        for tariff in try await tariffs.list(visibleAccountID: nil) {
            let prices = try await tariffs.prices(tariff.number, visibleAccountID: nil)
            rows.append([
                "number": tariff.number, "name": tariff.name, "kind": tariff.kind.rawValue, "accounts": tariff.accounts.count,
                "prices": prices.map(Self.priceText), "hasPrices": !prices.isEmpty,
            ])
        }
        return rows
    }

    /// One price as a sentence: `From 2027-01-01 00:00:00 UTC: LIVE 9.00 EUR, OFFLINE 1.00 EUR a month; 100 MB included, 0.02 EUR per MB beyond`.
    private static func priceText(_ price: TariffPrice) -> String {
        let money = { (amount: Int64) in DashboardStatementFigures.money(amount, currency: price.currency) }
        let fees = SimStatus.allCases.compactMap { status in price.monthlyFees[status].map { "\(status.rawValue) \(money($0))" } }
        var text = "From \(DashboardFormat.time(price.effectiveFrom)): "
        text += fees.isEmpty ? "no monthly fee" : fees.joined(separator: ", ") + " a month"
        text += "; \(DashboardFormat.bytes(price.includedBytes)) included\(price.dataPooled ? " (pooled)" : ""), \(money(price.dataPricePerMB)) per MB beyond"
        if let bundle = price.bundlePrice { text += "; bundle \(money(bundle))" }
        if let topUp = price.topUpPricePerMB { text += "; top-up \(money(topUp)) per MB" }
        return text
    }
}
