import Foundation
import SimGateCore
import SimGateStore

/// The SIM list page: one search box for any identifier (ICCID, IMSI, MSISDN or IMEI), a
/// status and a label filter, newest first, 50 a page, paged by the last SIM's id (no offsets).
struct DashboardSimList: Sendable {
    /// Lists SIMs as the API does.
    let sims: SimService

    /// SIMs on a page.
    static let pageSize = 50

    /// The page's template values for `principal` and the query `parameters`.
    func content(for principal: Principal, parameters: [String: String]) async throws -> [String: Any] {
        let q = (parameters["q"] ?? "").filter { !$0.isWhitespace }
        let status = parameters["status"].flatMap { SimStatus(rawValue: $0) }
        let label = parameters["label"].flatMap { $0.isEmpty ? nil : $0 }
        let after = parameters["after"].flatMap { SimID(parsing: $0) }
        var base = SimFilter(accountID: principal.visibleAccountID, statuses: status.map { [$0] } ?? [], label: label)
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
        let rows = found.prefix(Self.pageSize).map { sim -> [String: Any] in
            var row: [String: Any] = [
                "iccid": sim.iccid.digits, "status": sim.status.rawValue, "key": sim.status.rawValue.lowercased(), "imsi": sim.imsi.digits,
                "msisdn": sim.msisdn?.digits ?? "", "labels": sim.labels.values.sorted().joined(separator: ", "),
            ]
            // Mustache shows a section for any string, even an empty one: leave it out instead.
            if !sim.state.holds.isEmpty { row["holds"] = sim.state.holdCauses.map(\.description).joined(separator: ", ") }
            return row
        }
        var content: [String: Any] = [
            "q": q, "label": label ?? "", "sims": rows, "hasSims": !rows.isEmpty,
            "heading": q.isEmpty ? "Newest first" : "Matching “\(q)”",
            "statusOptions": SimStatus.allCases.map { ["value": $0.rawValue, "selected": $0 == status] },
        ]
        if let problem { content["problem"] = problem }
        if hasMore || found.count > Self.pageSize, let last = rows.isEmpty ? nil : found[min(found.count, Self.pageSize) - 1] {
            var query = URLComponents()
            query.queryItems = [("q", q), ("status", status?.rawValue ?? ""), ("label", label ?? ""), ("after", last.id.rawValue)]
                .filter { !$0.1.isEmpty }.map { URLQueryItem(name: $0.0, value: $0.1) }
            content["next"] = "/sims?" + (query.percentEncodedQuery ?? "")
        }
        return content
    }
}
