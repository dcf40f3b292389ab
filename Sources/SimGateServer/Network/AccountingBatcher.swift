import Logging
import ServiceLifecycle
import SimGateStore
import Synchronization

/// Group commit for accounting: reports that arrive while a transaction is being written wait
/// and go into the next one together, and each is answered only after the transaction holding
/// it has committed. Under load one commit serves hundreds of reports; with a single report it
/// costs one transaction, as before.
///
/// Reports are taken without waiting (``take(_:done:)``), from the thread that reads the
/// port, and each one's `done` is called from the batcher's task once its batch has committed
/// or failed. On SQLite that task runs on the writer's thread, which other writes wait for:
/// `done` must be quick and must never block.
///
/// With a commit delay (off unless configured), a batch waits up to that long for more reports
/// before it is written, but only while reports keep coming: when some arrived while the last
/// batch was being written. At moderate, even rates most batches otherwise hold one or two
/// reports, and each pays a transaction's fixed cost and two thread wake-ups. A lone gateway
/// that sends one report at a time and waits for its answer is never delayed: nothing of its
/// arrives during a commit. Several such gateways stop the wait as soon as those just answered
/// have sent their next report (see ``waitForMore(until:)``), but a gateway slower to send again
/// holds the others back up to the delay, which is why it is off unless configured.
///
/// A Service of the app's group: its ``run()`` writes the batches, and on shutdown it writes
/// what is still waiting before it stops (the RADIUS ports, stopped first, send no more).
final class AccountingBatcher: Service, Sendable {
    /// Writes one batch of reports inside the given transaction.
    typealias Apply = @Sendable ([AccountingReport], StoreTransaction) async throws -> Void
    /// Told whether a report is durable (success) or could not be stored.
    typealias Done = @Sendable (Result<Void, any Error>) -> Void

    /// Most reports in one transaction.
    static let maximumBatch = 500

    private struct State {
        /// Reports waiting for a batch, and beside each (same index) who to tell.
        var pending: [AccountingReport] = []
        var pendingDone: [Done] = []
        var isStopped = false
        /// While a batch waits for more (``waitForMore(until:)``), how many pending reports end
        /// the wait: reports short of it do not wake the writer's thread.
        var waitingFor: Int?
    }

    private let store: Store
    private let metrics: RADIUSMetrics
    private let logger: Logger
    private let apply: Apply
    /// Opens once migrations are done; nothing is written before.
    private let startup: StartupSignal?
    private let state = Mutex(State())
    /// Rung when a report arrives; ``run()`` waits on it when there is nothing to write.
    private let work = Doorbell()
    /// Longest a batch waits for more reports while they keep coming; zero for none.
    private let commitDelay: Duration
    /// How the commit delay is waited out: `Task.sleep` unless a test passes its own.
    private let sleep: @Sendable (Duration) async -> Void

    /// `apply` writes each batch; `metrics` records batch sizes and commit times. Reports taken
    /// before `startup` opens wait for it. `commitDelay` is how long a batch may wait for more
    /// reports while they keep coming, waited out with `sleep`, which must return when its task
    /// is cancelled (a wait whose reports have come ends it that way).
    init(
        store: Store, metrics: RADIUSMetrics, logger: Logger, startup: StartupSignal? = nil, commitDelay: Duration = .zero,
        sleep: @escaping @Sendable (Duration) async -> Void = { try? await Task.sleep(for: $0) }, apply: @escaping Apply
    ) {
        self.commitDelay = commitDelay
        self.sleep = sleep
        self.startup = startup
        self.metrics = metrics
        self.store = store
        self.logger = logger
        self.apply = apply
    }

    /// Takes `report` for the next batch; `done` is called once, when it is durable or could
    /// not be stored (at once if the batcher has stopped).
    func take(_ report: AccountingReport, done: @escaping Done) {
        let (taken, wakes) = state.withLock { state -> (Bool, Bool) in
            guard !state.isStopped else { return (false, false) }
            state.pending.append(report)
            state.pendingDone.append(done)
            return (true, state.waitingFor.map { state.pending.count >= $0 } ?? true)
        }
        guard taken else {
            done(.failure(BatcherStopped()))
            return
        }
        if wakes { work.ring() }
    }

    /// Writes batches as reports arrive, until graceful shutdown or cancellation; then writes
    /// what is left and refuses what comes after.
    func run() async throws {
        // Each batch is written on SQLite's writer thread; waiting there for the next one
        // spares two thread switches a batch (to the shared pool and back), which were most of
        // a lone report's cost at the rates gateways usually send.
        try await withTaskExecutorPreference(store.database.writeExecutor()) {
            try await writeUntilShutdown()
        }
    }

    private func writeUntilShutdown() async throws {
        if let startup {
            // Shutdown during start-up must not hang here waiting for a signal that never comes.
            _ = await cancelWhenGracefulShutdown { await startup.wait() }
        }
        let started = startup?.isOpen ?? true
        if started { _ = await cancelWhenGracefulShutdown { await self.writeUntilStopped() } }
        state.withLock { $0.isStopped = true }
        if started {
            await flush()
        } else {
            // Start-up never finished (the schema may not be there): answered with silence,
            // and the gateways send them again to whichever server is up.
            let waiting = state.withLock { state in
                defer { (state.pending, state.pendingDone) = ([], []) }
                return state.pendingDone
            }
            for done in waiting { done(.failure(BatcherStopped())) }
        }
    }

