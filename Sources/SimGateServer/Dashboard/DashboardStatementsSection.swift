import Foundation
import HTTPTypes
import Hummingbird
import SimGateCore

/// The costs pages: `GET /statements?month=YYYY-MM[&account=]` shows a month's statement
/// (totals, tariffs, savings by hold cause, lines 100 a page) and `GET /statements.csv` sends
/// the same CSV file as `GET /v1/statements?format=csv`, with the browser's session instead of
/// a key. Statements come from ``StatementService`` exactly as the API reads them, so a
/// frozen month shows the stored figures; a customer reads only its own account (another's
/// is 404), the operator picks one.
struct DashboardStatementsSection: DashboardSection {
    /// Computes, freezes and reads statements.
    let statements: StatementService
    /// The operator's choice of account.
    let directory: DashboardOperatorAccountDirectory

    /// Registers the statement page and its CSV download.
    func addRoutes(to routes: DashboardRoutes) {
        let pages = routes.pages
        routes.page("statements") { request, signedIn in
            try await page(request, signedIn: signedIn, pages: pages)
        }
        routes.page("statements.csv") { request, signedIn in
            try await csv(request, signedIn: signedIn)
        }
    }

    /// `GET /statements`: the picker, and the statement once an account and month are known.
    func page(_ request: Request, signedIn: SignedIn, pages: DashboardPages) async throws -> Response {
        let parameters = request.firstQueryValues
        let now = statements.clock.now()
        let (account, month) = try Self.choice(parameters, principal: signedIn.principal, now: now)
        var content: [String: Any] = ["month": month.description, "isOperator": signedIn.principal.isOperator, "hasAccount": account != nil]
        if signedIn.principal.isOperator {
            content["accountChoices"] = DashboardOperatorAccountDirectory.choices(try await directory.all(), selected: account)
        }
        var status = HTTPResponse.Status.ok
        if let account {
            // Links name the account only for the operator; a customer's is always its own.
            let named = signedIn.principal.isOperator ? account : nil
            let query = Self.query(account: named, month: month)
            content["csvLink"] = "/statements.csv?" + query
            content["previousLink"] = "/statements?" + Self.query(account: named, month: month.previous)
            if month < BillingMonth(containing: now) { content["nextLink"] = "/statements?" + Self.query(account: named, month: month.next) }
            do {
                let view = try await statements.statement(of: account, month: month)
                let after = parameters["after"].flatMap { $0.isEmpty ? nil : $0 }
                let (lines, hasMore) = try await statements.lines(of: view, after: after, limit: DashboardStatementContent.linesPerPage)
                content.merge(DashboardStatementContent.values(view.summary, lines: lines)) { $1 }
                if hasMore, let last = lines.last {
                    content["nextLines"] = "/statements?" + query + "&" + FormEncoding.query([("after", last.id)])
                }
            } catch let error as DomainError where error.code == "month_out_of_range" {
                // The picker stays, so another month is one click away.
                content["problem"] = error.message
                status = .badRequest
            }
        }
        return pages.page("statements", content, frame: signedIn.frame("Costs", current: "statements"), status: status)
    }

    /// `GET /statements.csv`: every line as the API's CSV, as a download.
    func csv(_ request: Request, signedIn: SignedIn) async throws -> Response {
        let (chosen, month) = try Self.choice(request.firstQueryValues, principal: signedIn.principal, now: statements.clock.now())
        guard let account = chosen else {
            throw APIError.invalid("parameter_missing", "The operator names the account whose statement to read.", param: "account")
        }
        let document = try await statements.csv(of: try await statements.statement(of: account, month: month))
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"statement-\(account.rawValue)-\(month).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document)))
    }

    /// The account and month asked for. A customer always reads its own account (naming
    /// another is 404, as in the API); the operator's is `nil` until it picks one. The month is
    /// the current one unless `month` names another.
    static func choice(_ parameters: [String: String], principal: Principal, now: Date) throws -> (AccountID?, BillingMonth) {
        var month = BillingMonth(containing: now)
        if let text = parameters["month"], !text.isEmpty {
            guard let named = BillingMonth(text) else { throw APIError.invalid("invalid_month", "'month' is YYYY-MM, such as 2026-11.", param: "month") }
            month = named
        }
        let text = parameters["account"].flatMap { $0.isEmpty ? nil : $0 }
        let named = text.flatMap(AccountID.init(parsing:))
        if text != nil, named == nil { throw DomainError.notFound("account", param: "account") }
        if principal.isOperator { return (named, month) }
        return (try principal.resolveAccount(named, param: "account"), month)
    }

    private static func query(account: AccountID?, month: BillingMonth) -> String {
        FormEncoding.query((account.map { [("account", $0.rawValue)] } ?? []) + [("month", month.description)])
    }
}
