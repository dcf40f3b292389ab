import Foundation
import HTTPTypes
import Hummingbird
import SimGateCore

/// `GET /v1/statements`: an account's monthly statement, as JSON with a page of lines or as
/// CSV with all of them.
struct StatementsController: Sendable {
    /// Computes, freezes and reads statements.
    let statements: StatementService

    /// Registers the statement route on the authenticated API group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.get("statements", use: get)
    }

    /// `?account=&month=YYYY-MM` (the current month when left out); a customer reads its own
    /// account, the operator names one. `format=csv` answers every line as CSV; JSON pages the
    /// lines with `limit` and `starting_after` (a line's id).
    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> Response {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["account", "month", "format", "limit", "starting_after"])
        let named = try query.account()
        if principal.isOperator, named == nil {
            throw APIError.invalid("parameter_missing", "The operator names the account whose statement to read.", param: "account")
        }
        let account = try principal.resolveAccount(named, param: "account")
        let month = try query["month"].map { text in
            guard let month = BillingMonth(text) else { throw APIError.invalid("invalid_month", "'month' is YYYY-MM, such as 2026-11.", param: "month") }
            return month
        } ?? BillingMonth(containing: statements.clock.now())
        // `limit` and `format` are checked before the statement is worked out, whatever the
        // format: `limit` pages only JSON, but a bad one is refused with CSV too, and so is a
        // `starting_after` naming no line (it was ignored: CSV answers every line).
        let limit = try query.limit()
        let format = query["format"] ?? "json"
        guard format == "json" || format == "csv" else {
            throw APIError.invalid("invalid_value", "'format' is json or csv, not '\(format)'.", param: "format")
        }
        let view = try await statements.statement(of: account, month: month)

        if format == "json" {
            let (lines, hasMore) = try await statements.lines(of: view, after: query["starting_after"], limit: limit)
            var summary = view.summary
            summary.lines = ListResource(url: "/v1/statements", data: lines, hasMore: hasMore)
            return try APIResponse(summary).response(from: request, context: context)
        }
        if let after = query["starting_after"] { _ = try await statements.lines(of: view, after: after, limit: 1) }
        let document = try await statements.csv(of: view)
        var headers = HTTPFields()
        headers[.contentType] = "text/csv; charset=utf-8"
        headers[.contentDisposition] = "attachment; filename=\"statement-\(account.rawValue)-\(month).csv\""
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(string: document)))
    }
}
