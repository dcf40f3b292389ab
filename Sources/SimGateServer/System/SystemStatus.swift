import SimGateCore
import SimGateStore

/// What the unauthenticated operations routes report: whether the database answers, and
/// SIMs by status for the metrics.
struct SystemStatus: Sendable {
    /// The store whose database is checked and whose SIMs are counted.
    let store: Store

    /// The engine the store runs on.
    var engine: DatabaseEngine { store.engine }

    /// Throws unless the database answers a query now.
    func checkDatabase() async throws {
        try await store.read { tx in try await tx.ping() }
    }

    /// How many SIMs are in each status.
    func simsByStatus() async throws -> [SimStatus: Int] {
        try await store.read { tx in try await tx.sims.countByStatus() }
    }
}
