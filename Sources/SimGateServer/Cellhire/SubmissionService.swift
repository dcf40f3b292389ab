import Foundation
import SimGateCore
import SimGateStore

/// The Cellhire-compatible submissions: each is checked in full when it arrives (a dry run
/// that changes nothing), accepted with a ticket and a durable job, and carried out by that
/// job all or nothing; the ticket then says it completed, or why it failed.
struct SubmissionService: Sendable {
    /// Carries out the AOFU steps each submission asks for.
    let aofu: AOFUService

    private var sims: SimService { aofu.sims }
    private var store: Store { sims.store }

    /// Checks the submission as the job would carry it out now, then accepts it: a ticket and
    /// its job, in one unit of work. A submission that would fail is refused with the
    /// reason and leaves nothing behind.
    func accept(_ kind: SubmissionTicket.Kind, _ payload: SubmissionPayload, from client: APIClient) async throws -> SubmissionTicket {
        do {
            _ = try await store.transaction { tx -> Bool in
                try await perform(kind, payload, client: client, ticketID: "dry-run", in: tx)
                throw DryRunPassed()
            }
        } catch is DryRunPassed {
        } catch let error as DomainError where error.kind == .conflict {
            // Cellhire answers every submission it refuses with 400.
            throw DomainError(.invalid, code: error.code, message: error.message, param: error.param, details: error.details)
        }
        let ticket = SubmissionTicket(
            id: UUID().uuidString.lowercased(), accountID: client.accountID, clientID: client.id, kind: kind,
            payload: String(decoding: try JSONEncoder().encode(payload), as: UTF8.self), status: .pending,
            createdOn: sims.clock.now(), createdBy: client.name
        )
        try await store.transaction { tx in
            try await tx.tickets.insert(ticket)
            try await tx.jobs.enqueue(try NewJob(SubmissionJob(ticket: ticket.id), runAt: ticket.createdOn), now: ticket.createdOn)
        }
        return ticket
    }

    /// The ticket with this number. Another account's ticket is 403, as Cellhire answers.
    func ticket(_ id: String, for client: APIClient) async throws -> SubmissionTicket {
        // Ticket numbers are GUIDs, written in lower case; a GUID read back in upper case (as
        // some clients render them) is the same ticket.
        let id = UUID(uuidString: id)?.uuidString.lowercased() ?? id
        guard id.count <= 64, let ticket = try await store.read({ tx in try await tx.tickets.find(id) }) else {
            throw DomainError.notFound("ticket")
        }
        guard ticket.accountID == client.accountID else {
            throw DomainError(.forbidden, code: "ticket_forbidden", message: "The ticket belongs to another company.")
        }
        return ticket
    }

    /// The job that carries out an accepted ticket, once.
    var handler: JobHandler {
        JobHandler(SubmissionJob.self) { parameters, job in
            do {
                try await run(parameters.ticket)
            } catch {
                // Not a refusal but a failure (the database, say): retried, and on the last
                // attempt the ticket says so rather than staying pending for ever.
                if job.attempts >= job.maxAttempts {
                    try? await fail(parameters.ticket, with: DomainError(.invalid, code: "internal_error", message: "The submission could not be carried out; submit it again."))
                }
                throw error
            }
        }
    }

    /// Carries out a pending ticket in one unit of work and records how it ended; a ticket
    /// already finished (the job ran before) is left as it is.
    func run(_ ticketID: String) async throws {
        let failure: DomainError?
        do {
            try await store.transaction { tx in
                guard var ticket = try await tx.tickets.find(ticketID, forUpdate: true), ticket.status == .pending,
                      let client = try await tx.apiClients.find(ticket.clientID, accountID: nil)
                else { return }
                let payload = try JSONDecoder().decode(SubmissionPayload.self, from: Data(ticket.payload.utf8))
                try await perform(ticket.kind, payload, client: client, ticketID: ticket.id, in: tx)
                ticket.status = .complete
                ticket.completedOn = sims.clock.now()
                try await tx.tickets.finish(ticket)
            }
            return
        } catch let error as DomainError {
            failure = error
        }
        guard let failure else { return }
        try await fail(ticketID, with: failure)
    }

    /// Marks a pending ticket failed with `failure`; the work was rolled back, so the ticket
    /// alone records why.
    private func fail(_ ticketID: String, with failure: DomainError) async throws {
        try await store.transaction { tx in
            guard var ticket = try await tx.tickets.find(ticketID, forUpdate: true), ticket.status == .pending else { return }
            ticket.status = .failed
            ticket.completedOn = sims.clock.now()
            ticket.errorID = SubmissionFailure.number(for: failure.code)
            ticket.errorText = [failure.param, failure.message].compactMap { $0 }.joined(separator: ": ")
            try await tx.tickets.finish(ticket)
        }
    }

