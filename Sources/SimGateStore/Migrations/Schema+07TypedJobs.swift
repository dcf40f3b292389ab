

extension Schema {
    /// Job payloads become JSON objects of their kind's parameters; jobs queued before carry
    /// the bare id they were about.
    static let typedJobs = Migration(version: 7, name: "typed_jobs", statements: [
        """
        UPDATE jobs SET payload = '{"sim":"' || payload || '"}'
        WHERE kind IN ('radius.disconnect', 'payment.evaluate') AND payload NOT LIKE '{%'
        """,
        """
        UPDATE jobs SET payload = '{"gateway_event":"' || payload || '"}'
        WHERE kind = 'gateway_event.apply' AND payload NOT LIKE '{%'
        """,
    ])
}
