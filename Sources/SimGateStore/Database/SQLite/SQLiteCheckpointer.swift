import Logging
import Synchronization
// The SQLite library SQLiteNIO builds, called here directly for its log hook and checkpoints.
import VaporCSQLite

/// Copies SQLite's write-ahead log back into the database file on a connection and thread of
/// its own, so that the writer seldom does.
///
/// By default the commit that takes the log past 1,000 pages copies it back itself, and syncs
/// the file, while every write queued behind it waits: under `simgate bench http`'s
/// suspend/activate load that was a fifth of the writer thread's time. Here each connection's
/// commits only report the log's length (`sqlite3_wal_hook`), and past ``threshold`` this
/// runs a passive checkpoint, which blocks no writer or reader, on its own thread.
///
/// SQLite starts the log over only when a write begins with all of it copied back, and under
/// steady writes a checkpoint running beside them never quite catches up. So past
/// ``writerTakesOver`` the committing writer checkpoints too, as SQLite's default would have:
/// by then the checkpointer has copied all but the last few pages, the log starts over at the
/// next write, and the file stays under about 16 MB.
final class SQLiteCheckpointer: Sendable {
    /// The log length, in pages, that starts a checkpoint: SQLite's own default.
    static let threshold: Int32 = 1_000
    /// The log length at which the committing writer checkpoints itself.
    static let writerTakesOver: Int32 = 4_000

    private struct State {
        /// Opened on the first checkpoint, on a thread of its own.
        var connection: SQLiteHandle?
        /// A checkpoint runs or is about to; reports meanwhile only ask for another after it.
        var running = false
        /// The log grew past the threshold while a checkpoint ran.
        var again = false
        var closed = false
        /// Checkpoints run so far.
        var completed = 0
        /// Callers of ``checkpointsRun(atLeast:)`` waiting for a count.
        var waiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let path: String
    private let logger: Logger
    private let state = Mutex(State())

    init(path: String, logger: Logger) {
        self.path = path
        self.logger = logger
    }

    /// Returns once `count` checkpoints have run here (for tests; the caller bounds the wait).
    func checkpointsRun(atLeast count: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { state -> Bool in
                if state.completed >= count { return true }
                state.waiters.append((count, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Has `connection`'s commits report the log's length here. This replaces the
    /// connection's own automatic checkpoint, which is the same hook.
    func watch(_ connection: SQLiteHandle) {
        connection.onLogGrowth(Unmanaged.passUnretained(self).toOpaque()) { context, raw, _, pages in
            guard let context else { return SQLITE_OK }
            let checkpointer = Unmanaged<SQLiteCheckpointer>.fromOpaque(context).takeUnretainedValue()
            if pages >= SQLiteCheckpointer.writerTakesOver {
                sqlite_nio_sqlite3_wal_checkpoint_v2(raw, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil)
            } else if pages >= SQLiteCheckpointer.threshold {
                checkpointer.logGrew()
            }
            return SQLITE_OK
        }
    }

    /// Stops checkpointing and closes the connection, after a checkpoint that runs.
    func close() {
        let connection = state.withLock { state -> SQLiteHandle? in
            state.closed = true
            defer { state.connection = nil }
            return state.connection
        }
        if let connection {
            connection.close()
            connection.stopThread()
        }
    }

    /// Called on a committing connection's thread: starts a checkpoint unless one runs, in
    /// which case another follows it.
    private func logGrew() {
        let start = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            if state.running {
                state.again = true
                return false
            }
            state.running = true
            return true
        }
        guard start else { return }
        Task { await self.checkpointUntilCaughtUp() }
    }

    private func checkpointUntilCaughtUp() async {
        do {
            let connection = try await self.connection()
            while let connection {
                await withTaskExecutorPreference(connection.thread) { connection.checkpointPassively() }
                let (more, due) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
                    state.completed += 1
                    let more = state.again && !state.closed
                    state.again = false
                    if !more { state.running = false }
                    let due = state.waiters.filter { $0.count <= state.completed }.map(\.continuation)
                    state.waiters.removeAll { $0.count <= state.completed }
                    return (more, due)
                }
                for waiter in due { waiter.resume() }
                if !more { return }
            }
        } catch {
            logger.warning("Could not open the SQLite checkpoint connection; commits checkpoint instead", metadata: ["error": "\(error)"])
        }
        state.withLock { $0.running = false }
    }

    /// The checkpoint connection, opened on first use; nil once closed.
    private func connection() async throws -> SQLiteHandle? {
        if let open = state.withLock({ $0.closed ? nil : $0.connection }) { return open }
        if state.withLock({ $0.closed }) { return nil }
        let opened = try await SQLiteHandle.open(path: path, name: "SimGate SQLite checkpoints")
        let kept = state.withLock { state -> Bool in
            guard !state.closed else { return false }
            state.connection = opened
            return true
        }
        guard kept else {
            opened.close()
            opened.stopThread()
            return nil
        }
        return opened
    }
}
