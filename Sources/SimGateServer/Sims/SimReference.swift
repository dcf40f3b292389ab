import SimGateCore

/// How a caller names a SIM in a path: by its id (`sim_...`) or by its ICCID.
enum SimReference: Sendable, Hashable {
    /// By SimGate id (`sim_...`).
    case id(SimID)
    /// By the ICCID printed on the card.
    case iccid(ICCID)

    /// Reads a path segment; anything that is neither form is a 404, as an unknown SIM would be.
    init(parsing text: String) throws {
        if let id = SimID(parsing: text) {
            self = .id(id)
        } else if let iccid = try? ICCID(text) {
            self = .iccid(iccid)
        } else {
            throw DomainError.notFound("SIM")
        }
    }
}
