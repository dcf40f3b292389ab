import Synchronization

/// What the RADIUS server has seen: counted here for tests, and passed on to an observer
/// (SimGate's Prometheus metrics) as it happens.
public final class RADIUSServerStatistics: Sendable {
    /// Why a datagram was dropped without an answer.
    public enum DropReason: String, Sendable, CaseIterable {
        /// Not a RADIUS packet; from an address no client covers; an authenticator that did not verify.
        case malformed, unknownClient = "unknown_client", badAuthenticator = "bad_authenticator"
        /// No Message-Authenticator where one is required; a Code this port does not take.
        case missingMessageAuthenticator = "missing_message_authenticator", unexpectedCode = "unexpected_code"
        /// A copy of a request that is still being answered.
        case duplicateInFlight = "duplicate_in_flight"
        /// An Accounting-Request without Acct-Status-Type (RFC 2866 requires one).
        case missingStatusType = "missing_status_type"
        /// The handler chose not to answer (the request could not be recorded, for example).
        case notAnswered = "not_answered"
        /// The reply, with the request's Proxy-State attributes echoed, would pass 4,096 octets.
        case replyTooLarge = "reply_too_large"
    }

    /// Received and replied are counted by code value, in arrays rather than dictionaries:
    /// every datagram adds to both.
    private struct Counts {
        var received = [Int](repeating: 0, count: 256)
        var replied = [Int](repeating: 0, count: 256)
        var answered = 0
        var retransmissionsAnswered = 0
        var dropped: [DropReason: Int] = [:]
        var backlogFull = 0
    }

    private let counts = Mutex(Counts())
    private let observer: (any RADIUSServerObserver)?

    /// `observer` is told of every event as it is counted; `nil` for none.
    public init(observer: (any RADIUSServerObserver)? = nil) {
        self.observer = observer
    }

    /// Replies sent to new requests.
    public var answered: Int { counts.withLock { $0.answered } }
    /// Replies sent again from the cache to retransmitted requests.
    public var retransmissionsAnswered: Int { counts.withLock { $0.retransmissionsAnswered } }
    /// Datagrams dropped so far for `reason`.
    public func dropped(_ reason: DropReason) -> Int { counts.withLock { $0.dropped[reason, default: 0] } }
    /// Times the port stopped reading because as many requests as it allows waited for answers.
    public var backlogFull: Int { counts.withLock { $0.backlogFull } }
    /// Well-formed requests from known clients, by code, whatever became of them.
    public func received(_ code: RADIUSCode) -> Int { counts.withLock { $0.received[Int(code.rawValue)] } }
    /// Replies sent, by code, retransmissions included.
    public func replied(_ code: RADIUSCode) -> Int { counts.withLock { $0.replied[Int(code.rawValue)] } }

    /// Counts a well-formed request from a known client, before its authenticators are checked.
    func recordRequest(_ code: RADIUSCode) {
        counts.withLock { $0.received[Int(code.rawValue)] += 1 }
        observer?.requestReceived(code)
    }

    /// Counts a reply sent, fresh or from the reply cache (`retransmission`).
    func recordAnswer(_ code: RADIUSCode, retransmission: Bool) {
        counts.withLock {
            retransmission ? ($0.retransmissionsAnswered += 1) : ($0.answered += 1)
            $0.replied[Int(code.rawValue)] += 1
        }
        observer?.replySent(code, retransmission: retransmission)
    }

    /// Counts a pause in reading for a full backlog; returns how many there have been so far.
    func recordBacklogFull() -> Int {
        let total = counts.withLock { counts in
            counts.backlogFull += 1
            return counts.backlogFull
        }
        observer?.backlogFull()
        return total
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
    /// A well-formed request came from a known client (its authenticators are not yet checked).
    func requestReceived(_ code: RADIUSCode)
    /// A reply went out; `retransmission` when it was resent from the reply cache.
    func replySent(_ code: RADIUSCode, retransmission: Bool)
    /// A datagram was dropped without an answer.
    func requestDropped(_ reason: RADIUSServerStatistics.DropReason)
    /// The port stopped reading: as many requests as it allows are waiting for answers.
    func backlogFull()
}

extension RADIUSServerObserver {
    /// Observers that only count requests, replies and drops need not count pauses.
    public func backlogFull() {}
}
