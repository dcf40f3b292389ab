import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// `POST /v1/usage_records` (bulk usage from elsewhere), and usage totals for one SIM
/// (`GET /v1/sims/{id}/usage`) or a whole account (`GET /v1/usage`).
struct UsageController: Sendable {
    /// Finds SIMs by id or ICCID, as the caller may see them.
    let sims: SimService
    /// Reads sessions and usage totals.
    let usage: UsageService
    /// Replays a `POST /v1/usage_records` sent again with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the usage routes and `GET /v1/sims/{id}/sessions` on `group`.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("usage_records", use: idempotency.wrap(ingest))
        group.get("sims/{id}/usage", use: simTotals)
        group.get("usage", use: accountTotals)
        group.get("sims/{id}/sessions", use: sessions)
    }

    /// Keeps every valid record and reports each invalid one; a record already received
    /// (same sender id) counts as a duplicate and changes nothing.
    @Sendable func ingest(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(UsageRecordsRequest.self, from: request)
        var errors: [DomainError] = []
        var valid: [(position: Int, record: ValidUsageRecord)] = []
        for (index, input) in body.records.enumerated() {
            switch input.validated(index: index, now: sims.clock.now()) {
            case .success(let record): valid.append((index, record))
            case .failure(let error): errors.append(error)
            }
        }
        let outcome = try await UsageImport(sims: sims).store(
            valid, source: "api", senderScope: principal.account.id.rawValue,
            visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: "usage import")
        )
        let missing = outcome.missing.map {
            DomainError(.notFound, code: "resource_missing", message: "No such SIM.", param: "records[\($0)].sim")
        }
        let overflowing = outcome.overflowing.map {
            DomainError(
                .invalid, code: "total_out_of_range",
                message: "Adding this record would take the SIM's usage total for its day or month past 9223372036854775807 bytes; it was not stored.",
                param: "records[\($0)].bytes_up"
            )
        }
        let notHeld = outcome.notHeld.map {
            DomainError(
                .invalid, code: "sim_not_held", message: "The SIM was not this account's when the record ended; it was not stored.",
                param: "records[\($0)].ended_at"
            )
        }
        let problems = (errors + missing + overflowing + notHeld).sorted { ($0.param ?? "") < ($1.param ?? "") }
        return try APIResponse(UsageImportResource(accepted: outcome.accepted, duplicates: outcome.duplicates, problems: problems))
    }

    /// The SIM's RADIUS sessions, newest first; `open=true` keeps those with no Stop yet.
    @Sendable func sessions(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: ["open", "limit", "starting_after"])
        let openOnly: Bool
        switch query["open"] {
        case nil, "false": openOnly = false
        case "true": openOnly = true
        default: throw APIError.invalid("invalid_value", "'open' is true or false.", param: "open")
        }
        let limit = try query.limit()
        let sim = try await sims.find(try SimReference(parsing: try context.parameters.require("id")), visibleAccountID: principal.visibleAccountID)
        var startingAfter: SessionKey?
        if let cursor = query["starting_after"] {
            guard let key = SessionAPIID.key(from: cursor) else {
                throw APIError.invalid("invalid_cursor", "'starting_after' is a session's id (rsn_...).", param: "starting_after")
            }
            startingAfter = key
        }
        let (found, hasMore) = try await usage.sessions(
            of: sim.id, visibleAccountID: principal.visibleAccountID, openOnly: openOnly, limit: limit, startingAfter: startingAfter
        )
        return try APIResponse(ListResource(url: "/v1/sims/\(sim.id)/sessions", data: found.map(SessionResource.init), hasMore: hasMore))
    }

    /// `GET /v1/sims/{id}/usage`: the SIM's usage totals by day or month.
    @Sendable func simTotals(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: UsageTotalsParameters.names)
        let sim = try await sims.find(try SimReference(parsing: try context.parameters.require("id")), visibleAccountID: principal.visibleAccountID)
        // A customer sees its own usage of the SIM, never a former owner's.
        return try await totals(query, scope: .sim(sim.id), account: principal.visibleAccountID, url: "/v1/sims/\(sim.id)/usage")
    }

    /// A customer sees its own account; the operator sees every account, or one with `account`.
    @Sendable func accountTotals(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let own = principal.visibleAccountID
        let query = try QueryParameters(request, allowed: own == nil ? UsageTotalsParameters.names.union(["account"]) : UsageTotalsParameters.names)
        var scope = own.map(UsageTotalsQuery.Scope.account) ?? .everyone
        if let id = try query.account() { scope = .account(id) }
        return try await totals(query, scope: scope, account: nil, url: "/v1/usage")
    }

    private func totals(_ query: QueryParameters, scope: UsageTotalsQuery.Scope, account: AccountID?, url: String) async throws -> APIResponse {
        var totalsQuery = try UsageTotalsParameters(query).query(scope: scope)
        totalsQuery.account = account
        let rows: [UsageTotal]
        do {
            rows = try await usage.totals(totalsQuery)
        } catch let tooLarge as UsageTotalTooLarge {
            // No field of the request is at fault, so none is named; the advice leaves out what
            // was already asked (group_by=country was suggested to a request that sent it).
            let advice = totalsQuery.byCountry ? "ask per SIM (/v1/sims/{id}/usage)" : "ask per country (group_by=country) or per SIM"
            throw DomainError(
                .invalid, code: "total_out_of_range", message: "The usage total for \(tooLarge.period) passes 9223372036854775807 bytes; \(advice)."
            )
        }
        let data = rows.map { UsageTotalResource(period: $0.period, country: $0.country, byCountry: totalsQuery.byCountry, bytesUp: $0.up, bytesDown: $0.down) }
        return try APIResponse(ListResource(url: url, data: data, hasMore: false))
    }
}

