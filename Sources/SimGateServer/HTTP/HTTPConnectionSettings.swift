import Foundation

/// How long an HTTP connection may sit idle and how many may be open at once: the bounds that
/// keep connections nobody uses from holding the server's file descriptors and memory.
public struct HTTPConnectionSettings: Sendable, Equatable {
    /// Seconds a connection may go without sending anything while no answer is being written:
    /// before its first request, between requests, and in the middle of a request's headers or
    /// body. A request that has been read may take as long as its answer does (the dashboard's
    /// live updates last minutes).
    public var idleTimeout: TimeInterval = 30
    /// Seconds a request may take to arrive whole once its head is read, and one more for
    /// each 16 KiB of the body its `Content-Length` declares (up to 32 MiB, the operator's
    /// stock import): a body, however steadily it trickles, is cut off then.
    public var requestReadTimeout: TimeInterval = 60
    /// Most connections open at once; past it, a new connection is closed as soon as it opens.
    public var maximumConnections = HTTPConnectionSettings.defaultMaximumConnections

    /// The defaults.
    public init() {}

    /// Most connections by default: 10,000, and fewer where the process may open fewer files,
    /// leaving 256 for the database, the RADIUS ports, outgoing webhooks and logs. With no
    /// limit, some 20,000 idle connections took every descriptor and the process died.
    public static var defaultMaximumConnections: Int {
        var limit = rlimit()
        // RLIM_INFINITY is all ones, which clamps to Int.max: no limit of the process's own.
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 10_000 }
        return max(64, min(10_000, Int(clamping: limit.rlim_cur) - 256))
    }
}
