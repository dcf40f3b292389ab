import Foundation
import Hummingbird
import SimGateCore
import SimGateStore

/// Supplies the `billing` section of a retrieved SIM: the payments feature implements it, so
/// SIMs need not know about payments.
protocol SimBillingSource: Sendable {
    /// The SIM's `billing` section, as JSON, read in `tx` (the SIM's own read).
    func billing(of simID: SimID, in tx: StoreTransaction) async throws -> JSONValue
}

/// `/v1/sims`: stock import, listing, updates, lifecycle actions and bulk actions.
struct SimsController: Sendable {
    /// The SIM operations the routes call.
    let operations: SimService
    /// Fills in `billing` when one SIM is retrieved.
    let billing: any SimBillingSource
    /// Reads the events for `GET /v1/sims/{id}/events`.
    let events: EventService
    /// Replays POSTs sent again with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the `/v1/sims` routes on `group`.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("sims/import", use: idempotency.wrap(importSims))
        group.post("sims/bulk", use: idempotency.wrap(bulk))
        group.get("sims", use: list)
        group.get("sims/{id}", use: get)
        group.post("sims/{id}", use: idempotency.wrap(update))
        group.post("sims/{id}/activate", use: idempotency.wrap(action { .activate(force: $0.force, by: $1) }))
        group.post("sims/{id}/suspend", use: idempotency.wrap(action { .suspend(by: $1) }))
        group.post("sims/{id}/unprovision", use: idempotency.wrap(action { _, _ in .unprovision }))
        group.post("sims/{id}/retire", use: idempotency.wrap(action { _, _ in .retire }))
        group.post("sims/{id}/assign", use: idempotency.wrap(assign))
        group.post("sims/{id}/unassign", use: idempotency.wrap(unassign))
        group.get("sims/{id}/events", use: listEvents)
    }

    /// `POST /v1/sims/import`: adds SIMs to stock, all or none; 201 with them (operator only).
    @Sendable func importSims(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(ImportSimsRequest.self, from: request)
        var rows: [IndexedNewSim] = []
        var issues: [DomainError] = []
        for (index, row) in body.sims.enumerated() {
            let (sim, rowIssues) = row.validated(index: index)
            if let sim { rows.append((index, sim)) }
            issues += rowIssues
        }
        let sims = try await operations.importSims(rows, knownIssues: issues, accountID: body.account, cause: principal.cause(reason: "import"))
        return try APIResponse(sims: ListResource(url: "/v1/sims", data: sims.map(SimResource.init), hasMore: false), status: .created)
    }

    /// `GET /v1/sims`: a page of SIMs, filtered by status, account, label, ICCID, IMSI, MSISDN or
    /// IMEI; a customer sees only its own.
    @Sendable func list(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(
            request, allowed: ["status", "account", "label", "iccid", "imsi", "msisdn", "imei", "shutdown_before", "tariff", "country"],
            repeatable: ["status"], paged: true
        )
        var filter = SimFilter()
        filter.statuses = try query.all("status").map { text in
            guard let status = SimStatus(rawValue: text) else {
                throw APIError.invalid("invalid_status", "'status' takes \(SimStatus.allCases.map(\.rawValue).joined(separator: ", ")).", param: "status")
            }
            return status
        }
        let requestedAccount = try query.identifier("account", AccountKind.self)
        filter.accountID = principal.isOperator ? requestedAccount : try principal.resolveAccount(requestedAccount, param: "account")
        filter.label = try query.validated("label") { t throws(ValidationError) in try SimLabels.validate(t); return t }
        filter.iccid = try query.validated("iccid") { t throws(ValidationError) in try ICCID(t) }
        filter.imsi = try query.validated("imsi") { t throws(ValidationError) in try IMSI(t) }
        filter.msisdn = try query.validated("msisdn") { t throws(ValidationError) in try MSISDN(t) }
        filter.imei = try query.validated("imei") { t throws(ValidationError) in try IMEI(t) }
        // Exclusive: a shutdown at 38.280 is before 38.2804, so the bound rounds up.
        filter.shutdownBefore = try query.milliseconds("shutdown_before", rounding: .up).map(Date.init(epochMilliseconds:))
        if let text = query["tariff"] {
            guard let number = Int(text), (1...Tariff.maximumNumber).contains(number) else {
                throw APIError.invalid("invalid_value", "'tariff' is a tariff number.", param: "tariff")
            }
            filter.tariffNumber = number
        }
        if let country = query["country"] {
            guard country.count == 2, country.utf8.allSatisfy({ (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) else {
                throw APIError.invalid("invalid_value", "'country' is an ISO 3166-1 alpha-2 code in capitals, such as DE.", param: "country")
            }
            filter.country = country
        }
        let page = try await operations.list(filter, try query.page(of: SimKind.self))
        return try APIResponse(sims: ListResource(url: "/v1/sims", page: page, SimResource.init))
    }

    /// `GET /v1/sims/{id}`: one SIM, by id or ICCID, with its `billing` section.
    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        let source = billing
        let (sim, section) = try await operations.find(try reference(context), visibleAccountID: principal.visibleAccountID) { sim, tx in
            try await source.billing(of: sim.id, in: tx)
        }
        var resource = SimResource(sim)
        resource.billing = section
        return try APIResponse(sim: resource)
    }

    /// `POST /v1/sims/{id}`: replaces the SIM's labels and merges its metadata.
    @Sendable func update(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(UpdateSimRequest.self, from: request)
        let sim = try await operations.update(
            try reference(context), labels: body.labels, metadataChanges: body.metadata, serialNumber: body.serialNumber,
            visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: nil)
        )
        return try APIResponse(sim: SimResource(sim))
    }

    /// A lifecycle route: `command` is made from the body and from whose hand it is.
    func action(_ command: @escaping @Sendable (SimActionRequest, SimAuthority) -> SimCommand) -> IdempotencyLayer.Handler {
        { request, context in
            let principal = try context.requirePrincipal()
            let body = try await JSONBody.decode(SimActionRequest.self, from: request)
            let sim = try await operations.perform(
                command(body, principal.authority), on: try reference(context), visibleAccountID: principal.visibleAccountID,
                cause: principal.cause(reason: body.reason)
            )
            return try APIResponse(sim: SimResource(sim))
        }
    }

    /// `POST /v1/sims/{id}/assign`: gives the SIM to an account (operator only).
    @Sendable func assign(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(AssignSimRequest.self, from: request)
        let sim = try await operations.assign(try reference(context), to: body.account, cause: principal.cause(reason: body.reason))
        return try APIResponse(sim: SimResource(sim))
    }

    /// `POST /v1/sims/{id}/unassign`: takes the SIM back into stock (operator only).
    @Sendable func unassign(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(SimActionRequest.self, from: request)
        let sim = try await operations.unassign(try reference(context), cause: principal.cause(reason: body.reason))
        return try APIResponse(sim: SimResource(sim))
    }

    /// `POST /v1/sims/bulk`: one action on many SIMs, each succeeding or failing alone;
    /// `assign` and `unassign` are operator only.
    @Sendable func bulk(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let body = try await JSONBody.decode(BulkSimRequest.self, from: request)
        if body.action.isOperatorOnly { try principal.requireOperator() }
        let outcomes = try await operations.bulk(
            body.action, iccids: body.iccids, force: body.force, authority: principal.authority, accountID: body.account,
            visibleAccountID: principal.visibleAccountID, cause: principal.cause(reason: body.reason)
        )
        return try APIResponse(BulkResultResource(action: body.action, outcomes: outcomes))
    }

    /// The SIM's events, newest first, with the filters `/v1/events` takes.
    @Sendable func listEvents(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        let query = try QueryParameters(request, allowed: EventListParameters.filterNames, repeatable: ["type"], paged: true)
        let sim = try await operations.find(try reference(context), visibleAccountID: principal.visibleAccountID)
        var filter = try EventListParameters.filter(query)
        filter.simID = sim.id
        filter.accountID = principal.visibleAccountID
        let page = try await events.list(filter, try query.page(of: EventKind.self))
        return try APIResponse(ListResource(url: "/v1/sims/\(sim.id)/events", page: page, EventResource.init))
    }

    private func reference(_ context: SimGateRequestContext) throws -> SimReference {
        try SimReference(parsing: try context.parameters.require("id"))
    }
}
