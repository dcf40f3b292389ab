import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// The SIM list page: one search box for any identifier (ICCID, IMSI, MSISDN or IMEI), filters
/// by status, label, country and tariff, newest first, 50 a page, paged by the last SIM's id
/// (no offsets, so the thousandth page costs what the first does); and activate or suspend,
/// with a reason, of the SIMs ticked on the page.
struct DashboardSimList: Sendable {
    /// Lists SIMs and applies bulk actions as the API does.
    let sims: SimService

    /// SIMs on a page.
    static let pageSize = 50

    /// The page's template values for `signedIn` and the query `parameters`.
    func content(for signedIn: SignedIn, parameters: [String: String]) async throws -> [String: Any] {
        let principal = signedIn.principal
        let q = (parameters["q"] ?? "").filter { !$0.isWhitespace }
        let status = parameters["status"].flatMap { SimStatus(rawValue: $0) }
        let label = parameters["label"].flatMap { $0.isEmpty ? nil : $0 }
        let country = parameters["country"].flatMap { $0.count == 2 ? $0.uppercased() : nil }
        let tariff = parameters["tariff"].flatMap { Int($0) }
        let after = parameters["after"].flatMap { SimID(parsing: $0) }
        var base = SimFilter(accountID: principal.visibleAccountID, statuses: status.map { [$0] } ?? [], label: label)
        base.country = country
        base.tariffNumber = tariff
        var filters: [SimFilter] = []
        var problem: String?
        if q.isEmpty {
            filters = [base]
        } else {
            // Digits can name more than one kind of identifier (IMSI and IMEI are both 15): try each.
            if let iccid = try? ICCID(q) { base.iccid = iccid; filters.append(base); base.iccid = nil }
            if let imsi = try? IMSI(q) { base.imsi = imsi; filters.append(base); base.imsi = nil }
            if let msisdn = try? MSISDN(q) { base.msisdn = msisdn; filters.append(base); base.msisdn = nil }
            if let imei = try? IMEI(q) { base.imei = imei; filters.append(base); base.imei = nil }
            if filters.isEmpty { problem = "“\(q)” is not an ICCID, IMSI, MSISDN or IMEI." }
        }
        var found: [Sim] = [], hasMore = false
        for filter in filters {
            let page = try await sims.list(filter, PageRequest(limit: Self.pageSize, startingAfter: after?.rawValue))
            found += page.items.filter { sim in !found.contains { $0.id == sim.id } }
            hasMore = hasMore || page.hasMore
        }
        found.sort { $0.id > $1.id }
        let shown = Array(found.prefix(Self.pageSize))
        let rows = shown.map { sim -> [String: Any] in
            var row: [String: Any] = [
                "id": sim.id.rawValue, "iccid": sim.iccid.digits, "status": sim.status.rawValue, "key": sim.status.rawValue.lowercased(),
                "imsi": sim.imsi.digits, "msisdn": sim.msisdn?.digits ?? "", "labels": sim.labels.values.sorted().joined(separator: ", "),
                "country": sim.lastSeen?.country ?? "", "tariff": sim.tariffNumber.map(String.init) ?? "",
            ]
            // Mustache shows a section for any string, even an empty one: leave it out instead.
            if !sim.state.holds.isEmpty { row["holds"] = sim.state.holdCauses.map(\.description).joined(separator: ", ") }
            return row
        }
        var content: [String: Any] = [
            "q": q, "label": label ?? "", "country": country ?? "", "tariff": tariff.map(String.init) ?? "",
            "sims": rows, "hasSims": !rows.isEmpty, "canAct": !signedIn.readOnly && !rows.isEmpty, "csrf": signedIn.session.csrfToken,
            "heading": q.isEmpty ? "Newest first" : "Matching “\(q)”",
            "statusOptions": SimStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == status] },
            "returnTo": "/sims" + Self.query(q: q, status: status, label: label, country: country, tariff: tariff, after: after),
        ]
        if let notice = Self.bulkNotice(parameters) { content["notice"] = notice }
        if let problem { content["problem"] = problem }
        if hasMore || found.count > Self.pageSize, let last = shown.last {
            content["next"] = "/sims" + Self.query(q: q, status: status, label: label, country: country, tariff: tariff, after: last.id)
        }
        return content
    }

    /// `POST /sims/bulk`: `action` (activate or suspend) with a `reason` on each ticked `sim`
    /// (their ICCIDs); each SIM succeeds or fails alone, and the list says how many did. The
    /// form is read as the API reads `POST /v1/sims/bulk` (batch size, duplicates, ICCIDs,
    /// the reason's length), so it refuses what the API refuses.
    func bulk(signedIn: SignedIn, form: FormBody) async throws -> Response {
        let request = try JSONBody.decode(BulkSimRequest.self, from: try FormBody.json([
            "action": form["action"] ?? "", "iccids": form.all("sim"), "reason": form.text("reason"),
        ]))
        guard request.action == .activate || request.action == .suspend else {
            throw DomainError(.invalid, code: "invalid_value", message: "Choose activate or suspend.", param: "action")
        }
        let principal = signedIn.principal
        let outcomes = try await sims.bulk(
            request.action, iccids: request.iccids, force: false, authority: principal.authority, accountID: nil,
            visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: request.reason)
        )
        let failed = outcomes.filter { if case .failure = $0.result { true } else { false } }.count
        var back = form["return_to"].flatMap { $0.hasPrefix("/sims") && !$0.hasPrefix("//") ? $0 : nil } ?? "/sims"
        back += (back.contains("?") ? "&" : "?") + "bulk=\(request.action.rawValue)&done=\(outcomes.count - failed)&failed=\(failed)"
        return DashboardController.redirect(to: back)
    }

    /// What the last bulk action did, from the numbers it sent back (numbers only, so a link
    /// cannot make the page say anything else).
    static func bulkNotice(_ parameters: [String: String]) -> String? {
        guard let action = parameters["bulk"].flatMap(BulkSimAction.init(rawValue:)), action == .activate || action == .suspend,
              let done = parameters["done"].flatMap({ Int($0) }), let failed = parameters["failed"].flatMap({ Int($0) })
        else { return nil }
        let verb = action == .activate ? "Activated" : "Suspended"
        return failed == 0 ? "\(verb) \(done) SIM(s)." : "\(verb) \(done) SIM(s); \(failed) could not be (see each SIM's page)."
    }

    private static func query(q: String, status: SimStatus?, label: String?, country: String?, tariff: Int?, after: SimID?) -> String {
        let text = FormEncoding.query([
            ("q", q), ("status", status?.rawValue ?? ""), ("label", label ?? ""), ("country", country ?? ""),
            ("tariff", tariff.map(String.init) ?? ""), ("after", after?.rawValue ?? ""),
        ].filter { !$0.1.isEmpty })
        return text.isEmpty ? "" : "?" + text
    }
}
