import SimGateCore
import Synchronization

/// Work another layer does inside the unit of work that appends events: the webhook outbox
/// (a delivery per subscribed endpoint) and rule triggers. Runs after the events are written,
/// on the same connection, so what it writes commits with them or not at all.
public protocol EventAppendHook: Sendable {
    /// Called with the events just appended (never empty), inside their unit of work.
    func eventsAppended(_ events: [Event], in tx: StoreTransaction) async throws
}

/// Work another layer does inside the unit of work that stored usage, once the usage and
/// what it changed (first use, place, bundle) are written: usage rule triggers.
public protocol UsageRecordedHook: Sendable {
    /// Called with the usage records just stored (never empty), inside their unit of work.
    func usageRecorded(_ records: [UsageRecord], in tx: StoreTransaction) async throws
}

/// What a unit of work wrote that someone outside may want to act on once it commits.
public struct CommittedWork: OptionSet, Sendable {
    /// The bits, one per kind of work.
    public let rawValue: Int
    /// Wraps the raw bits.
    public init(rawValue: Int) { self.rawValue = rawValue }
    /// Webhook deliveries were queued.
    public static let webhookDeliveries = CommittedWork(rawValue: 1 << 0)
    /// Jobs were queued.
    public static let jobs = CommittedWork(rawValue: 1 << 1)
    /// Events were appended (the dashboard's live pages show them).
    public static let events = CommittedWork(rawValue: 1 << 2)
    /// Usage was stored.
    public static let usage = CommittedWork(rawValue: 1 << 3)
    /// An API key was revoked or an account changed: what authenticated requests remember of them is stale.
    public static let credentials = CommittedWork(rawValue: 1 << 4)
    /// A payment gateway was made or changed: what webhook receipts remember of it is stale.
    public static let paymentGateways = CommittedWork(rawValue: 1 << 5)
}

/// The accounts a unit of work wrote events or usage of: the dashboard's open pages of other
/// accounts need not look.
public struct TouchedAccounts: Sendable, Equatable {
    /// The customer and operator accounts.
    public var accounts: Set<AccountID> = []
    /// Whether anything of the operator's unassigned stock was written.
    public var stock = false

    /// None yet.
    public init() {}
}

/// The hooks a store runs, installed once by the composition root after the services they
/// need exist, and shared by every copy of the store.
public final class StoreHooks: Sendable {
    /// What is installed. A named struct, not a tuple: with a closure inside a tuple, every
    /// `withLock` (Swift 6.3) wrote the closure back wrapped in two more reabstraction thunks,
    /// so the commit listener's call chain grew by two frames per unit of work, each commit
    /// got slower than the last, and a long-running server would at last overflow its stack.
    private struct Installed {
        var hooks: [any EventAppendHook] = []
        var usage: [any UsageRecordedHook] = []
        var afterCommit: (@Sendable (CommittedWork, TouchedAccounts) -> Void)?
    }

    private let state = Mutex(Installed())

    /// No hooks until some are installed.
    public init() {}

    /// Adds hooks run on every append of events.
    public func install(_ hooks: [any EventAppendHook]) {
        state.withLock { $0.hooks += hooks }
    }

    /// Adds hooks run when usage has been stored.
    public func install(usage hooks: [any UsageRecordedHook]) {
        state.withLock { $0.usage += hooks }
    }

    /// Sets what is told, after each commit, of the work it queued (to wake the senders) and
    /// whose events or usage it wrote.
    public func onCommit(_ body: @escaping @Sendable (CommittedWork, TouchedAccounts) -> Void) {
        state.withLock { $0.afterCommit = body }
    }

    /// The installed append hooks.
    var appendHooks: [any EventAppendHook] { state.withLock { $0.hooks } }

    /// The installed usage hooks.
    var usageHooks: [any UsageRecordedHook] { state.withLock { $0.usage } }

    /// Tells the commit listener what was queued, and for whom.
    func committed(_ work: CommittedWork, touching accounts: TouchedAccounts) {
        guard !work.isEmpty, let listener = state.withLock({ $0.afterCommit }) else { return }
        listener(work, accounts)
    }
}

/// What one unit of work queued so far, read once it commits, and what its hooks read once
/// and keep for the rest of it (and, in a SQLite group commit, for the units after it).
final class UnitOfWorkRecord: Sendable {
    private let work = Mutex(CommittedWork())
    private let touched = Mutex(TouchedAccounts())
    private let kept = KeptReads()
    /// Shared with the rest of the group commit this unit of work runs in, if any.
    private let group: KeptReads?

    /// A record of its own; with `group`, what is kept is also kept for the group's later units.
    init(group: KeptReads? = nil) {
        self.group = group
    }

    /// Notes that `kind` of work was queued.
    func note(_ kind: CommittedWork) { work.withLock { _ = $0.insert(kind) } }
    /// Everything noted.
    var noted: CommittedWork { work.withLock { $0 } }
    /// Notes that events or usage of `accounts` (`nil`: the operator's stock) were written.
    func noteTouched(_ accounts: some Sequence<AccountID?>) {
        touched.withLock { touched in
            for account in accounts {
                if let account { touched.accounts.insert(account) } else { touched.stock = true }
            }
        }
    }
    /// The accounts whose events or usage were written.
    var touchedAccounts: TouchedAccounts { touched.withLock { $0 } }
    /// What was kept under `key`, by this unit of work or an earlier one of its group, if it is a `T`.
    func remembered<T: Sendable>(_ key: String, as type: T.Type) -> T? {
        kept.remembered(key, as: type) ?? group?.remembered(key, as: type)
    }
    /// Keeps `value` under `key`, here and for the group's later units.
    func remember(_ value: some Sendable, as key: String) {
        kept.remember(value, as: key)
        group?.remember(value, as: key)
    }
    /// Forgets everything kept (the unit of work changed endpoints or rules), here and in the group.
    func forget() {
        kept.forget()
        group?.forget()
    }
}

/// Reads kept under a key: a unit of work's own, or those the units of one SQLite group
/// commit share. A group shares the enabled webhook endpoints and rules, read by the hooks of
/// nearly every unit. That is safe because the group's transaction holds SQLite's only write
/// lock from its first unit to its commit, so nothing outside the group can change what was
/// read; a unit that changes endpoints or rules forgets it all, and so does every unit rolled
/// back (what it kept may be what it undid).
final class KeptReads: Sendable {
    private let values = Mutex<[String: any Sendable]>([:])
    /// What was kept under `key`, if it is a `T`.
    func remembered<T: Sendable>(_ key: String, as _: T.Type) -> T? { values.withLock { $0[key] as? T } }
    /// Keeps `value` under `key`.
    func remember(_ value: some Sendable, as key: String) { values.withLock { $0[key] = value } }
    /// Forgets everything kept.
    func forget() { values.withLock { $0.removeAll() } }
}