/// The query of a usage totals request: `granularity` (day or month), `from` and `to` (RFC 3339
/// times, inclusive, cut to their UTC day or month), `country` (only that ISO country; `unknown`
/// for usage whose country is not known) and `group_by=country` (one row per country and period).
struct UsageTotalsParameters {
    /// The query parameters every totals request takes (the operator may add `account`).
    static let names: Set<String> = ["granularity", "from", "to", "country", "group_by"]
    /// Whether totals are by month rather than by day.
    let months: Bool
    /// Start of the range, inclusive; the Unix epoch when `from` is absent.
    let from: Date
    /// End of the range, inclusive; the last second of year 9999 when `to` is absent.
    let to: Date
    /// Only this ISO country; `""` for usage whose country is not known; nil for all.
    let country: String?
    /// Whether to give one row per country and period (`group_by=country`).
    let byCountry: Bool

    /// Reads and checks the parameters, refusing any bad value by name.
    init(_ query: QueryParameters) throws {
        switch query["granularity"] ?? "day" {
        case "day": months = false
        case "month": months = true
        default: throw APIError.invalid("invalid_value", "'granularity' is day or month.", param: "granularity")
        }
        let givenFrom = try query.date("from"), givenTo = try query.date("to")
        from = givenFrom ?? Date(timeIntervalSince1970: 0)
        to = givenTo ?? Date(timeIntervalSince1970: 253_402_300_799)
        // Only bounds both given can disagree: a lone `from` late in 9999 (or `to` before 1970)
        // was refused against a default no one sent; it selects nothing.
        if let givenFrom, let givenTo, givenFrom > givenTo {
            throw APIError.invalid("invalid_value", "'from' must not be after 'to'.", param: "from")
        }
        switch query["country"] {
        case nil: country = nil
        case "unknown": country = ""
        case let code?:
            // A country records may name: `ZZ` or `UK` found nothing, answered as no usage.
            guard CountryCodes.isCountryCode(code) else {
                throw APIError.invalid("invalid_value", "'country' is an ISO 3166-1 alpha-2 code such as DE, or unknown.", param: "country")
            }
            country = code
        }
        switch query["group_by"] {
        case nil: byCountry = false
        case "country": byCountry = true
        default: throw APIError.invalid("invalid_value", "'group_by' can only be country.", param: "group_by")
        }
    }

