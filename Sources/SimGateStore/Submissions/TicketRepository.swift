import Foundation
import SimGateCore
import SQLKit

/// Reads and writes submission tickets.
public struct TicketRepository: Sendable {
    /// The connection (inside its transaction) every query here runs on.
    let db: any SQLDatabase

    /// Stores a newly accepted ticket.
    public func insert(_ ticket: SubmissionTicket) async throws {
        try await db.insert(into: "submission_tickets")
            .columns("id", "account_id", "client_id", "type", "payload", "status", "created_on", "created_by", "completed_on", "error_id", "error_text")
            .values(
                SQLBind(ticket.id), SQLBind(ticket.accountID.rawValue), SQLBind(ticket.clientID.rawValue), SQLBind(ticket.kind.rawValue),
                SQLBind(ticket.payload), SQLBind(ticket.status.rawValue), SQLBind(ticket.createdOn.stored), SQLBind(ticket.createdBy),
                SQLBind(ticket.completedOn?.stored), SQLBind(ticket.errorID.map(Int64.init)), SQLBind(ticket.errorText)
            ).run()
    }

    /// The ticket with this number, whoever owns it (the caller decides who may see it),
    /// locked for update on PostgreSQL.
    public func find(_ id: String, forUpdate: Bool = false) async throws -> SubmissionTicket? {
        var query = db.select().column("*").from("submission_tickets").where("id", .equal, id)
        if forUpdate, db.dialect.name == "postgresql" { query = query.for(.update) }
        return try await query.first().map(Self.ticket)
    }

    /// Records how a pending ticket ended; a ticket already finished stays as it is.
    public func finish(_ ticket: SubmissionTicket) async throws {
        try await db.update("submission_tickets")
            .set("status", to: SQLBind(ticket.status.rawValue)).set("completed_on", to: SQLBind(ticket.completedOn?.stored))
            .set("error_id", to: SQLBind(ticket.errorID.map(Int64.init))).set("error_text", to: SQLBind(ticket.errorText))
            .where("id", .equal, ticket.id).where("status", .equal, SubmissionTicket.Status.pending.rawValue).run()
    }

    /// Reads a `submission_tickets` row; an unknown type or status is a corrupt row.
    static func ticket(_ row: any SQLRow) throws -> SubmissionTicket {
        let kindText = try row.string("type"), statusText = try row.string("status")
        guard let kind = SubmissionTicket.Kind(rawValue: kindText) else { throw StoreError.corruptRow(table: "submission_tickets", column: "type", value: kindText) }
        guard let status = SubmissionTicket.Status(rawValue: statusText) else {
            throw StoreError.corruptRow(table: "submission_tickets", column: "status", value: statusText)
        }
        return SubmissionTicket(
            id: try row.string("id"), accountID: AccountID(trusted: try row.string("account_id")),
            clientID: APIClientID(trusted: try row.string("client_id")), kind: kind, payload: try row.string("payload"),
            status: status, createdOn: try row.date("created_on"), createdBy: try row.string("created_by"),
            completedOn: try row.optionalDate("completed_on"), errorID: try row.optionalInt64("error_id").map(Int.init),
            errorText: try row.optionalString("error_text")
        )
    }
}
