import Foundation
import SimGateCore
import SimGateRADIUS
@testable import SimGateServer
import SimGateStore
import SimGateTestSupport
import Testing

/// Which session a report belongs to, when a gateway reuses its session ids: the same SIM's
/// older session sent again, a newer one whose Start was lost, another SIM's session, a clock
/// ahead. Each read as the wrong session lost bytes, counted them twice, or left a session the
/// gateway still served recorded as stopped, so that suspending its SIM sent no
/// Disconnect-Request. And the other way: a gateway with a skewed clock or a misreported
/// Acct-Session-Time keeps its sessions whole.
@Suite("RADIUS session identity under reused ids")
struct RADIUSSessionIdentityTests {
    /// Builds and sends reports on one gateway, each with its own identifier, against a clock
    /// that stands one day into the month so that every report dates within it.
    final class Gateway {
        let app: TestHarness
        /// The clock's time when the gateway was made, in Unix seconds.
        let now: UInt32
        private var identifier: UInt8 = 0

        init(_ app: TestHarness) {
            app.clock.advance(by: 86_400)
            self.app = app
            now = UInt32(app.clock.now().timeIntervalSince1970)
        }

        func send(
            _ status: AccountingStatusType, _ session: String, sim: Int, bytes: UInt64 = 0,
            at time: UInt32? = nil, sessionTime: UInt32? = nil, delay: UInt32? = nil
        ) async throws {
            var request = GatewayAccountingRequest(status, nas: .address([127, 0, 0, 1]), sessionID: session, imsi: Fixtures.imsi(sim), mccMNC: "26201", inputBytes: bytes, outputBytes: bytes)
            request.eventTimestamp = time
            request.sessionTime = sessionTime
            request.delayTime = delay
            identifier &+= 1
            try await RADIUSAccountingTests.send(app, [request.signed(identifier: identifier, secret: Array(TestHarness.radiusSecret.utf8))])
        }

