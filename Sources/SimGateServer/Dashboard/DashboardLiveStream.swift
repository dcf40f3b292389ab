import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import ServiceLifecycle
import SimGateCore
import SimGateStore

/// `GET /live`: Server-Sent Events that keep a page current without reloading it. With
/// `sim`, the SIM's new events, status, holds and this month's usage; without, the account's
/// new events (the overview). Each message carries the newest event's id as its SSE id, so a
/// browser that reconnects (it does, on its own, after a drop or when a stream ends) resumes
/// where it was. A stream looks for news when this instance commits events or usage, and
/// every few seconds for what other instances wrote; it ends after a few minutes, and at once
/// when the server shuts down, so no connection holds a shutdown up. It also ends as soon as
/// its session does (signed out, or its key revoked): a stream opened before kept sending the
/// account's events, holds and reasons for the rest of its five minutes. A session's pages
/// past its bound end its latest other stream (``LiveStreamSlots``), which says so (`superseded`).
struct DashboardLiveStream: Sendable {
    /// The SIM page's reads (status, holds, usage).
    let simPage: DashboardSimPage
    /// Announces commits on this instance.
    let feed: LiveFeed
    /// Tells whether the stream's session still stands.
    let sessions: DashboardSessions
    /// Bounds the streams open at once.
    let slots: LiveStreamSlots
    /// How often a stream looks for what other processes wrote (other instances on
    /// PostgreSQL, the command line on SQLite), and says it is alive.
    let pollInterval: Duration

    /// How long one stream lasts before the browser reconnects.
    static let lifetime: Duration = .seconds(300)
    /// ``pollInterval`` on PostgreSQL, where other instances commit too.
    static let sharedDatabasePollInterval: Duration = .seconds(5)
    /// ``pollInterval`` on SQLite, where this instance announces every commit but the command
    /// line's.
    static let ownDatabasePollInterval: Duration = .seconds(25)
    /// Least time between two looks of one stream: a busy network commits many times a
    /// second, and each open page need not read after every one.
    static let minimumInterval: Duration = .milliseconds(500)
    /// Most events one message carries.
    static let batch = 50
    /// Sorts before every event id (they all start `evt_` and go on).
    static let beforeEveryEvent = "evt_"

    /// The stream for `request` as `signedIn` may see it.
    func stream(_ request: Request, signedIn: SignedIn) async throws -> Response {
        let parameters = request.firstQueryValues
        let principal = signedIn.principal
        var sim: Sim?
        if let named = parameters["sim"] {
            sim = try await simPage.sims.find(try SimReference(parsing: named), visibleAccountID: principal.visibleAccountID)
        }
        let resumeFrom = request.headers[HTTPField.Name("Last-Event-ID")!] ?? parameters["after"]
        // A page with no events yet sends no `after`: then every event there is is news.
        let resumeAfter = resumeFrom.flatMap { EventID(parsing: $0)?.rawValue } ?? Self.beforeEveryEvent
        let usageShown = parameters["bytes"].flatMap { UInt64($0) }
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-store"
        let filter = EventFilter(accountID: principal.visibleAccountID, simID: sim?.id)
        let simID = sim?.id
        let session = signedIn.session.tokenHash, account = principal.account.id
        // A HEAD's body is never run: it takes no slot, and ends no other stream for one.
        if request.method == .head { return Response(status: .ok, headers: headers) }
        guard let lease = slots.lease(session: session, account: account) else {
            // The account's or the instance's bound, not this session's.
            // The page keeps working; it shows what is new when it is next loaded.
            var refused = HTTPFields()
            refused[.retryAfter] = "60"
            refused[.cacheControl] = "no-store"
            return Response(status: .tooManyRequests, headers: refused, body: ResponseBody(byteBuffer: ByteBuffer(string: "Too many live pages are open; close some, or reload this one later.\n")))
        }
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in
            defer { lease.release() }
            let ends = ContinuousClock.now + Self.lifetime
            var cursor = resumeAfter, lastUsage = usageShown
            // The SIM's state as the last look read it (status, holds, usage), as JSON.
            var lastLooks: Data?
            try await writer.write(ByteBuffer(string: "retry: 2000\n\n"))
            // A shutdown wakes the stream, which then ends instead of waiting again.
            try await withGracefulShutdownHandler {
                while ContinuousClock.now < ends, !Task.isCancelled, !Task.isShuttingDownGracefully {
                    if lease.superseded.isOpen {
                        // The page's script closes its stream on this, rather than reconnect
                        // and take the slot back from the newer page.
                        try await writer.write(ByteBuffer(string: "event: superseded\ndata: {}\n\n"))
                        break
                    }
                    let looked = ContinuousClock.now
                    guard try await sessions.isCurrent(signedIn.session) else { break }
                    let seen = feed.generation(for: principal.visibleAccountID)
                    var message: [String: Any] = [:]
                    // The SIM's state first, its events after, in two reads: every event behind
                    // the state a message shows is then in it or in an earlier one. The other way
                    // round, usage committed between the reads showed without its events, which
                    // came a message later, so a browser resuming from that message's id got
                    // them as news after the state they had caused. A change committed between
                    // the reads now shows its event first and its state at the next look, which
                    // sends the state whenever it differs from the last look's.
                    var state: (usageBytes: UInt64, values: [String: Any])?
                    if let simID { state = try await simPage.liveState(of: simID, signedIn: signedIn) }
                    let news = try await simPage.events.list(filter, PageRequest(limit: Self.batch, endingBefore: cursor)).items
                    if !news.isEmpty { message["events"] = news.map(DashboardSimPage.eventRow) }
                    if let state {
                        let looks = try JSONSerialization.data(withJSONObject: state.values, options: [.sortedKeys])
                        if state.usageBytes != lastUsage || message["events"] != nil || (lastLooks != nil && looks != lastLooks) {
                            lastUsage = state.usageBytes
                            message.merge(state.values) { $1 }
                        }
                        lastLooks = looks
                    }
                    if message.isEmpty {
                        try await writer.write(ByteBuffer(string: ": idle\n\n"))
                    } else {
                        if let newest = (message["events"] as? [[String: Any]])?.first?["id"] as? String { cursor = newest }
                        let data = try JSONSerialization.data(withJSONObject: message, options: [.sortedKeys])
                        try await writer.write(ByteBuffer(string: "id: \(cursor)\nevent: change\ndata: \(String(decoding: data, as: UTF8.self))\n\n"))
                    }
                    await withTaskGroup(of: Void.self) { group in
                        group.addTask { await feed.wait(for: principal.visibleAccountID, after: seen, upTo: pollInterval) }
                        group.addTask { await lease.superseded.wait() }
                        await group.next()
                        group.cancelAll()
                    }
                    if !lease.superseded.isOpen { try? await Task.sleep(until: looked + Self.minimumInterval) }
                }
            } onGracefulShutdown: {
                feed.announceToEveryone()
            }
            try await writer.finish(nil)
        })
    }
}
