import Synchronization

/// What the RADIUS server has seen, for metrics and tests.
public final class RADIUSServerStatistics: Sendable {
    /// Why a datagram was dropped.
    public enum DropReason: String, Sendable, CaseIterable {
        case malformed, unknownClient = "unknown_client", badAuthenticator = "bad_authenticator"
        case missingMessageAuthenticator = "missing_message_authenticator", unexpectedCode = "unexpected_code"
        /// A copy of a request that is still being answered.
        case duplicateInFlight = "duplicate_in_flight"
    }

    private struct Counts {
        var answered = 0
        var retransmissionsAnswered = 0
        var dropped: [DropReason: Int] = [:]
    }

    private let counts = Mutex(Counts())

    public init() {}

    public var answered: Int { counts.withLock { $0.answered } }
    public var retransmissionsAnswered: Int { counts.withLock { $0.retransmissionsAnswered } }
    public func dropped(_ reason: DropReason) -> Int { counts.withLock { $0.dropped[reason, default: 0] } }

    func recordAnswer(retransmission: Bool) {
        counts.withLock { retransmission ? ($0.retransmissionsAnswered += 1) : ($0.answered += 1) }
    }

    func recordDrop(_ reason: DropReason) {
        counts.withLock { $0.dropped[reason, default: 0] += 1 }
    }
}
