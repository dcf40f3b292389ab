/// Failures of the storage layer itself (not of the domain).
public enum StoreError: Error, Sendable, Equatable {
    /// The database was closed while work was still asked of it.
    case databaseClosed
    /// The SQLite transaction this unit of work was committed with (together with others)
    /// failed to commit, so its work was rolled back: `reason` says why, and `storageFault`
    /// what the storage refused, when that was the cause (see ``storageFault(in:)``).
    case groupCommitFailed(reason: String, storageFault: String? = nil)
    /// Every connection stayed busy (or none could be opened) for this long; the request was
    /// given up rather than left waiting.
    case connectionUnavailable(waited: Duration)
    /// The database ended the connection a unit of work was using (PostgreSQL closed the
    /// session: it restarted, or the session sat idle in its transaction too long): the unit
    /// of work was not committed.
    case connectionLost
    /// The database ended the connection while the unit of work's COMMIT was on its way: it
    /// may have been committed or not, and only reading it back tells.
    case connectionLostAtCommit
    /// A stored value could not be read back as its domain type.
    case corruptRow(table: String, column: String, value: String)
    /// The configuration could not be understood.
    case invalidConfiguration(String)
}
