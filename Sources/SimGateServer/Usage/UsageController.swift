import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// `POST /v1/usage_records` (bulk usage from elsewhere) and `GET /v1/sims/{id}/usage` (totals).
struct UsageController: Sendable {
    let sims: SimOperations
    let idempotency: IdempotencyLayer

    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("usage_records", use: idempotency.wrap(ingest))
        group.get("sims/{id}/usage", use: totals)
    }

    /// Keeps every valid record and reports each invalid one; a record already received
    /// (same sender id) counts as a duplicate and changes nothing.
    @Sendable func ingest(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(UsageRecordsRequest.self, from: request)
        var errors: [DomainError] = []
        var valid: [(Int, ValidUsageRecord)] = []
        for (index, input) in body.records.enumerated() {
            switch input.validated(index: index) {
            case .success(let record): valid.append((index, record))
            case .failure(let error): errors.append(error)
            }
        }
        let cause = principal.cause(reason: "usage import")
        let (accepted, duplicates, missing) = try await sims.database.transaction { db -> (Int, Int, [DomainError]) in
            var accepted = 0, duplicates = 0
            var missing: [DomainError] = []
            var found: [SimReference: Sim] = [:]
            let recorder = UsageRecorder(sims: sims)
            for (index, record) in valid {
                var sim: Sim
                if let known = found[record.sim] {
                    sim = known
                } else {
                    do {
                        sim = try await sims.load(record.sim, visibleAccountID: principal.visibleAccountID, on: db)
                    } catch let error as DomainError where error.kind == .notFound {
                        missing.append(DomainError(.notFound, code: "resource_missing", message: "No such SIM.", param: "records[\(index)].sim"))
                        continue
                    }
                }
                let stored = UsageRecord(
                    id: sims.ids.nextBody(), simID: sim.id, accountID: sim.accountID, source: "api", senderID: "\(principal.account.id):\(record.senderID)",
                    sessionID: nil, startedAt: record.startedAt, endedAt: record.endedAt, bytesUp: record.bytesUp, bytesDown: record.bytesDown,
                    mccMNC: record.mccMNC, imei: record.imei?.digits
                )
                if try await recorder.record(stored, sim: &sim, cause: cause, on: db) { accepted += 1 } else { duplicates += 1 }
                found[record.sim] = sim
            }
            return (accepted, duplicates, missing)
        }
        let problems = (errors + missing).sorted { ($0.param ?? "") < ($1.param ?? "") }
        return try APIResponse(UsageImportResource(accepted: accepted, duplicates: duplicates, problems: problems))
    }

    @Sendable func totals(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["granularity", "from", "to"])
        let granularity = query["granularity"] ?? "day"
        guard granularity == "day" || granularity == "month" else {
            throw APIError.invalid("invalid_value", "'granularity' is day or month.", param: "granularity")
        }
        let sim = try await sims.find(try SimReference(parsing: try context.parameters.require("id")), visibleAccountID: principal.visibleAccountID)
        let from = try query.date("from") ?? Date(timeIntervalSince1970: 0)
        let to = try query.date("to") ?? Date(timeIntervalSince1970: 253_402_300_799)
        let (fromKey, toKey) = (UsageStore.periods(of: from), UsageStore.periods(of: to))
        let months = granularity == "month"
        let rows = try await sims.database.read {
            try await UsageStore().totals(simID: sim.id, months: months, from: months ? fromKey[1] : fromKey[0], to: months ? toKey[1] : toKey[0], on: $0)
        }
        let data = rows.map { UsageTotalResource(period: $0.period, bytesUp: $0.up, bytesDown: $0.down) }
        return try APIResponse(ListResource(url: "/v1/sims/\(sim.id)/usage", data: data, hasMore: false))
    }
}

/// What a bulk usage request did.
struct UsageImportResource: Codable, Equatable, Sendable {
    struct Problem: Codable, Equatable, Sendable {
        let code: String
        let detail: String
        let param: String?
    }

    let object: String
    let accepted: Int
    let duplicates: Int
    let rejected: Int
    let errors: [Problem]

    init(accepted: Int, duplicates: Int, problems: [DomainError]) {
        object = "usage_import"
        self.accepted = accepted
        self.duplicates = duplicates
        rejected = problems.count
        errors = problems.map { Problem(code: $0.code, detail: $0.message, param: $0.param) }
    }
}

/// Bytes used by one SIM in one day (`2026-11-22`) or month (`2026-11`), UTC.
struct UsageTotalResource: Codable, Equatable, Sendable {
    let object: String
    let period: String
    let bytesUp: UInt64
    let bytesDown: UInt64

    enum CodingKeys: String, CodingKey {
        case object, period
        case bytesUp = "bytes_up"
        case bytesDown = "bytes_down"
    }

    init(period: String, bytesUp: UInt64, bytesDown: UInt64) {
        object = "usage_total"
        self.period = period
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
    }
}