        /// The SIM's upload this month.
        func total(_ sim: String) async throws -> UInt64 {
            let month = UsageRepository.periods(of: app.clock.now())[1]
            return try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: sim), period: month) }.up
        }

        func session(_ id: String) async throws -> DataSession? {
            try await app.database.store.read { try await $0.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: id)) }
        }
    }

    static func liveSims(_ app: TestHarness, _ range: Range<Int>) async throws -> [String] {
        let sims = try await app.importSims(range)
        for sim in sims { #expect(try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey).status == 200) }
        return sims
    }

    @Test("the same SIM under a reused id: an older session's Stop sent again counts nothing; a newer session counts from nothing, its Start seen or lost", arguments: TestEngine.available)
    func sameSIMReusedIDs(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<3)
            let gateway = Gateway(app)
            let now = gateway.now

            // A new session's Start while the old one is open (the gateway restarted, its
            // Accounting-On lost): 5,000 + 3,000 bytes. Read as the old session, 3,000 of
            // the new session's bytes were compared with the old 5,000 and counted as nothing.
            try await gateway.send(.start, "gw1", sim: 0, at: now - 1_000)
            try await gateway.send(.interimUpdate, "gw1", sim: 0, bytes: 5_000, at: now - 500, sessionTime: 500)
            try await gateway.send(.start, "gw1", sim: 0, at: now - 100)
            try await gateway.send(.interimUpdate, "gw1", sim: 0, bytes: 3_000, at: now, sessionTime: 100)
            #expect(try await gateway.total(sims[0]) == 8_000)
            let restarted = try #require(try await gateway.session("gw1"))
            #expect(restarted.startedAt == Date(timeIntervalSince1970: TimeInterval(now - 100)) && restarted.stoppedAt == nil)

            // A Stop of the first session under "ls1" sent again (its Acct-Delay-Time raised)
            // after a second session began under the id: it counted 4,900 bytes that were the
            // first session's and stopped the open second one.
            try await gateway.send(.start, "ls1", sim: 2, at: now - 100)
            try await gateway.send(.interimUpdate, "ls1", sim: 2, bytes: 4_000, at: now - 60, sessionTime: 40)
            try await gateway.send(.stop, "ls1", sim: 2, bytes: 5_000, at: now - 50, sessionTime: 50)
            try await gateway.send(.start, "ls1", sim: 2, at: now - 10)
            try await gateway.send(.interimUpdate, "ls1", sim: 2, bytes: 100, at: now - 5, sessionTime: 5)
            try await gateway.send(.stop, "ls1", sim: 2, bytes: 5_000, at: now - 50, sessionTime: 50, delay: 50)
            try await gateway.send(.interimUpdate, "ls1", sim: 2, bytes: 3_000, at: now, sessionTime: 10)
            #expect(try await gateway.total(sims[2]) == 8_000)
            #expect(try await gateway.session("ls1")?.stoppedAt == nil)

            // After an Accounting-On, the new session's Start is lost and its first report is an
            // Interim-Update: 1,000 + 1,500 bytes, and the session open again. It counted nothing,
            // and the session stayed stopped, so a suspension disconnected nothing.
            try await gateway.send(.start, "v1", sim: 1, at: now - 600)
            try await gateway.send(.interimUpdate, "v1", sim: 1, bytes: 1_000, at: now - 300, sessionTime: 300)
            try await gateway.send(.accountingOn, "restart", sim: 1, at: now - 200)
            app.clock.advance(by: 60)
            try await gateway.send(.interimUpdate, "v1", sim: 1, bytes: 500, at: now + 60, sessionTime: 60)
            let reopened = try #require(try await gateway.session("v1"))
            #expect(reopened.stoppedAt == nil && reopened.counters.inputBytes == 500)
            app.clock.advance(by: 30)
            try await gateway.send(.stop, "v1", sim: 1, bytes: 1_500, at: now + 90, sessionTime: 90)
            #expect(try await gateway.total(sims[1]) == 2_500)

            let stops = try await app.request(.get, "/v1/events?type=sim.session_stopped&limit=20", key: app.operatorKey).items
            let reasons = stops.compactMap { ($0["cause"] as? [String: Any])?["reason"] as? String }
            #expect(reasons.contains { $0.hasPrefix("A newer session began under its id: session gw1") }, "\(reasons)")
        }
    }

    /// A Stop sent again after its id was reused, dated long before the new session by its
    /// Event-Timestamp but carrying no Acct-Delay-Time: its arrival, after the new session's
    /// start, kept it from being judged older, so it was taken for the new session's report
    /// and its bytes counted twice.
    @Test("a Stop sent again without Acct-Delay-Time after its id was reused counts nothing when the gateway dates its sessions", arguments: TestEngine.available)
    func resentStopWithoutDelay(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<2)
            let gateway = Gateway(app)
            let now = gateway.now
            // The new session's Start lost: its first report is an Interim-Update.
            try await gateway.send(.start, "r1", sim: 0, at: now - 1_000)
            try await gateway.send(.interimUpdate, "r1", sim: 0, bytes: 5_000, at: now - 900, sessionTime: 100)
            try await gateway.send(.stop, "r1", sim: 0, bytes: 6_000, at: now - 800, sessionTime: 200)
            try await gateway.send(.interimUpdate, "r1", sim: 0, bytes: 100, at: now, sessionTime: 60)
            try await gateway.send(.stop, "r1", sim: 0, bytes: 6_000, at: now - 800, sessionTime: 200)
            #expect(try await gateway.total(sims[0]) == 6_100)
            #expect(try await gateway.session("r1")?.stoppedAt == nil)
            // The new session's Start seen.
            try await gateway.send(.start, "r2", sim: 1, at: now - 700)
            try await gateway.send(.stop, "r2", sim: 1, bytes: 4_000, at: now - 600, sessionTime: 100)
            try await gateway.send(.start, "r2", sim: 1, at: now - 20)
            try await gateway.send(.interimUpdate, "r2", sim: 1, bytes: 300, at: now, sessionTime: 20)
            try await gateway.send(.stop, "r2", sim: 1, bytes: 4_000, at: now - 600, sessionTime: 100)
            #expect(try await gateway.total(sims[1]) == 4_300)
            let metrics = try await app.request(.get, "/metrics", key: nil).text
            #expect(metrics.contains(#"reason="stale_session"} 2"#), "\(metrics)")
        }
    }

    /// Judged by Event-Timestamp alone, the reports of a gateway whose clock stepped back an
    /// hour mid-session were all refused, its Stop too, and the session stayed open for good.
    @Test("a gateway whose clock steps back mid-session keeps its session: Acct-Session-Time from arrival dates it with the stored one", arguments: [TestEngine.sqlite])
    func clockSteppedBackMidSession(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<1)
            let gateway = Gateway(app)
            let now = gateway.now
            try await gateway.send(.start, "cs", sim: 0, at: now)
            app.clock.advance(by: 120)
            try await gateway.send(.interimUpdate, "cs", sim: 0, bytes: 1_000, at: now + 120 - 3_600, sessionTime: 120)
            app.clock.advance(by: 1)
            try await gateway.send(.stop, "cs", sim: 0, bytes: 2_000, at: now + 121 - 3_600, sessionTime: 121)
            #expect(try await gateway.total(sims[0]) == 2_000)
            #expect(try await gateway.session("cs")?.stoppedAt != nil)
        }
    }

    /// A gateway clock two minutes ahead: its Start sent again was compared with the stored
    /// start cut back to its arrival, taken for a new session, and the bytes counted twice;
    /// over a stopped session it opened one that never closed.
    @Test("a Start sent again by a gateway whose clock is ahead is the same Start, open or stopped", arguments: [TestEngine.sqlite])
    func resentStartClockAhead(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<2)
            let gateway = Gateway(app)
            let ahead = gateway.now + 120
            try await gateway.send(.start, "a1", sim: 0, at: ahead)
            try await gateway.send(.interimUpdate, "a1", sim: 0, bytes: 1_000, at: ahead + 1, sessionTime: 1)
            try await gateway.send(.start, "a1", sim: 0, at: ahead, delay: 5)
            try await gateway.send(.interimUpdate, "a1", sim: 0, bytes: 2_000, at: ahead + 2, sessionTime: 2)
            #expect(try await gateway.total(sims[0]) == 2_000)
            try await gateway.send(.start, "c1", sim: 1, at: ahead)
            try await gateway.send(.stop, "c1", sim: 1, bytes: 700, at: ahead + 3, sessionTime: 3)
            try await gateway.send(.start, "c1", sim: 1, at: ahead, delay: 4)
            #expect(try await gateway.session("c1")?.stoppedAt != nil, "the Start sent again opened the session again")
            #expect(try await gateway.total(sims[1]) == 700)
            let started = try await app.request(.get, "/v1/events?type=sim.session_started&limit=10", key: app.operatorKey).items
            #expect(started.count == 2, "one session each: \(started.count)")
        }
    }

    /// Under the gateway-clock rule, an old session's Stop sent again long after without
    /// Acct-Delay-Time was kept because its arrival less Acct-Session-Time came after the
    /// stored start, though nowhere near it: its bytes counted twice and the open session
    /// showed as stopped.
    @Test("an old session's Stop sent again long after is refused even when its arrival less Acct-Session-Time is after the stored start", arguments: [TestEngine.sqlite])
    func lateResentStopOfShortSession(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<1)
            let gateway = Gateway(app)
            let now = gateway.now
            try await gateway.send(.start, "b1", sim: 0, at: now - 2_010, delay: 2_010)
            try await gateway.send(.interimUpdate, "b1", sim: 0, bytes: 6_000, at: now - 2_005, sessionTime: 5, delay: 2_005)
            try await gateway.send(.start, "b1", sim: 0, at: now - 500, delay: 500)
            try await gateway.send(.interimUpdate, "b1", sim: 0, bytes: 5_000, at: now, sessionTime: 500)
            try await gateway.send(.stop, "b1", sim: 0, bytes: 8_000, at: now - 2_000, sessionTime: 10)
            #expect(try await gateway.total(sims[0]) == 11_000)
            #expect(try await gateway.session("b1")?.stoppedAt == nil)
        }
    }

    @Test("another SIM's late report with no session time counts nothing; an Event-Timestamp ahead of arrival dates no session ahead", arguments: [TestEngine.sqlite])
    func takeoverAndTimeAhead(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<4)
            let gateway = Gateway(app)
            let now = gateway.now

            // SIM 1 takes SIM 0's session id. SIM 0's late Interim-Update, dated now but without
            // Acct-Session-Time, was read as a session begun now: it took the id back and
            // counted SIM 0's 1,000 bytes again.
            try await gateway.send(.start, "tk1", sim: 0, at: now - 100)
            try await gateway.send(.interimUpdate, "tk1", sim: 0, bytes: 1_000, at: now - 50, sessionTime: 50)
            try await gateway.send(.start, "tk1", sim: 1, at: now - 10)
            try await gateway.send(.interimUpdate, "tk1", sim: 1, bytes: 300, at: now - 5, sessionTime: 5)
            try await gateway.send(.interimUpdate, "tk1", sim: 0, bytes: 2_000, at: now)
            #expect(try await gateway.total(sims[0]) == 1_000)
            #expect(try await gateway.total(sims[1]) == 300)
            #expect(try await gateway.session("tk1")?.simID.rawValue == sims[1])

            // A Start dated 20 hours ahead set its session's start there: every later session
            // under the id looked older and was refused, its bytes lost.
            try await gateway.send(.start, "fut", sim: 2, at: now + 72_000)
            app.clock.advance(by: 1)
            try await gateway.send(.start, "fut", sim: 3, at: now + 1)
            app.clock.advance(by: 60)
            try await gateway.send(.interimUpdate, "fut", sim: 3, bytes: 777, at: now + 61, sessionTime: 60)
            app.clock.advance(by: 10)
            try await gateway.send(.stop, "fut", sim: 3, bytes: 999, at: now + 71, sessionTime: 70)
            #expect(try await gateway.total(sims[3]) == 999)
            // The same SIM's own reports, once its gateway's clock is right again: they looked
            // older than the session the Start dated 20 hours ahead, and were refused.
            try await gateway.send(.start, "fut2", sim: 2, at: now + 72_000)
            app.clock.advance(by: 60)
            try await gateway.send(.interimUpdate, "fut2", sim: 2, bytes: 1_000, at: now + 131, sessionTime: 60)
            try await gateway.send(.stop, "fut2", sim: 2, bytes: 2_000, at: now + 132, sessionTime: 61)
            #expect(try await gateway.total(sims[2]) == 2_000)
        }
    }

    /// A gateway that mixed up two SIMs' sessions sent both SIMs' reports under one id, each
    /// dating the session from the same start: each turn took the key and counted that SIM's
    /// bytes again from nothing (15,000 counted for 5,000 used, and across accounts).
    @Test("two SIMs reported in turns under one session id, begun at the same time, count no byte twice", arguments: [TestEngine.sqlite])
    func twoSimsInTurns(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<2)
            let gateway = Gateway(app)
            let start = gateway.now - 100
            try await gateway.send(.start, "flip", sim: 0, at: start)
            for step in 1...5 {
                let (bytes, elapsed) = (UInt64(step) * 1_000, UInt32(step) * 10)
                try await gateway.send(.interimUpdate, "flip", sim: 0, bytes: bytes, at: start + elapsed, sessionTime: elapsed)
                try await gateway.send(.interimUpdate, "flip", sim: 1, bytes: bytes, at: start + elapsed, sessionTime: elapsed)
            }
            #expect(try await gateway.total(sims[0]) == 5_000)
            #expect(try await gateway.total(sims[1]) == 0)
            #expect(try await gateway.session("flip")?.simID.rawValue == sims[0])
        }
    }

    /// The same in turns from a gateway whose clock runs two seconds fast: its starts, dated
    /// ahead of their arrival, escaped the check. And an id another SIM reuses seconds after
    /// the stored session stopped begins that SIM's session: it was refused, its usage lost.
    @Test("two SIMs in turns under one id from a clock a little fast count no byte twice; an id reused after its session stopped is the new SIM's", arguments: [TestEngine.sqlite])
    func turnsWithFastClockAndQuickReuse(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<4)
            let gateway = Gateway(app)
            let start = gateway.now + 2
            try await gateway.send(.start, "fast", sim: 0, at: start)
            try await gateway.send(.start, "fast", sim: 1, at: start + 1)
            for step in 1...3 {
                let (bytes, elapsed) = (UInt64(step) * 1_000, UInt32(step))
                try await gateway.send(.interimUpdate, "fast", sim: 0, bytes: bytes, at: start + elapsed, sessionTime: elapsed)
                try await gateway.send(.interimUpdate, "fast", sim: 1, bytes: bytes * 10, at: start + elapsed, sessionTime: elapsed - 1)
            }
            #expect(try await gateway.total(sims[0]) == 3_000)
            #expect(try await gateway.total(sims[1]) == 0)

            let now = gateway.now
            try await gateway.send(.start, "reuse", sim: 2, at: now)
            try await gateway.send(.stop, "reuse", sim: 2, bytes: 500, at: now + 3, sessionTime: 3)
            try await gateway.send(.start, "reuse", sim: 3, at: now + 8)
            try await gateway.send(.interimUpdate, "reuse", sim: 3, bytes: 7_777, at: now + 10, sessionTime: 2)
            #expect(try await gateway.total(sims[2]) == 500)
            #expect(try await gateway.total(sims[3]) == 7_777)
            #expect(try await gateway.session("reuse")?.simID.rawValue == sims[3])
        }
    }

    /// A gateway sending Acct-Delay-Time 2^32 - 1 on every report: its Start was dated by its
    /// arrival (the delay ignored), but each later report read the delay as 31 days, was taken
    /// for an older session's and refused; the session counted nothing.
    @Test("an absurd Acct-Delay-Time on every report tells nothing, and the session counts its bytes", arguments: [TestEngine.sqlite])
    func absurdDelayEverywhere(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<1)
            let gateway = Gateway(app)
            try await gateway.send(.start, "late", sim: 0, delay: .max)
            app.clock.advance(by: 60)
            try await gateway.send(.interimUpdate, "late", sim: 0, bytes: 1_000, delay: .max)
            try await gateway.send(.stop, "late", sim: 0, bytes: 1_500, delay: .max)
            #expect(try await gateway.total(sims[0]) == 1_500)
        }
    }

    @Test("a gateway whose clock is off, or whose Acct-Session-Time is always 0, keeps each session whole through reordered reports", arguments: [TestEngine.sqlite])
    func gatewaysWithBugsKeepTheirSessions(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<2)
            let gateway = Gateway(app)
            let now = gateway.now

            // The Start undated (its session dated by arrival), the rest stamped by a clock five
            // minutes behind: by the gateway's clock alone, each report's session began before
            // the stored one.
            try await gateway.send(.start, "skew", sim: 0)
            app.clock.advance(by: 60)
            try await gateway.send(.interimUpdate, "skew", sim: 0, bytes: 1_000, at: now + 60 - 300, sessionTime: 60)
            app.clock.advance(by: 60)
            try await gateway.send(.interimUpdate, "skew", sim: 0, bytes: 2_000, at: now + 120 - 300, sessionTime: 120)
            try await gateway.send(.interimUpdate, "skew", sim: 0, bytes: 1_000, at: now + 60 - 300, sessionTime: 60)
            try await gateway.send(.stop, "skew", sim: 0, bytes: 2_500, at: now + 120 - 300, sessionTime: 120)
            #expect(try await gateway.total(sims[0]) == 2_500)

            // Acct-Session-Time always 0: every report seems to begin its session when it is
            // sent. An Interim-Update reordered after the Stop is still the same session's.
            try await gateway.send(.start, "zero", sim: 1, at: now + 120)
            app.clock.advance(by: 60)
            try await gateway.send(.interimUpdate, "zero", sim: 1, bytes: 1_000, at: now + 180, sessionTime: 0)
            app.clock.advance(by: 60)
            try await gateway.send(.stop, "zero", sim: 1, bytes: 2_000, at: now + 240, sessionTime: 0)
            app.clock.advance(by: 5)
            try await gateway.send(.interimUpdate, "zero", sim: 1, bytes: 1_500, at: now + 210, sessionTime: 0)
            #expect(try await gateway.total(sims[1]) == 2_000)
            #expect(try await gateway.session("zero")?.stoppedAt != nil)
        }
    }

    /// A probe of the first version of these rules found each of these counted twice, or lost.
    @Test("a Start sent again is the same session whatever the gateway's clock, Acct-Session-Time or Event-Timestamp say; a Stop sent again without Event-Timestamp is stale", arguments: [TestEngine.sqlite])
    func resendsUnderOddClocks(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await Self.liveSims(app, 0..<5)
            let gateway = Gateway(app)
            let now = gateway.now

            // The gateway's clock 10 s ahead, its Start sent again 4 s later: cut to its arrival,
            // the second Start looked 4 s newer than the first.
            try await gateway.send(.start, "ahead", sim: 0, at: now + 10)
            try await gateway.send(.interimUpdate, "ahead", sim: 0, bytes: 1_000, at: now + 11, sessionTime: 1)
            // Acct-Session-Time counted from 5 s before the Start's Event-Timestamp, the Start
            // arriving after the first Interim-Update.
            try await gateway.send(.interimUpdate, "early", sim: 1, bytes: 1_000, at: now - 60, sessionTime: 65)
            // Event-Timestamp on Interim-Updates only, on a clock five minutes behind.
            try await gateway.send(.interimUpdate, "behind", sim: 2, bytes: 1_000, at: now - 300, sessionTime: 10)
            // Acct-Session-Time in milliseconds.
            try await gateway.send(.start, "millis", sim: 3, at: now - 120)
            try await gateway.send(.interimUpdate, "millis", sim: 3, bytes: 1_000, at: now - 60, sessionTime: 60_000)
            // No Event-Timestamp at all; the id used again for a second session.
            try await gateway.send(.start, "undated", sim: 4)
            try await gateway.send(.interimUpdate, "undated", sim: 4, bytes: 1_000, sessionTime: 10)
            try await gateway.send(.stop, "undated", sim: 4, bytes: 2_000, sessionTime: 20)

            app.clock.advance(by: 4)
            try await gateway.send(.start, "ahead", sim: 0, at: now + 10, delay: 4)
            try await gateway.send(.interimUpdate, "ahead", sim: 0, bytes: 1_500, at: now + 15, sessionTime: 5)
            try await gateway.send(.start, "early", sim: 1, at: now - 120, delay: 64)
            try await gateway.send(.interimUpdate, "early", sim: 1, bytes: 3_000, at: now + 4, sessionTime: 129)
            try await gateway.send(.start, "behind", sim: 2, delay: 14)
            try await gateway.send(.interimUpdate, "behind", sim: 2, bytes: 1_500, at: now - 291, sessionTime: 19)
            try await gateway.send(.stop, "millis", sim: 3, bytes: 2_000, at: now + 4, sessionTime: 124_000)
            app.clock.advance(by: 56)
            try await gateway.send(.start, "undated", sim: 4)
            try await gateway.send(.interimUpdate, "undated", sim: 4, bytes: 500, sessionTime: 5)
            try await gateway.send(.stop, "undated", sim: 4, bytes: 2_000, sessionTime: 20, delay: 60)

            for (index, expected) in [1_500, 3_000, 1_500, 2_000, 2_500].enumerated() {
                #expect(try await gateway.total(sims[index]) == UInt64(expected), "SIM \(index)")
            }
            #expect(try await gateway.session("millis")?.stoppedAt != nil)
            #expect(try await gateway.session("undated")?.stoppedAt == nil, "the second session, still served")
        }
    }
}