    /// The store query for `scope`, with `from` and `to` cut to their day or month key.
    func query(scope: UsageTotalsQuery.Scope) -> UsageTotalsQuery {
        let (fromKeys, toKeys) = (UsageRepository.periods(of: from), UsageRepository.periods(of: to))
        return UsageTotalsQuery(
            scope: scope, months: months, from: months ? fromKeys[1] : fromKeys[0], to: months ? toKeys[1] : toKeys[0],
            country: country, byCountry: byCountry
        )
    }
}

/// What a bulk usage request did.
struct UsageImportResource: Codable, Equatable, Sendable {
    /// One refused record: its error code, message and place (`records[i].field`).
    struct Problem: Codable, Equatable, Sendable {
        /// The error's machine-readable code.
        let code: String
        /// The error message, for people.
        let detail: String
        /// Where the problem is, such as `records[3].bytes_up`.
        let param: String?
    }

    /// Always `usage_import`.
    let object: String
    /// Records stored now.
    let accepted: Int
    /// Records received before (same sender id), left as they were.
    let duplicates: Int
    /// Records refused; `errors` says why.
    let rejected: Int
    /// Each refused record's problem, sorted by `param`.
    let errors: [Problem]

    /// The answer for a request whose refused records are `problems`, one each.
    init(accepted: Int, duplicates: Int, problems: [DomainError]) {
        object = "usage_import"
        self.accepted = accepted
        self.duplicates = duplicates
        rejected = problems.count
        errors = problems.map { Problem(code: $0.code, detail: $0.message, param: $0.param) }
    }
}

/// Bytes used in one day (`2026-11-22`) or month (`2026-11`), UTC; with `group_by=country`,
/// in one country of that period (`country` is null where the network was not known).
struct UsageTotalResource: Codable, Equatable, Sendable {
    /// Always `usage_total`.
    let object: String
    /// The day (`2026-11-22`) or month (`2026-11`), UTC.
    let period: String
    /// The country of this row; null for usage whose country is not known.
    let country: String?
    /// Whether the request grouped by country: only then is `country` written.
    let byCountry: Bool
    /// Bytes the SIMs sent (upload).
    let bytesUp: UInt64
    /// Bytes the SIMs received (download).
    let bytesDown: UInt64

    /// JSON names; `bytes_total` (up plus down) is written but has no property.
    enum CodingKeys: String, CodingKey {
        case object, period, country
        case bytesUp = "bytes_up"
        case bytesDown = "bytes_down"
        case bytesTotal = "bytes_total"
    }

    /// One row of totals; `byCountry` says whether `country` is written.
    init(period: String, country: String?, byCountry: Bool, bytesUp: UInt64, bytesDown: UInt64) {
        object = "usage_total"
        self.period = period
        self.country = country
        self.byCountry = byCountry
        self.bytesUp = bytesUp
        self.bytesDown = bytesDown
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        object = try container.decode(String.self, forKey: .object)
        period = try container.decode(String.self, forKey: .period)
        byCountry = container.contains(.country)
        country = try container.decodeIfPresent(String.self, forKey: .country)
        bytesUp = try container.decode(UInt64.self, forKey: .bytesUp)
        bytesDown = try container.decode(UInt64.self, forKey: .bytesDown)
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(object, forKey: .object)
        try container.encode(period, forKey: .period)
        if byCountry { try container.encode(country, forKey: .country) }
        try container.encode(bytesUp, forKey: .bytesUp)
        try container.encode(bytesDown, forKey: .bytesDown)
        try container.encode(bytesUp + bytesDown, forKey: .bytesTotal)
    }
}
