import Logging
import NIOCore
import SimGateExecutors
import SQLKit
import Synchronization

/// SQLite's write units of work, one at a time, committed several together.
///
/// SQLite has one writer. Each unit of work still runs alone and in order. But while one runs,
/// the next ones queue at the gate, and the transaction stays open for them: each runs inside
/// a savepoint of the same transaction, and the last in line commits for all. Each unit of work
/// returns only once its transaction has committed, so what it acknowledges is stored as before.
/// A unit of work that throws is rolled back to its savepoint and leaves the others' work in
/// place. The one that begins the transaction needs no savepoint: nothing else is in it yet, so
/// if it throws, the whole transaction is rolled back and the next begins another. If the
/// commit itself fails, every unit of work in it fails. Under load, the cost of
/// beginning, committing and switching between writers is shared out; with no load, a unit of
/// work commits alone.
///
/// All of it runs on one thread of its own, the writer's: each unit's body, and the hand-over
/// of the gate from one unit to the next. The next unit is then resumed on the thread that is
/// already running, rather than woken on the shared pool and moved to its connection's
/// thread, two switches in the one stretch of time that no other write can share. (The leased
/// connection is called in place from this thread; its own thread waits meanwhile.)
final class SQLiteGroupCommit: Sendable {
    private let gate = AsyncGate()
    /// The writer's thread, started by the first write (a database only read, as by most
    /// command-line tools, never starts one); nil again once closed.
    private let writerThread = Mutex<(thread: ThreadExecutor?, closed: Bool)>((nil, false))
    private let pool: SQLiteConnectionPool
    private let logger: Logger
    /// Units of work committed together at most; the last of them commits.
    ///
    /// Sixteen, not more: every unit of a group waits for the group's commit, so a large group
    /// answers its callers all at once, and the writer then idles until their next requests
    /// come round. With 32 API clients writing, groups of up to 64 left the writer thread idle
    /// a quarter of the time; groups of 16 hand answers back while the next group runs, and
    /// the writer stays busy (`simgate bench http`, suspend/activate over 1,000 SIMs: 1,340-2,020
    /// req/s before, 2,660-2,740 after). Commits cost little next to that: 0.4-0.7 ms each.
    static let largestGroup = 16

    /// The transaction open for the group. Only the gate's holder touches it.
    private struct Group {
        var connection: SQLiteHandle?
        /// What its units of work read once and share.
        var reads = KeptReads()
        /// Units of work in it so far.
        var size = 0
        /// Units of work that ran and wait for the commit.
        var waiting: [CheckedContinuation<Bool, any Error>] = []
    }

    private let group = Mutex(Group())

    init(pool: SQLiteConnectionPool, logger: Logger) {
        self.pool = pool
        self.logger = logger
    }

    /// Runs `body` in the write transaction, in its turn; returns once that transaction has
    /// committed, or throws what `body` threw (its work undone) or why the commit failed.
    nonisolated(nonsending) func transaction<T: Sendable>(
        timeout: Duration, timers: any EventLoopGroup, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        return try await withTaskExecutorPreference(try writer()) {
            try await transactionOnWriterThread(timeout: timeout, timers: timers, body)
        }
    }

    /// The writer's thread, started now if it has not been; throws once closed.
    func writer() throws -> ThreadExecutor {
        try writerThread.withLock { state in
            guard !state.closed else { throw StoreError.databaseClosed }
            if let thread = state.thread { return thread }
            let thread = ThreadExecutor(name: "SimGate SQLite writer")
            state.thread = thread
            return thread
        }
    }

    /// Units of work waiting for their turn now (tests use it to know that a group has formed).
    var unitsWaiting: Int { gate.waiting }

    /// Ends the writer's thread once the database is closed; a write after that fails with
    /// ``StoreError/databaseClosed``.
    func close() {
        let thread = writerThread.withLock { state in
            defer { state = (nil, true) }
            return state.thread
        }
        thread?.stop()
    }

