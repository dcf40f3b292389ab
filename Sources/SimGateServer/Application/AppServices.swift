import SimGateCore
import SimGateStore

/// The object graph of one running app, built once by the composition root and handed to
/// everything that needs it: the HTTP routes, the job handlers and the RADIUS ports.
struct AppServices: Sendable {
    let store: Store
    let sims: SimService
    let accounts: AccountService
    let events: EventService
    let payments: PaymentService
    let usage: UsageService
    let system: SystemStatus

    init(_ dependencies: AppDependencies) {
        let store = Store(database: dependencies.database, ids: dependencies.ids)
        let (clock, ids) = (dependencies.clock, dependencies.ids)
        self.store = store
        // A SIM that changes hands leaves its subscriptions behind.
        sims = SimService(store: store, clock: clock, ids: ids, handover: [BillingBindings(clock: clock, ids: ids)])
        accounts = AccountService(store: store, clock: clock, ids: ids)
        events = EventService(store: store)
        payments = PaymentService(store: store, clock: clock, ids: ids, sims: sims)
        usage = UsageService(store: store)
        system = SystemStatus(store: store)
    }
}
