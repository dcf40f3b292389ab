import Synchronization

/// What the RADIUS server has seen: counted here for tests, and passed on to an observer
/// (SimGate's Prometheus metrics) as it happens.
public final class RADIUSServerStatistics: Sendable {
    /// Why a datagram was dropped without an answer.
    public enum DropReason: String, Sendable, CaseIterable {
        case malformed, unknownClient = "unknown_client", badAuthenticator = "bad_authenticator"
        case missingMessageAuthenticator = "missing_message_authenticator", unexpectedCode = "unexpected_code"
        /// A copy of a request that is still being answered.
        case duplicateInFlight = "duplicate_in_flight"
        /// An Accounting-Request without Acct-Status-Type (RFC 2866 requires one).
        case missingStatusType = "missing_status_type"
        /// The handler chose not to answer (the request could not be recorded, for example).
        case notAnswered = "not_answered"
    }

    private struct Counts {
        var received: [RADIUSCode: Int] = [:]
        var replied: [RADIUSCode: Int] = [:]
        var answered = 0
        var retransmissionsAnswered = 0
        var dropped: [DropReason: Int] = [:]
    }

    private let counts = Mutex(Counts())
    private let observer: (any RADIUSServerObserver)?

    public init(observer: (any RADIUSServerObserver)? = nil) {
        self.observer = observer
    }

    /// Replies sent to new requests.
    public var answered: Int { counts.withLock { $0.answered } }
    /// Replies sent again from the cache to retransmitted requests.
    public var retransmissionsAnswered: Int { counts.withLock { $0.retransmissionsAnswered } }
    public func dropped(_ reason: DropReason) -> Int { counts.withLock { $0.dropped[reason, default: 0] } }
    /// Well-formed requests from known clients, by code, whatever became of them.
    public func received(_ code: RADIUSCode) -> Int { counts.withLock { $0.received[code, default: 0] } }
    /// Replies sent, by code, retransmissions included.
    public func replied(_ code: RADIUSCode) -> Int { counts.withLock { $0.replied[code, default: 0] } }

    func recordRequest(_ code: RADIUSCode) {
        counts.withLock { $0.received[code, default: 0] += 1 }
        observer?.requestReceived(code)
    }

    func recordAnswer(_ code: RADIUSCode, retransmission: Bool) {
        counts.withLock {
            retransmission ? ($0.retransmissionsAnswered += 1) : ($0.answered += 1)
            $0.replied[code, default: 0] += 1
        }
        observer?.replySent(code, retransmission: retransmission)
    }

    /// Counts a drop; returns how many of this reason there have been so far.
    @discardableResult
    func recordDrop(_ reason: DropReason) -> Int {
        let total = counts.withLock { counts -> Int in
            counts.dropped[reason, default: 0] += 1
            return counts.dropped[reason, default: 0]
        }
        observer?.requestDropped(reason)
        return total
    }
}

/// Told of every request, reply and drop of one RADIUS server, as it happens.
public protocol RADIUSServerObserver: Sendable {
    func requestReceived(_ code: RADIUSCode)
    func replySent(_ code: RADIUSCode, retransmission: Bool)
    func requestDropped(_ reason: RADIUSServerStatistics.DropReason)
}
