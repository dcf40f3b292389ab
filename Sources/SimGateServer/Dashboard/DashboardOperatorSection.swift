import Foundation
import Hummingbird
import SimGateCore

/// The operator's pages: accounts (create one; each account's keys, created with their
/// secret shown once and revoked), tariffs with their prices, and stock import from a CSV
/// file. Every page and form first requires an operator key (a customer gets the API's 403
/// `operator_only`), and each change goes through the service the API uses, with the same
/// checks and events.
struct DashboardOperatorSection: DashboardSection {
    /// Reads what the pages show.
    let content: DashboardOperatorContent
    /// Creates accounts and keys, revokes keys.
    let accounts: AccountService
    /// Imports SIMs from a CSV file.
    let stockImport: StockCSVImport

    /// Largest import form, in bytes: room for a CSV file of about 16 MiB once the browser has
    /// percent-encoded its commas and line ends.
    static let maximumImportFormBytes = 32 * 1_024 * 1_024

    /// Registers the operator's pages and forms.
    func addRoutes(to routes: DashboardRoutes) {
        let pages = routes.pages
        routes.page("operator") { request, signedIn in
            try signedIn.principal.requireOperator()
            let values = try await content.home(signedIn, parameters: request.firstQueryValues)
            return pages.page("operator", values, frame: signedIn.frame("Operator", current: "operator"))
        }
        routes.form("operator/accounts") { _, signedIn, form in
            try signedIn.principal.requireOperator()
            let name = form.text("name") ?? ""
            try RequestText.requireNonBlank(name, param: "name", maximumLength: Account.maximumNameLength)
            let account = try await accounts.createCustomer(name: name, cause: signedIn.principal.cause(reason: nil))
            return DashboardNotice.redirect(to: "/operator/accounts/\(account.id)", notice: "account-created")
        }
        routes.page("operator/accounts/{id}") { request, signedIn in
            try signedIn.principal.requireOperator()
            let values = try await content.account(try signedIn.pathID("id", "account") as AccountID, signedIn: signedIn, parameters: request.firstQueryValues)
            return pages.page("operator-account", values, frame: signedIn.frame("Account", current: "operator"))
        }
        routes.form("operator/accounts/{id}/keys") { request, signedIn, form in
            try signedIn.principal.requireOperator()
            return pages.page(
                "operator-key-created", try await createKey(for: try signedIn.pathID("id", "account") as AccountID, signedIn: signedIn, form: form),
                frame: signedIn.frame("Key created", current: "operator"), status: .created
            )
        }
        routes.form("operator/keys/{id}/revoke") { request, signedIn, _ in
            try signedIn.principal.requireOperator()
            let id: APIKeyID = try signedIn.pathID("id", "API key")
            let key = try await accounts.revokeKey(id, visibleAccountID: signedIn.principal.visibleAccountID, cause: signedIn.principal.cause(reason: nil))
            return DashboardNotice.redirect(to: "/operator/accounts/\(key.accountID)", notice: "key-revoked")
        }
        routes.form("operator/import", maximumBytes: Self.maximumImportFormBytes) { _, signedIn, form in
            try signedIn.principal.requireOperator()
            return try await importStock(signedIn: signedIn, form: form, pages: pages)
        }
    }

    /// Creates the key the form describes; the page shows its secret this once.
    private func createKey(for accountID: AccountID, signedIn: SignedIn, form: FormBody) async throws -> [String: Any] {
        let name = form.text("name") ?? ""
        try RequestText.requireNonBlank(name, param: "name", maximumLength: APIKey.maximumNameLength)
        guard let scope = APIKey.Scope(rawValue: form["scope"] ?? APIKey.Scope.full.rawValue) else {
            throw DomainError(.invalid, code: "invalid_value", message: "'scope' is full or read_only.", param: "scope")
        }
        let (key, secret) = try await accounts.createKey(for: accountID, name: name, scope: scope, cause: signedIn.principal.cause(reason: nil))
        return ["id": key.id.rawValue, "name": key.name, "scope": key.scope.rawValue, "secret": secret, "account": accountID.rawValue]
    }

    /// `POST /operator/import`: imports the pasted or chosen CSV; every problem is shown by line
    /// and nothing is imported, or the operator page says how many SIMs arrived.
    private func importStock(signedIn: SignedIn, form: FormBody, pages: DashboardPages) async throws -> Response {
        let text = form["csv"] ?? ""
        let accountID = try form.text("account").map { text in
            guard let id = AccountID(parsing: text) else { throw DomainError.notFound("account", param: "account") }
            return id
        }
        do {
            let count = try await stockImport.run(csv: text, accountID: accountID, cause: signedIn.principal.cause(reason: "dashboard import"), refusingEmpty: true)
            return DashboardController.redirect(to: "/operator?imported=\(count)#stock-import")
        } catch let error as DomainError where error.kind == .invalid || error.kind == .conflict {
            var values = try await content.importForm(signedIn, selected: accountID, csv: text)
            values["problem"] = error.message
            values["problems"] = Self.byLine(error.issues).map { issue in ["place": issue.param ?? "", "message": issue.message] }
            values["hasProblems"] = !error.issues.isEmpty
            return pages.page("operator-import", values, frame: signedIn.frame("Stock import", current: "operator"), status: APIError(error).status)
        }
    }

    /// `issues` in the file's order: their params read `line N: field`, which sort as text
    /// (line 12 before line 3) wherever else they are sorted.
    private static func byLine(_ issues: [DomainError]) -> [DomainError] {
        func line(_ issue: DomainError) -> Int {
            guard let param = issue.param, param.hasPrefix("line ") else { return 0 }
            return Int(param.dropFirst(5).prefix { $0.isNumber }) ?? 0
        }
        return issues.enumerated().sorted { (line($0.element), $0.offset) < (line($1.element), $1.offset) }.map(\.element)
    }
}
