import Logging
import Synchronization

/// A read connection kept for one caller whose answers must not queue behind other work: the
/// RADIUS authentication port, which answers Access-Requests on an event loop of its own.
///
/// A read through the pool leases a connection from the pool's actor, moves to the
/// connection's thread and back, then returns it through the actor again: four hand-overs, each
/// of which waits its turn on the shared threads, busy with accounting under load. On SQLite,
/// this connection is instead called in place, on the caller's own thread. Its caller runs
/// one read at a time (the connection serialises any others). On PostgreSQL reads go through
/// the pool as usual.
public final class ReservedReader: Sendable {
    private let path: String?
    private let name: String

    private struct State {
        var connection: SQLiteHandle?
        var closed = false
    }

    private let state = Mutex(State())

    init(sqlitePath path: String?, name: String) {
        self.path = path
        self.name = name
    }

    /// The connection, opened on first use; nil on PostgreSQL.
    func connection() async throws -> SQLiteHandle? {
        guard let path else { return nil }
        if let open = try state.withLock({ state throws -> SQLiteHandle? in
            guard !state.closed else { throw StoreError.databaseClosed }
            return state.connection
        }) { return open }
        let opened = try await SQLiteHandle.open(path: path, name: name)
        let raced: SQLiteHandle? = state.withLock { state in
            guard !state.closed, state.connection == nil else { return opened }
            state.connection = opened
            return nil
        }
        // Another read opened one first, or the database closed meanwhile.
        if let raced {
            raced.close()
            raced.stopThread()
            return try await connection()
        }
        return opened
    }

    /// Closes the connection; reads after this fail with ``StoreError/databaseClosed``.
    func close() {
        let connection = state.withLock { state in
            state.closed = true
            defer { state.connection = nil }
            return state.connection
        }
        connection?.close()
        connection?.stopThread()
    }
}
