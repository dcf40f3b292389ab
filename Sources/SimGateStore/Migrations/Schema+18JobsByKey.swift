extension Schema {
    /// A job waits while an earlier one with its unique key still runs; the claim asks this
    /// index whether one does, a probe per candidate instead of a scan.
    static let runningJobsByKey = Migration(version: 18, name: "running_jobs_by_key", statements: [
        "CREATE INDEX jobs_running_by_unique_key ON jobs (unique_key) WHERE state = 'running'",
    ])
}