    /// Does what the submission asks to every SIM it names, inside `tx`.
    private func perform(_ kind: SubmissionTicket.Kind, _ payload: SubmissionPayload, client: APIClient, ticketID: String, in tx: StoreTransaction) async throws {
        let cause = ChangeCause(actor: ChangeActor(.apiClient, id: client.id.rawValue), reason: "\(kind.rawValue), ticket \(ticketID)")
        let found = try await tx.sims.find(serialNumbers: payload.serialNumbers, accountID: client.accountID, forUpdate: true)
        let field = kind == .provision ? { (index: Int) in "stock[\(index)].serialNumber" } : { (index: Int) in "serialNumbers[\(index)]" }
        var targets: [(index: Int, sim: Sim)] = []
        for (index, serial) in payload.serialNumbers.enumerated() {
            // The database matched byte for byte; the dictionary's keys compare as Swift does,
            // which takes canonically equivalent spellings (`é`, `e` and a combining accent) for
            // one: only the SIMs spelt as asked are this serial number's.
            let spelt = (found[serial] ?? []).filter { $0.serialNumber.utf8.elementsEqual(serial.utf8) }
            // A retired SIM takes no change, so its serial number, carried on by the SIM that
            // replaced it, named two SIMs and the replacement could never be provisioned.
            let inService = spelt.filter { $0.status != .retired }
            let matches = inService.isEmpty ? spelt : inService
            let shown = TextLimit.quoted(serial, maximumLength: 64)
            guard let sim = matches.first else {
                throw DomainError(.invalid, code: "unknown_serial_number", message: "No SIM of this company has serial number \(shown).", param: field(index))
            }
            guard matches.count == 1 else {
                throw DomainError(
                    .invalid, code: "ambiguous_serial_number",
                    message: "\(matches.count) SIMs of this company carry serial number \(shown); give each its own first (POST /v1/sims/{id} with serial_number).", param: field(index)
                )
            }
            if let msisdn = payload.msisdns?[index], msisdn != sim.msisdn?.digits {
                throw DomainError(.invalid, code: "msisdn_mismatch", message: "The MSISDN is not that of SIM \(shown).", param: "stock[\(index)].msisdn")
            }
            targets.append((index, sim))
        }
        var tariff: Tariff?
        if kind == .provision {
            guard let number = payload.tariffNumber, let found = try await tx.tariffs.find(number) else {
                throw DomainError(.invalid, code: "unknown_tariff", message: "No such tariff.", param: "tariffNumber")
            }
            tariff = found
        }
        for (index, sim) in targets {
            do {
                try await apply(kind, payload, tariff: tariff, to: sim, cause: cause, in: tx)
            } catch let error as DomainError where error.kind == .notFound && error.param == "tariffNumber" {
                throw DomainError(.invalid, code: "unknown_tariff", message: "No such tariff.", param: "tariffNumber")
            } catch let error as DomainError where error.param == nil || error.code == "bundle_too_large" {
                // A top-up too large for one SIM's bundle is named by that SIM: the amount is
                // the same for every SIM of the ticket.
                throw DomainError(error.kind, code: error.code, message: "SIM \(sim.serialNumber): \(error.message)", param: field(index), details: error.details)
            }
        }
    }

    private func apply(_ kind: SubmissionTicket.Kind, _ payload: SubmissionPayload, tariff: Tariff?, to sim: Sim, cause: ChangeCause, in tx: StoreTransaction) async throws {
        switch kind {
        case .provision:
            guard let tariff else { return }
            _ = try await aofu.provision(
                sim, on: tariff, threshold: payload.shutdownThreshold.flatMap(ShutdownThreshold.init(hours:)),
                bundleBytes: payload.bundleSizeMb.flatMap(DataBundle.bytes(megabytes:)), cause: cause, in: tx
            )
        case .configureThreshold:
            guard let threshold = payload.shutdownThreshold.flatMap(ShutdownThreshold.init(hours:)) else { return }
            _ = try await aofu.configureThreshold(sim, threshold, cause: cause, in: tx)
        case .topUp:
            guard let bytes = payload.amountMb.flatMap(DataBundle.bytes(megabytes:)) else { return }
            _ = try await aofu.topUp(sim, bytes: bytes, cause: cause, in: tx)
        case .unprovision:
            try await sims.commit(try sim.applying(.unprovision, at: sims.clock.now(), cause: cause), cause: cause, in: tx)
        }
    }

    /// Thrown to roll back a dry run that passed.
    private struct DryRunPassed: Error {}
}

/// The numbers a failed ticket's `errorId` takes, one per kind of failure.
enum SubmissionFailure {
    /// `errorId` for a failure `code`; 1 for one not listed.
    static func number(for code: String) -> Int {
        switch code {
        case "unknown_serial_number", "ambiguous_serial_number": 100
        case "msisdn_mismatch": 101
        case "unknown_tariff": 200
        case "parameter_missing", "invalid_parameter": 300
        case "not_aofu", "no_bundle", "bundle_too_large": 400
        case "sim_has_holds", "operator_hold", "sim_not_provisioned", "sim_retired", "sim_unprovisioned", "sim_unassigned", "aofu_expired": 500
        default: 1
        }
    }
}
