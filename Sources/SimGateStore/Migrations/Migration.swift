/// One numbered change to the schema, written once in SQL that both engines accept.
struct Migration: Sendable {
    /// Applied in increasing order; never renumbered once released.
    let version: Int
    /// A short snake_case name, recorded beside the version in `schema_migrations`.
    let name: String
    /// Statements run in order inside one transaction.
    let statements: [String]
}
