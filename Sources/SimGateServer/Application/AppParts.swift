import SimGateCore
import SimGateStore

/// The shared parts of one running app, built once by the composition root and handed to
/// everything that needs them: the HTTP routes, the job handlers and the RADIUS ports.
struct AppParts: Sendable {
    let database: SimGateDatabase
    let queue: JobQueue
    let idempotencyStore: IdempotencyStore
    let sims: SimOperations
    let accounts: AccountOperations

    init(_ dependencies: AppDependencies) {
        database = dependencies.database
        queue = JobQueue(database: dependencies.database, ids: dependencies.ids)
        idempotencyStore = IdempotencyStore(database: dependencies.database)
        sims = SimOperations(database: dependencies.database, clock: dependencies.clock, ids: dependencies.ids)
        accounts = AccountOperations(database: dependencies.database, clock: dependencies.clock, ids: dependencies.ids)
    }
}
