import Logging
import Synchronization
import VaporCSQLite

/// Copies SQLite's write-ahead log back into the database file on a connection and thread of
/// its own, so that no write waits for it.
///
/// SQLite's own way is to copy the log in the commit that takes it past 1,000 pages, on the
/// committing connection: about 11 ms, most of it two `fsync` calls, during which every write
/// queued behind that commit waits. Here the commit only notes how long the log has grown
/// (SQLite tells every connection's commits to ``logGrew(to:)``), and once 1,000 pages are
/// waiting to be copied, this connection copies them while the writer goes on. It is a
/// passive copy: writers and readers go on meanwhile, and it stops short of pages a reader
/// still uses.
///
/// SQLite starts the log over from its beginning only when a write begins with every page of
/// it copied. A writer that never pauses may not leave such a moment, and the log would then
/// grow without end, with every read searching more of it (with no copying at all, `bench
/// http`'s writes over 1,000 SIMs fell from about 6,200 requests/s to 4,600). So once the log
/// reaches ``ConnectionLimits/sqliteLogLimitPages``, no copy starts here, and each commit
/// copies what is left itself, as SQLite would have, until one finds the file free (the copy
/// under way here ends) and copies it all: that copy is short, since the background has done
/// most of it, and the log starts over at the next write. A reader that keeps old pages in use
/// holds the log long, here as with SQLite's own copying.
///
/// Measured with `bench http`, three runs each way, alternated: suspend/activate over 1,000
/// SIMs 0.26-0.29x the no-op route with SQLite's own copying, 0.29-0.35x with this; on one
/// SIM 0.27-0.38x against 0.39-0.44x. The copying still takes CPU, on two cores the server
/// shares with the load, so the gain is less than the writer's share of time it frees.
final class SQLiteCheckpointer: Sendable {
    private let path: String
    private let logger: Logger
    /// Pages waiting to be copied at which a copy starts in the background.
    private let threshold: Int
    /// Log length in pages at which the committing connection copies it itself.
    private let limit: Int

    private struct State {
        /// This checkpointer's own connection, opened by its first copy.
        var connection: SQLiteHandle?
        /// The copy under way, if any; ``close()`` waits for it.
        var copying: Task<Void, Never>?
        /// The log's length in pages after the latest commit.
        var logPages = 0
        /// How much of the log, in pages from its beginning, is known to be copied.
        var copiedPages = 0
        /// The log length before which no copy starts again, after one that copied nothing
        /// (a reader still used the pages, or the copy failed); 0 when none is put off.
        var nextTryAt = 0
        var closed = false
        var counts = Counts()
    }

    /// How many copies were made, and where; tests read these.
    struct Counts: Equatable {
        /// Copies this checkpointer made on its own connection.
        var background = 0
        /// Copies a committing connection made itself, the log being at its limit.
        var inline = 0
    }

    private let state = Mutex(State())

    /// A checkpointer for the file at `path`; it opens its connection when it first copies.
    init(path: String, threshold: Int, limit: Int, logger: Logger) {
        self.path = path
        self.threshold = threshold
        self.limit = limit
        self.logger = logger
    }

    /// The copies made so far.
    var counts: Counts { state.withLock { $0.counts } }

    /// Returns once the copy under way, if any, is done (tests use it to await the copier).
    func settled() async {
        await state.withLock { $0.copying }?.value
    }

    /// What a commit that left the log `pages` long must do. Starts a copy in the background
    /// when enough waits to be copied; returns `true` when the log is at its limit and the
    /// committing connection must copy it now. At the limit no background copy starts: only
    /// one copy runs at a time, and the commits' copies must not find the file taken.
    func logGrew(to pages: Int) -> Bool {
        state.withLock { state in
            // A log shorter than at the last commit has started over.
            if pages < state.logPages { (state.copiedPages, state.nextTryAt) = (0, 0) }
            state.logPages = pages
            guard !state.closed, state.copying == nil, pages < limit, pages >= state.nextTryAt,
                  pages - state.copiedPages >= threshold else { return }
            state.copying = Task { await self.copyWhileBehind() }
        }
        return pages >= limit
    }

    /// Records a copy a committing connection made itself, which left `copied` pages copied.
    func copiedInline(copied: Int) {
        state.withLock { state in
            state.counts.inline += 1
            state.copiedPages = copied
        }
    }

    /// Waits for a copy under way, then closes the connection and ends its thread.
    func close() async {
        let copying = state.withLock { state in
            state.closed = true
            return state.copying
        }
        await copying?.value
        let connection = state.withLock { state in
            defer { state.connection = nil }
            return state.connection
        }
        connection?.close()
        connection?.stopThread()
    }

    /// Copies the log, and again while commits meanwhile have left enough to copy. A copy that
    /// copies nothing new (a reader in another transaction or process still uses the pages,
    /// the file is busy, or the copy failed) puts the next one off until the log has grown by
    /// the threshold again, rather than trying again at once, in a loop, for as long as the
    /// reader reads.
    private func copyWhileBehind() async {
        while true {
            let progressed = await copyOnce()
            let again = state.withLock { state -> Bool in
                if !progressed { state.nextTryAt = state.logPages + threshold }
                guard progressed, !state.closed, state.logPages < limit, state.logPages - state.copiedPages >= threshold else {
                    state.copying = nil
                    return false
                }
                return true
            }
            guard again else { return }
        }
    }

    /// One passive copy; returns whether it copied pages not copied before.
    private func copyOnce() async -> Bool {
        do {
            guard let connection = try await openedConnection() else { return false }
            let before = state.withLock { $0.copiedPages }
            let (code, copied) = await withTaskExecutorPreference(connection.thread) { connection.checkpointPassively() }
            // Busy: another process (the command line, another instance) copies it meanwhile.
            if code != SQLITE_OK, code & 0xFF != SQLITE_BUSY {
                logger.warning("Copying SQLite's log into the database failed", metadata: ["code": "\(code)"])
            }
            guard code == SQLITE_OK else { return false }
            return state.withLock { state in
                state.counts.background += 1
                state.copiedPages = copied
                return copied > before
            }
        } catch {
            logger.warning("Could not open SQLite's log copier", metadata: ["error": "\(error)"])
            return false
        }
    }

    /// This checkpointer's connection, opened on first use; nil once closed.
    private func openedConnection() async throws -> SQLiteHandle? {
        if let open = state.withLock({ $0.connection }) { return open }
        let opened = try await SQLiteHandle.open(path: path, name: "SimGate SQLite log copier")
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
