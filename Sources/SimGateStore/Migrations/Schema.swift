/// The schema, as the list of its migrations.
///
/// Portable SQL only: TEXT, BIGINT and INTEGER columns; times are BIGINT epoch milliseconds
/// (the two drivers store `Date` differently); JSON is TEXT; booleans are nullable times
/// (`revoked_at`) or INTEGER 0/1.
enum Schema {
    /// Every migration, in the order of their versions.
    static let migrations: [Migration] = [
        foundation, payments, usage, usagePlaces, gateHardening, billingSemantics, typedJobs, usageGranularity, activateOnFirstUse, automation, tariffPrices,
        usageOwners, statements, dashboardSessions, fleetOverview, usagePartitions, eventsByTime, runningJobsByKey, usageLastData, idempotencyClaims,
        trials,
        ruleStatesBySim,
        sessionStartClocks,
        trialGrants,
        sessionsFirstHeard,
        usageImportKeysByAccount,
        trialEnds,
    ]
}
