import SimGateCore
import SimGateStore

/// When a SIM leaves its customer, the rules forget it: how often each fired for it, when it
/// re-arms, the window it last fired in. Kept, a `never` or `next_day` rule of the former
/// holder that had fired stayed silent for the SIM's next tenure, even back in the same
/// account, where the SIM starts afresh in every other way.
struct RuleMemoryHandover: SimHandoverStep {
    func simLeft(_ update: SimUpdate, customer: AccountID, cause: ChangeCause, in tx: StoreTransaction) async throws -> [Event] {
        try await tx.rules.forgetStates(sim: update.sim.id)
        return []
    }
}