    private func writeUntilStopped() async {
        // Each wait below ends at once when shutdown cancels this task, and the loop stops
        // before its next batch: what is pending is left to the final flush, outside it.
        // Written here, in a cancelled task, it would fail on PostgreSQL (its connection lease
        // gives up on cancellation) and the gateways would have to send it again.

        // How many reports had arrived while the last batch was being written, and how many
        // that batch answered.
        var last = (arrivedMeanwhile: 0, answered: 0)
        while !Task.isCancelled {
            if state.withLock({ $0.pending.isEmpty }) { await work.waitForRing() }
            if commitDelay > .zero, last.arrivedMeanwhile > 0 {
                await waitForMore(until: min(Self.maximumBatch, last.arrivedMeanwhile + last.answered))
            }
            if Task.isCancelled { break }
            last = await flush(batches: 1, roomFor: last.answered)
        }
    }

    /// Waits until `target` reports are pending or the commit delay has passed, whichever
    /// comes first.
    ///
    /// The target is what arrived during the last write plus one report for each it answered.
    /// Gateways that each send one report and wait for its answer reach it as soon as the
    /// answered ones have sent their next, so they are held back by that round trip alone and
    /// not by the delay; reports that come at an even pace seldom reach it, and wait out the
    /// delay, which is what gathers them into fewer transactions.
    private func waitForMore(until target: Int) async {
        let reached = state.withLock { state -> Bool in
            guard state.pending.count < target else { return true }
            state.waitingFor = target
            return false
        }
        if reached { return }
        defer { state.withLock { $0.waitingFor = nil } }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.sleep(self.commitDelay) }
            group.addTask {
                while !Task.isCancelled, self.state.withLock({ $0.pending.count }) < target {
                    await self.work.waitForRing()
                }
            }
            await group.next()
            group.cancelAll()
        }
    }

    /// The batcher is no longer running: a report submitted now is not written.
    struct BatcherStopped: Error {}

    /// Writes up to `batches` batches of what is pending (all of it by default). Returns how
    /// many reports had arrived by the time the last batch was written, looked at before its
    /// reports are answered (so that a gateway sending its next report only on an answer is
    /// never counted among them), and how many that batch held. The reports that arrive
    /// next gather in arrays with room for `roomFor` of them at first (the last batch's size).
    @discardableResult
    private func flush(batches: Int = .max, roomFor expected: Int = 0) async -> (arrivedMeanwhile: Int, answered: Int) {
        var arrivedMeanwhile = 0
        var answered = 0
        var room = expected
        for _ in 0..<batches {
            // Made here rather than under the lock, which the event loop takes for every
            // report it reads.
            var next = (reports: [AccountingReport](), dones: [Done]())
            next.reports.reserveCapacity(room)
            next.dones.reserveCapacity(room)
            let (reports, dones) = state.withLock { state in Self.takeBatch(from: &state, replacingWith: &next) }
            if reports.isEmpty { break }
            room = reports.count
            answered = reports.count
            do {
                try await write(reports)
                arrivedMeanwhile = state.withLock { $0.pending.count }
                for done in dones { done(.success(())) }
            } catch {
                // Looked at before any of them is answered, as above.
                arrivedMeanwhile = state.withLock { $0.pending.count }
                // One bad report must not fail the others: retry them one by one.
                logger.warning("Accounting batch failed; retrying reports singly", metadata: ["size": "\(reports.count)", "error": "\(error)"])
                for (report, done) in zip(reports, dones) {
                    do {
                        try await write([report])
                        done(.success(()))
                    } catch {
                        done(.failure(error))
                    }
                }
            }
        }
        return (arrivedMeanwhile, answered)
    }

    /// The next batch: the first ``maximumBatch`` pending reports and who to tell of each.
    /// A backlog that fits in one batch (nearly always) is handed over whole rather than
    /// copied, and the next reports gather in `next` (empty arrays with room reserved).
    private static func takeBatch(
        from state: inout State, replacingWith next: inout (reports: [AccountingReport], dones: [Done])
    ) -> (reports: [AccountingReport], dones: [Done]) {
        guard state.pending.count > maximumBatch else {
            swap(&state.pending, &next.reports)
            swap(&state.pendingDone, &next.dones)
            return next
        }
        defer {
            state.pending.removeFirst(maximumBatch)
            state.pendingDone.removeFirst(maximumBatch)
        }
        return (Array(state.pending.prefix(maximumBatch)), Array(state.pendingDone.prefix(maximumBatch)))
    }

    private func write(_ reports: [AccountingReport]) async throws {
        let apply = self.apply
        let start = ContinuousClock.now
        try await store.transaction { tx in try await apply(reports, tx) }
        metrics.accountingBatchCommitted(size: reports.count, duration: ContinuousClock.now - start)
    }
}
