import Hummingbird
import SimGateCore

/// `/v1/tariffs`: the operator creates and changes tariffs; a customer reads those offered to it.
struct TariffsController: Sendable {
    /// Creates, changes and reads tariffs.
    let tariffs: TariffService
    /// Replays a POST retried with the same `Idempotency-Key`.
    let idempotency: IdempotencyLayer

    /// Registers the tariff routes on the authenticated API group.
    func addRoutes(to group: RouterGroup<SimGateRequestContext>) {
        group.post("tariffs", use: idempotency.wrap(create))
        group.get("tariffs", use: list)
        group.get("tariffs/{number}", use: get)
        group.post("tariffs/{number}", use: idempotency.wrap(update))
        group.get("tariffs/{number}/prices", use: prices)
        group.post("tariffs/{number}/prices", use: idempotency.wrap(setPrice))
    }

    /// `GET /v1/tariffs/{number}/prices`: every price the tariff has had, oldest first.
    @Sendable func prices(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        let number = try number(context)
        let history = try await tariffs.prices(number, visibleAccountID: principal.visibleAccountID)
        return try APIResponse(ListResource(url: "/v1/tariffs/\(number)/prices", data: history.map(TariffPriceResource.init), hasMore: false))
    }

    /// `POST /v1/tariffs/{number}/prices` (operator only): what the tariff costs from a date on.
    @Sendable func setPrice(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(TariffPriceRequest.self, from: request)
        return try APIResponse(TariffPriceResource(try await tariffs.setPrice(try number(context), body)), status: .created)
    }

    /// `POST /v1/tariffs` (operator only): a new numbered tariff.
    @Sendable func create(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(CreateTariffRequest.self, from: request)
        let tariff = try await tariffs.create(number: body.number, name: body.name, kind: body.kind, accounts: body.accounts)
        return try APIResponse(TariffResource(tariff, showsAccounts: true), status: .created)
    }

    /// `GET /v1/tariffs`: every tariff for the operator, those offered to it for a customer.
    @Sendable func list(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        let found = try await tariffs.list(visibleAccountID: principal.visibleAccountID)
        return try APIResponse(ListResource(url: "/v1/tariffs", data: found.map { TariffResource($0, showsAccounts: principal.isOperator) }, hasMore: false))
    }

    /// `GET /v1/tariffs/{number}`: one tariff, if the caller may see it.
    @Sendable func get(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        _ = try QueryParameters(request, allowed: [])
        let tariff = try await tariffs.find(try number(context), visibleAccountID: principal.visibleAccountID)
        return try APIResponse(TariffResource(tariff, showsAccounts: principal.isOperator))
    }

    /// `POST /v1/tariffs/{number}` (operator only): renames it or replaces its accounts.
    @Sendable func update(_ request: Request, context: SimGateRequestContext) async throws -> APIResponse {
        let principal = try context.requirePrincipal()
        try principal.requireOperator()
        let body = try await JSONBody.decode(UpdateTariffRequest.self, from: request)
        let tariff = try await tariffs.update(try number(context), name: body.name, accounts: body.accounts)
        return try APIResponse(TariffResource(tariff, showsAccounts: true))
    }

    /// The tariff number in the path, written as the tariff's `number` is: decimal digits, no
    /// sign, no leading zero. `/v1/tariffs/+100` and `/v1/tariffs/0100` named tariff 100, each
    /// one more URL for it.
    private func number(_ context: SimGateRequestContext) throws -> Int {
        let text = try context.parameters.require("number")
        guard text.first != "0", text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
              let number = Int(text), (1...Tariff.maximumNumber).contains(number) else {
            throw DomainError.notFound("tariff")
        }
        return number
    }
}
