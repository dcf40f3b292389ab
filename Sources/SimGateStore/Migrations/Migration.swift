/// One numbered change to the schema, written once in SQL that both engines accept, with
/// what only one engine has or needs (PostgreSQL's table partitioning, SQLite's table
/// rebuilds, each one's date functions) apart.
struct Migration: Sendable {
    /// Applied in increasing order; never renumbered once released.
    let version: Int
    /// A short snake_case name, recorded beside the version in `schema_migrations`.
    let name: String
    /// Statements run in order inside one transaction.
    let statements: [String]
    /// Statements run after `statements`, in the same transaction, on PostgreSQL only.
    var postgresStatements: [String] = []
    /// Statements run after `statements`, in the same transaction, on SQLite only.
    var sqliteStatements: [String] = []
    /// Statements run on SQLite after the migration has committed, each on its own outside
    /// any transaction, and again at every later start: each must be a no-op once done (`DROP TABLE IF
    /// EXISTS`), so one cut short by a crash is finished next time. A table dropped inside
    /// the migration's transaction held a copy of all its pages in memory until the commit.
    var sqliteAfterCommit: [String] = []
}
