import Foundation
import SimGateCore

/// `GET /api/simSubmission/{ticketNumber}`: a ticket in Cellhire's own field names.
struct TicketResource: Codable, Equatable, Sendable {
    /// The ticket number (a GUID).
    let ticketNumber: String
    /// Provision, ConfigureThreshold, TopUp or Unprovision.
    let type: String
    /// When the submission was accepted.
    let createdOn: Date
    /// The name of the client that submitted it.
    let createdBy: String
    /// `pending`, `complete` or `failed`.
    let status: String
    /// When the work finished, either way; `null` while pending.
    let completedOn: Date?
    /// The kind of failure; `null` unless failed.
    let errorId: Int?
    /// Why it failed; `null` unless failed.
    let errorText: String?

    /// The client's view of `ticket`.
    init(_ ticket: SubmissionTicket) {
        ticketNumber = ticket.id
        type = ticket.kind.rawValue
        createdOn = ticket.createdOn
        createdBy = ticket.createdBy
        status = ticket.status.rawValue
        completedOn = ticket.completedOn
        errorId = ticket.errorID
        errorText = ticket.errorText
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ticketNumber, forKey: .ticketNumber)
        try container.encode(type, forKey: .type)
        try container.encode(createdOn, forKey: .createdOn)
        try container.encode(createdBy, forKey: .createdBy)
        try container.encode(status, forKey: .status)
        try container.encode(completedOn, forKey: .completedOn)
        try container.encode(errorId, forKey: .errorId)
        try container.encode(errorText, forKey: .errorText)
    }
}
