import Prometheus

/// The webhook series on `/metrics`: attempts by outcome, and how long they took.
struct WebhookMetrics: Sendable {
    /// The Prometheus registry the series are written to.
    let registry: PrometheusCollectorRegistry

    /// One attempt ended: `succeeded` (2xx), `failed` (another status) or `error` (no answer,
    /// a timeout, a refused address), after `seconds`.
    func attempt(_ outcome: String, seconds: Double) {
        registry.makeCounter(descriptor: Self.attempts, labels: [("outcome", outcome)]).increment()
        registry.makeValueHistogram(descriptor: Self.latency, buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30]).record(seconds)
    }

    /// Counter of delivery attempts, by outcome.
    static var attempts: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "simgate", subsystem: "webhook", metricName: "attempts", unitName: "total", helpText: "Webhook delivery attempts, by outcome: succeeded (2xx), failed (another status), error (no answer).")
    }
    /// Histogram of how long attempts took, answer or not.
    static var latency: MetricNameDescriptor {
        MetricNameDescriptor(namespace: "simgate", subsystem: "webhook", metricName: "attempt_duration", unitName: "seconds", helpText: "Time from sending a webhook delivery to its answer, or to giving up.")
    }
}
