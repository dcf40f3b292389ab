import SimGateRADIUS

/// Which of SimGate's two RADIUS ports.
public enum RADIUSPortRole: String, Sendable {
    /// The Access-Request port (1812 by default).
    case authentication
    /// The Accounting-Request port (1813 by default).
    case accounting
}

/// How SimGate serves RADIUS to the data network.
public struct RADIUSSettings: Sendable {
    /// Whether to listen at all.
    public var enabled = true
    /// Address to listen on. Default `127.0.0.1`; set the gateways' side of the network in production.
    public var host = "127.0.0.1"
    /// Authentication port (Access-Request). Default 1812; 0 picks a free port (tests).
    public var authenticationPort = 1_812
    /// Accounting port (Accounting-Request). Default 1813; 0 picks a free port (tests).
    public var accountingPort = 1_813
    /// Gateways allowed to ask, each with its shared secret. None by default: every request is dropped.
    public var clients: [RADIUSClient] = []
    /// Acct-Interim-Interval sent in Access-Accept, in seconds.
    public var interimInterval: UInt32 = 300
    /// How long to wait for a gateway's answer to a Disconnect-Request, and how many times to send it.
    public var disconnectTimeout: Duration = .seconds(2)
    /// How many times a Disconnect-Request is sent before giving up. Default 3.
    public var disconnectAttempts = 3
    /// Longest an accounting batch waits for more reports while they keep coming (see
    /// `AccountingBatcher`). Zero by default: every batch is written at once.
    public var accountingCommitDelay: Duration = .zero

    /// The defaults: enabled on `127.0.0.1`, ports 1812 and 1813, no clients.
    public init() {}

    /// Reads `SIMGATE_RADIUS_CLIENTS`: comma-separated `address=secret` entries, where the
    /// address is an IP or an IPv4 network in CIDR form (`127.0.0.1=s3cret,10.20.0.0/16=other`).
    /// Each gateway takes Disconnect-Requests on `coaPort`.
    /// - Throws: ``ClientEntryError`` for the first entry that is not `address=secret` with an
    ///   IP address or IPv4 network: a gateway left out by a typo would be dropped in silence.
    public static func clients(parsing text: String, coaPort: Int = 3_799) throws -> [RADIUSClient] {
        var seen: [String: String] = [:]
        return try text.split(separator: ",").enumerated().compactMap { index, entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            // The secret never goes into an error message (they end up in logs). An entry with
            // no `=` is not shown either: it is most likely a secret written with another
            // separator (`127.0.0.1:secret`), or the tail of one that held a comma.
            // An address that is not one may be the tail of a secret that held a comma and an
            // `=` (`a,b=c`): only an address SimGate can read is shown.
            let shown = parts.count != 2 ? "entry \(index + 1), which has no '=' (not shown: it may hold a secret)"
                : RADIUSClientTable.accepts(parts[0]) || parts[0].isEmpty ? "\(parts[0])=(secret hidden)"
                : "entry \(index + 1), whose address is not one (not shown: it may hold a secret)"
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty, RADIUSClientTable.accepts(parts[0]) else {
                throw ClientEntryError(entry: shown, problem: .unreadable)
            }
            // Two secrets for one address: which one a gateway must use would be a guess. The
            // same entry twice says nothing new.
            if let earlier = seen[parts[0]] {
                guard earlier == parts[1] else { throw ClientEntryError(entry: shown, problem: .addressTwice) }
                return nil
            }
            seen[parts[0]] = parts[1]
            return RADIUSClient(name: parts[0], address: parts[0], secret: parts[1], coaPort: coaPort)
        }
    }

    /// An entry of `SIMGATE_RADIUS_CLIENTS` that cannot be used.
    public struct ClientEntryError: Error, Sendable {
        /// What is wrong with it.
        public enum Problem: Sendable { case unreadable, addressTwice }
        /// The entry as written, its secret left out.
        public let entry: String
        /// What is wrong with it.
        public let problem: Problem
    }
}
