import Prometheus
import SimGateCore
import SimGateRADIUS
import SimGateStore
import Synchronization

/// RADIUS series for `/metrics`: requests, replies and drops per port, accounting batches
/// and their commit time, and how gateways answered Disconnect-Requests.
struct RADIUSMetrics: Sendable {
    /// The Prometheus registry the series are written to.
    let registry: PrometheusCollectorRegistry
    /// Made once: made again for every batch, through the registry's lookup by name, they were
    /// most of a small batch's bookkeeping outside SQLite.
    private let batchSizes: ValueHistogram
    private let commitTimes: DurationHistogram

    /// - Parameter registry: the app's registry; a registry of their own for parts tested alone.
    init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        batchSizes = registry.makeValueHistogram(descriptor: Self.batchSize, buckets: [1, 2, 5, 10, 25, 50, 100, 250, 500])
        commitTimes = registry.makeDurationHistogram(
            descriptor: Self.commitTime,
            buckets: [.milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
                      .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(5)]
        )
    }

    /// The observer for one port's server, telling `other` too when there is one.
    func server(_ role: RADIUSPortRole, alongside other: (any RADIUSServerObserver)? = nil) -> any RADIUSServerObserver {
        ServerObserver(registry: registry, port: role.rawValue, other: other)
    }

    /// A committed accounting batch: how many reports it held and how long the transaction took.
    func accountingBatchCommitted(size: Int, duration: Duration) {
        batchSizes.record(Double(size))
        commitTimes.record(duration)
    }

    /// An accounting report was answered but stored nothing, for `reason`.
    func accountingReportRefused(_ reason: String) {
        registry.makeCounter(descriptor: Self.refused, labels: [("reason", reason)]).increment()
    }

    /// How one Disconnect-Request ended.
    func disconnect(_ outcome: DisconnectOutcome) {
        registry.makeCounter(descriptor: Self.disconnects, labels: [("outcome", outcome.rawValue)]).increment()
    }

    private static func radius(_ name: String, unit: String, help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "simgate", subsystem: "radius", metricName: name, unitName: unit, helpText: help)
    }

    /// Counter of well-formed requests from configured clients, by port and code.
    static var requests: MetricNameDescriptor { radius("requests", unit: "total", help: "Well-formed RADIUS requests from configured clients, by port and code.") }
    /// Counter of replies sent, by port, code and whether resent from the reply cache.
    static var replies: MetricNameDescriptor { radius("replies", unit: "total", help: "RADIUS replies sent, by port and code; retransmission=true when resent from the reply cache.") }
    /// Counter of datagrams dropped without an answer, by port and reason.
    static var dropped: MetricNameDescriptor { radius("dropped", unit: "total", help: "RADIUS datagrams dropped without an answer, by port and reason.") }
    /// Counter of pauses in reading because the port's backlog of unanswered requests was full.
    static var backlogFull: MetricNameDescriptor {
        radius("backlog_full", unit: "total", help: "Times a RADIUS port stopped reading because as many requests as it allows were waiting to be recorded.")
    }
    /// Histogram of how many accounting reports each commit held.
    static var batchSize: MetricNameDescriptor { radius("accounting_batch_size", unit: "", help: "Accounting reports committed together in one transaction.") }
    /// Histogram of the time to write and commit one accounting batch.
    static var commitTime: MetricNameDescriptor { radius("accounting_commit", unit: "seconds", help: "Time to write and commit one accounting batch.") }
    /// Counter of accounting reports answered but not stored, by reason.
    static var refused: MetricNameDescriptor { radius("accounting_refused", unit: "total", help: "Accounting reports answered but not stored, by reason.") }
    /// Counter of Disconnect-Requests sent, by how the gateway answered.
    static var disconnects: MetricNameDescriptor { radius("disconnects", unit: "total", help: "Disconnect-Requests sent, by how the gateway answered.") }

    /// One port's observer. Each counter is looked up in the registry once, when its code is
    /// first seen, and kept: asking the registry for it on every datagram (which builds and
    /// hashes its name and labels) was 5% of an accounting update's CPU.
    private final class ServerObserver: RADIUSServerObserver {
        let registry: PrometheusCollectorRegistry
        let port: String
        let other: (any RADIUSServerObserver)?
        /// Requests' counters by code; replies' by code, times two for fresh and resent.
        private let counters = Mutex<(requests: [Counter?], replies: [Counter?])>(
            (Array(repeating: nil, count: 256), Array(repeating: nil, count: 512))
        )

        init(registry: PrometheusCollectorRegistry, port: String, other: (any RADIUSServerObserver)?) {
            self.registry = registry
            self.port = port
            self.other = other
        }

        func requestReceived(_ code: RADIUSCode) {
            other?.requestReceived(code)
            let index = Int(code.rawValue)
            counters.withLock { counters in
                if let counter = counters.requests[index] { return counter }
                let counter = registry.makeCounter(descriptor: RADIUSMetrics.requests, labels: [("port", port), ("code", code.metricName)])
                counters.requests[index] = counter
                return counter
            }.increment()
        }

        func replySent(_ code: RADIUSCode, retransmission: Bool) {
            other?.replySent(code, retransmission: retransmission)
            let index = Int(code.rawValue) * 2 + (retransmission ? 1 : 0)
            counters.withLock { counters in
                if let counter = counters.replies[index] { return counter }
                let counter = registry.makeCounter(
                    descriptor: RADIUSMetrics.replies,
                    labels: [("port", port), ("code", code.metricName), ("retransmission", retransmission ? "true" : "false")]
                )
                counters.replies[index] = counter
                return counter
            }.increment()
        }

        func requestDropped(_ reason: RADIUSServerStatistics.DropReason) {
            other?.requestDropped(reason)
            registry.makeCounter(descriptor: RADIUSMetrics.dropped, labels: [("port", port), ("reason", reason.rawValue)]).increment()
        }

        func backlogFull() {
            other?.backlogFull()
            registry.makeCounter(descriptor: RADIUSMetrics.backlogFull, labels: [("port", port)]).increment()
        }
    }
}

extension RADIUSCode {
    /// The code as a metric label (`access_request`).
    var metricName: String {
        switch self {
        case .accessRequest: "access_request"
        case .accessAccept: "access_accept"
        case .accessReject: "access_reject"
        case .accountingRequest: "accounting_request"
        case .accountingResponse: "accounting_response"
        case .accessChallenge: "access_challenge"
        case .statusServer: "status_server"
        case .disconnectRequest: "disconnect_request"
        case .disconnectACK: "disconnect_ack"
        case .disconnectNAK: "disconnect_nak"
        case .coaRequest: "coa_request"
        case .coaACK: "coa_ack"
        case .coaNAK: "coa_nak"
        }
    }
}

extension RADIUSPortRole {
    /// The RADIUS module's name for the same port.
    var serverRole: RADIUSServer.Role {
        switch self {
        case .authentication: .authentication
        case .accounting: .accounting
        }
    }
}