    private func transactionOnWriterThread<T: Sendable>(
        timeout: Duration, timers: any EventLoopGroup, _ body: (any SQLDatabase) async throws -> T
    ) async throws -> T {
        try await gate.enter(timeout: timeout, timers: timers)
        let connection: SQLiteHandle
        let groupReads: KeptReads
        let began: Int?
        do {
            (connection, groupReads, began) = try await openGroupIfNeeded()
        } catch {
            gate.leave()
            throw error
        }
        let database = SQLiteHandleDatabase(handle: connection, logger: logger, groupReads: groupReads)
        var intact = true
        let outcome: Result<T, any Error> = await {
            if let began {
                // The transaction holds this unit's work alone: rolled back whole if the unit
                // throws. A savepoint would cost two statements and SQLite's copy of every page
                // the unit changes into the savepoint's journal (3% of the writer's time under
                // an accounting flood).
                // Anything but a success in the transaction it began rolls that back whole.
                intact = false
                do {
                    let value = try await body(database)
                    // One that ended the transaction itself (as a full disk would) is not
                    // stored, even if it began another.
                    guard connection.isStillIn(transactionBegunAfter: began) else {
                        return .failure(StoreError.groupCommitFailed(reason: "the transaction ended before its commit"))
                    }
                    intact = true
                    return .success(value)
                } catch {
                    return .failure(error)
                }
            }
            do {
                try await database.raw("SAVEPOINT unit_of_work").run()
            } catch {
                intact = false
                return .failure(error)
            }
            do {
                let value = try await body(database)
                try await database.raw("RELEASE unit_of_work").run()
                return .success(value)
            } catch {
                // What this unit kept for the group may describe what is now undone.
                groupReads.forget()
                do {
                    try await database.raw("ROLLBACK TO unit_of_work").run()
                    try await database.raw("RELEASE unit_of_work").run()
                } catch {
                    // SQLite rolled the whole transaction back (a full disk, an I/O error).
                    intact = false
                }
                return .failure(error)
            }
        }()
        guard intact else {
            try? await endGroup(committing: false, reason: "\(outcome)")
            return try outcome.get()
        }
        switch outcome {
        case .success(let value):
            if try await handedOnBeforeCommit() { return value }
            try await endGroup(committing: true)
            return value
        case .failure(let error):
            // This unit's work is undone; the rest of the group is not this one's to wait for.
            if !gate.passToWaiter() { try? await endGroup(committing: true) }
            throw error
        }
    }

    /// Begins the group's transaction on a leased connection, unless one is open; returns it
    /// with what its units keep for one another and, when it was begun now, how many
    /// transactions the connection had ended by then (so that the first unit can tell that
    /// this one is still open).
    private func openGroupIfNeeded() async throws -> (SQLiteHandle, KeptReads, began: Int?) {
        if let open = group.withLock({ group -> (SQLiteHandle, KeptReads, began: Int?)? in
            group.size += group.connection == nil ? 0 : 1
            return group.connection.map { ($0, group.reads, nil) }
        }) { return open }
        let connection = try await pool.lease()
        do {
            try await SQLiteHandleDatabase(handle: connection, logger: logger).raw(SQLQueryString(DatabaseEngine.sqlite.beginWriteTransaction)).run()
        } catch {
            await pool.release(connection)
            throw error
        }
        let ended = connection.transactionsEnded
        return group.withLock { group in
            group.connection = connection
            group.size = 1
            return (connection, group.reads, ended)
        }
    }

    /// Waits for the group's commit if another unit of work takes the gate and so the group;
    /// `false` when none waits (or the group is full), and this one must commit.
    private func handedOnBeforeCommit() async throws -> Bool {
        guard group.withLock({ $0.size < Self.largestGroup }) else { return false }
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Bool, any Error>) in
            // Registered before the gate passes on: the next holder may commit at once.
            group.withLock { $0.waiting.append(continuation) }
            if !gate.passToWaiter() {
                // Nobody waits, and the gate is still this unit's: it commits itself.
                group.withLock { _ = $0.waiting.popLast() }
                continuation.resume(returning: false)
            }
        }
    }

    /// Commits (or rolls back) the group's transaction, tells the units of work waiting on it,
    /// gives the connection back and leaves the gate. Throws when a commit failed.
    private func endGroup(committing: Bool, reason: String = "") async throws {
        let (connection, waiting) = group.withLock { group in
            defer { group = Group() }
            return (group.connection, group.waiting)
        }
        var failure: (any Error)?
        if let connection {
            let database = SQLiteHandleDatabase(handle: connection, logger: logger)
            do {
                if committing {
                    do {
                        try await database.raw("COMMIT").run()
                    } catch {
                        try? await database.raw("ROLLBACK").run()
                        throw error
                    }
                } else {
                    try? await database.raw("ROLLBACK").run()
                }
            } catch {
                failure = error
            }
            await pool.release(connection)
        }
        let groupFailure: (any Error)? = failure.map { StoreError.groupCommitFailed(reason: "\($0)", storageFault: storageFault(in: $0)) }
            ?? (committing ? nil : StoreError.groupCommitFailed(reason: reason))
        for continuation in waiting {
            if let groupFailure { continuation.resume(throwing: groupFailure) } else { continuation.resume(returning: true) }
        }
        gate.leave()
        if let failure { throw failure }
    }
}
