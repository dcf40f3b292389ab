import Foundation
import SimGateCore
import SimGateRADIUS
@testable import SimGateServer
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("Usage from RADIUS accounting")
struct RADIUSAccountingTests {
    /// An Accounting-Request as a packet gateway sends it, with a correct Request Authenticator.
    static func accounting(
        _ status: AccountingStatusType, session: String, imsi: String, input: UInt64, output: UInt64, identifier: UInt8,
        mccMNC: String = "26201", imeisv: String? = nil
    ) -> RADIUSPacket {
        GatewayAccountingRequest(
            status, nas: .address([127, 0, 0, 1]), sessionID: session, imsi: imsi, mccMNC: mccMNC, imeisv: imeisv,
            inputBytes: input, outputBytes: output
        ).signed(identifier: identifier, secret: Array(TestHarness.radiusSecret.utf8))
    }

    /// Sends each packet and waits for its Accounting-Response.
    static func send(_ app: TestHarness, _ packets: [RADIUSPacket]) async throws {
        for packet in packets {
            let replies = try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange([packet.encoded()], wait: .seconds(5), expecting: 1)
            let reply = try RADIUSPacket(decoding: try #require(replies.first, "no Accounting-Response"))
            #expect(reply.code == .accountingResponse)
            #expect(reply.authenticator == RADIUSAuthenticators.md5Authenticator(of: reply, over: packet.authenticator, secret: Array(TestHarness.radiusSecret.utf8)))
        }
    }

    /// `packet` with a Message-Authenticator whose value `value` gives (nil: the right one,
    /// computed over a zero authenticator as FreeRADIUS does), then its Request Authenticator.
    static func withMessageAuthenticator(_ packet: RADIUSPacket, value: [UInt8]? = nil) -> RADIUSPacket {
        let (secret, zero) = (Array(TestHarness.radiusSecret.utf8), [UInt8](repeating: 0, count: 16))
        var signed = packet
        signed.attributes.append(RADIUSAttribute(type: RADIUSAttributeType.messageAuthenticator, value: zero))
        signed.attributes[signed.attributes.count - 1] = RADIUSAttribute(
            type: RADIUSAttributeType.messageAuthenticator, value: value ?? RADIUSAuthenticators.messageAuthenticator(of: signed, authenticator: zero, secret: secret)
        )
        signed.authenticator = RADIUSAuthenticators.md5Authenticator(of: signed, over: zero, secret: secret)
        return signed
    }

    /// RFC 3579 section 3.2: a Message-Authenticator that is there must be valid. On accounting
    /// a wrong one was ignored: the report, authentic by its Request Authenticator, was stored.
    @Test("an Accounting-Request with a wrong Message-Authenticator is dropped and counted; with a right one it is stored")
    func messageAuthenticatorChecked() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            let imsi = Fixtures.imsi(0)
            let forged = Self.withMessageAuthenticator(
                Self.accounting(.start, session: "forged", imsi: imsi, input: 5_000, output: 7_000, identifier: 1), value: [UInt8](repeating: 0x11, count: 16)
            )
            let right = Self.withMessageAuthenticator(Self.accounting(.start, session: "right", imsi: imsi, input: 100, output: 200, identifier: 2))
            // One socket, in order: the forged one is dropped as it is read, before the right
            // one is answered, so the one reply that comes is the right one's.
            let replies = try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange([forged.encoded(), right.encoded()], wait: .seconds(5), expecting: 1)
            #expect(try replies.map { try RADIUSPacket(decoding: $0).identifier } == [2])

            let (forgedSession, rightSession) = try await app.database.store.read { store in
                (try await store.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: "forged")),
                 try await store.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: "right")))
            }
            #expect(forgedSession == nil, "the forged report was stored")
            #expect(rightSession?.counters.inputBytes == 100)
            let metrics = try await app.request(.get, "/metrics", key: nil).text
            #expect(metrics.contains(#"simgate_radius_dropped_total{port="accounting",reason="bad_authenticator"} 1"#), "\(metrics)")
        }
    }

    /// An Acct-Status-Type of Failed (15), or one RFC 2866 does not define, was read as an
    /// Interim-Update: it opened a session that never closed, and a suspension of its SIM sent
    /// a Disconnect-Request for it.
    @Test("an Accounting-Request of a kind SimGate does not record is answered, opens no session and is counted")
    func unsupportedStatusTypes() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            let (secret, zero) = (Array(TestHarness.radiusSecret.utf8), [UInt8](repeating: 0, count: 16))
            let packets = [UInt32(15), 0, 99].enumerated().map { index, value in
                var packet = Self.accounting(.interimUpdate, session: "odd-\(value)", imsi: Fixtures.imsi(0), input: 500, output: 700, identifier: UInt8(index + 1))
                packet.attributes[0] = .integer(RADIUSAttributeType.acctStatusType, value)
                packet.authenticator = RADIUSAuthenticators.md5Authenticator(of: packet, over: zero, secret: secret)
                return packet
            }
            try await Self.send(app, packets)
            let open = try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).json
            #expect((open["data"] as? [Any])?.isEmpty == true, "\(open)")
            let usage = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey).json
            #expect(usage["first_use_at"] is NSNull, "\(usage)")
            let metrics = try await app.request(.get, "/metrics", key: nil).text
            #expect(metrics.contains(#"reason="unsupported_status_type"} 3"#), "\(metrics)")
        }
    }

    @Test("start, interim and stop store deltas; retransmitted and reordered reports never count twice", arguments: TestEngine.available)
    func deltas(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
            let imsi = Fixtures.imsi(0)
            let interim1 = Self.accounting(.interimUpdate, session: "s-1", imsi: imsi, input: 1_000, output: 20_000, identifier: 2)
            try await Self.send(app, [
                Self.accounting(.start, session: "s-1", imsi: imsi, input: 0, output: 0, identifier: 1, imeisv: "4901542032375101"),
                interim1,
                interim1,  // the gateway retransmits
                Self.accounting(.interimUpdate, session: "s-1", imsi: imsi, input: 5_000_000_000, output: 30_000, identifier: 3),
                Self.accounting(.interimUpdate, session: "s-1", imsi: imsi, input: 2_000, output: 25_000, identifier: 4),  // late and lower
                Self.accounting(.stop, session: "s-1", imsi: imsi, input: 5_000_000_100, output: 31_000, identifier: 5),
            ])
            let day = UsageRepository.periods(of: app.clock.now())
            let totals = try await app.database.store.read { tx in
                (try await tx.usage.total(simID: SimID(trusted: sim), period: day[0]),
                 try await tx.usage.total(simID: SimID(trusted: sim), period: day[1]))
            }
            #expect(totals.0.up == 5_000_000_100)
            #expect(totals.0.down == 31_000)
            #expect(totals.1.up == totals.0.up)

            let state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(state["first_use_at"] != nil)
            let firstUse = try await app.request(.get, "/v1/events?type=sim.first_use", key: app.operatorKey)
            #expect(firstUse.items.count == 1)
            let session = try await app.database.store.read { try await $0.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: "s-1")) }
            #expect(session?.stoppedAt != nil)
        }
    }

    @Test("Interim-Updates keep a session open, its Stop stops it, and a report arriving after the Stop leaves it stopped when it stopped", arguments: TestEngine.available)
    func lateReportAfterStop(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await NetworkGateRegressionTests.liveSim(app)
            let imsi = Fixtures.imsi(0)
            let open = "/v1/sims/\(sim)/sessions?open=true"
            try await Self.send(app, [
                Self.accounting(.start, session: "s-late", imsi: imsi, input: 0, output: 0, identifier: 1),
                Self.accounting(.interimUpdate, session: "s-late", imsi: imsi, input: 100, output: 200, identifier: 2),
            ])
            #expect(try await app.request(.get, open, key: app.operatorKey).items.map { $0["session_id"] as? String } == ["s-late"])
            try await Self.send(app, [Self.accounting(.stop, session: "s-late", imsi: imsi, input: 300, output: 400, identifier: 3)])
            let stopped = try #require(try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items.first)
            let stoppedAt = try #require(stopped["stopped_at"] as? String)
            app.clock.advance(by: 120)
            // An Interim-Update the gateway sent before its Stop, delivered late.
            try await Self.send(app, [Self.accounting(.interimUpdate, session: "s-late", imsi: imsi, input: 250, output: 350, identifier: 4)])
            #expect(try await app.request(.get, open, key: app.operatorKey).items.isEmpty)
            let after = try #require(try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items.first)
            #expect(after["stopped_at"] as? String == stoppedAt)
        }
    }

    /// A gateway that restarts begins its sessions' ids afresh, and some reuse ids anyway. A Start
    /// under a stopped session's key was read as that session's report: its counters went
    /// backwards, the new session never opened and none of its bytes counted.
    @Test("a Start under the id of a stopped session begins a new one, after an Accounting-On or a Stop, and its bytes count", arguments: TestEngine.available)
    func sessionIDUsedAgain(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await NetworkGateRegressionTests.liveSim(app)
            let imsi = Fixtures.imsi(0)
            try await Self.send(app, [
                Self.accounting(.start, session: "again", imsi: imsi, input: 0, output: 0, identifier: 1),
                Self.accounting(.interimUpdate, session: "again", imsi: imsi, input: 1_000, output: 1_000, identifier: 2),
                Self.accounting(.accountingOn, session: "restart", imsi: imsi, input: 0, output: 0, identifier: 3),
                Self.accounting(.start, session: "again", imsi: imsi, input: 0, output: 0, identifier: 4),
                Self.accounting(.interimUpdate, session: "again", imsi: imsi, input: 300, output: 300, identifier: 5),
                Self.accounting(.stop, session: "again", imsi: imsi, input: 900, output: 900, identifier: 6),
            ])
            app.clock.advance(by: 60)
            try await Self.send(app, [
                Self.accounting(.start, session: "again", imsi: imsi, input: 0, output: 0, identifier: 7),
                Self.accounting(.interimUpdate, session: "again", imsi: imsi, input: 50, output: 70, identifier: 8),
            ])
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let total = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: sim), period: month) }
            #expect(total.up == 1_000 + 900 + 50)
            #expect(total.down == 1_000 + 900 + 70)
            let session = try #require(try await app.database.store.read { try await $0.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: "again")) })
            #expect(session.stoppedAt == nil, "the third session is open")
            #expect(session.counters.inputBytes == 50)
            #expect(session.startedAt == app.clock.now())
            let started = try await app.request(.get, "/v1/events?type=sim.session_started", key: app.operatorKey)
            #expect(started.items.count == 3)
        }
    }

    /// One gateway, one session id, two SIMs of two accounts. The second SIM's reports were read
    /// as the first SIM's session: its counters were diffed against the first's, part of its
    /// bytes were lost, and its Stop ended the first SIM's session, an event in the second
    /// account's stream naming it.
    @Test("a report naming another SIM under an open session's id is that SIM's own session; the first one ends", arguments: TestEngine.available)
    func sessionIDTakenByAnotherSIM(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, keyB) = try await app.makeCustomer("B")
            let simA = try #require(try await app.importSims(0..<1, account: accountA).first)
            let simB = try #require(try await app.importSims(1..<2, account: accountB).first)
            #expect(try await app.request(.post, "/v1/sims/\(simA)/activate", key: keyA).status == 200)
            #expect(try await app.request(.post, "/v1/sims/\(simB)/activate", key: keyB).status == 200)
            try await Self.send(app, [
                Self.accounting(.start, session: "XB", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                Self.accounting(.interimUpdate, session: "XB", imsi: Fixtures.imsi(0), input: 5_000, output: 5_000, identifier: 2),
            ])
            app.clock.advance(by: 60)
            try await Self.send(app, [
                Self.accounting(.start, session: "XB", imsi: Fixtures.imsi(1), input: 0, output: 0, identifier: 3),
                Self.accounting(.interimUpdate, session: "XB", imsi: Fixtures.imsi(1), input: 8_000, output: 8_000, identifier: 4),
                Self.accounting(.stop, session: "XB", imsi: Fixtures.imsi(1), input: 9_000, output: 9_000, identifier: 5),
            ])
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let usageA = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: simA), period: month) }
            let usageB = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: simB), period: month) }
            #expect(usageA.up == 5_000 && usageB.up == 9_000 && usageB.down == 9_000)
            let sessionsB = try await app.request(.get, "/v1/sims/\(simB)/sessions", key: keyB).items
            #expect(sessionsB.count == 1 && sessionsB.first?["stopped_at"] is String, "B's own session, stopped by its Stop")
            // Each account's stream tells of its own SIM's session only: A's ended when its id
            // was taken, B's started and stopped.
            func reasons(_ key: String, _ type: String) async throws -> [String] {
                try await app.request(.get, "/v1/events?type=\(type)", key: key).items.compactMap { ($0["cause"] as? [String: Any])?["reason"] as? String }
            }
            #expect(try await reasons(keyA, "sim.session_stopped").map { $0.hasPrefix("Its session id was used by another SIM") } == [true])
            #expect(try await reasons(keyB, "sim.session_started").count == 1)
            #expect(try await reasons(keyB, "sim.session_stopped").map { $0.hasPrefix("Accounting Stop") } == [true])

            // A's Interim-Update from before B's session began, delivered late (its session time
            // dates its start): A's old session's, not a new one. Read as new, it ended B's
            // session and counted A's 6,000 bytes again from nothing.
            var late = GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "XB", imsi: Fixtures.imsi(0), mccMNC: "26201", inputBytes: 6_000, outputBytes: 6_000)
            late.sessionTime = 120
            try await Self.send(app, [late.signed(identifier: 6, secret: Array(TestHarness.radiusSecret.utf8))])
            // And one that cannot say when its session began (no Event-Timestamp, no session
            // time): it cannot be told from a new session, and is not stored either.
            let untimed = GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "XB", imsi: Fixtures.imsi(0), mccMNC: "26201", inputBytes: 7_000, outputBytes: 7_000)
            try await Self.send(app, [untimed.signed(identifier: 7, secret: Array(TestHarness.radiusSecret.utf8))])
            let lateA = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: simA), period: month) }
            #expect(lateA.up == 5_000)
            #expect(try await reasons(keyA, "sim.session_started").count == 1)
        }
    }

    /// A SIM's sessions said `has_more: true` and offered no way to the rest: older sessions,
    /// and what their gateways answered to Disconnect-Requests, were out of reach.
    @Test("a SIM's sessions page by starting_after, sessions begun in one second included, none twice", arguments: TestEngine.available)
    func sessionsPage(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await NetworkGateRegressionTests.liveSim(app)
            let second = UInt32(app.clock.now().timeIntervalSince1970) - 600
            var packets: [RADIUSPacket] = []
            // Five sessions; three begin in the same second (a device with several APNs).
            for (index, started) in [second, second + 60, second + 60, second + 60, second + 120].enumerated() {
                var start = GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: "apn-\(index)", imsi: Fixtures.imsi(0), mccMNC: "26201")
                start.eventTimestamp = started
                packets.append(start.signed(identifier: UInt8(index + 1), secret: Array(TestHarness.radiusSecret.utf8)))
            }
            try await Self.send(app, packets)
            var seen: [String] = []
            var cursor: String?
            for _ in 0..<5 {
                let page = try await app.request(.get, "/v1/sims/\(sim)/sessions?limit=2" + (cursor.map { "&starting_after=\($0)" } ?? ""), key: app.operatorKey)
                #expect(page.status == 200, "\(page.text)")
                seen += page.items.compactMap { $0["session_id"] as? String }
                cursor = page.items.last?["id"] as? String
                if page.json["has_more"] as? Bool != true { break }
            }
            #expect(seen == ["apn-4", "apn-3", "apn-2", "apn-1", "apn-0"])
            let bad = try await app.request(.get, "/v1/sims/\(sim)/sessions?starting_after=evt_123", key: app.operatorKey)
            #expect(bad.status == 400 && bad.code == "invalid_cursor" && bad.param == "starting_after")
            let other = try #require(try await app.importSims(1..<2).first)
            let foreign = try await app.request(.get, "/v1/sims/\(other)/sessions?starting_after=\(SessionAPIID.make(SessionKey(nas: "127.0.0.1", sessionID: "apn-0")))", key: app.operatorKey)
            #expect(foreign.status == 400 && foreign.code == "invalid_cursor", "another SIM's session is no cursor here")
        }
    }

    @Test("a session id names its gateway and Acct-Session-Id whatever bytes they hold")
    func sessionIDsRoundTrip() {
        for key in [SessionKey(nas: "10.0.0.1", sessionID: "abc"), SessionKey(nas: "pgw:7", sessionID: "1:2\u{0}x"), SessionKey(nas: "", sessionID: "🚲"), SessionKey(nas: "n", sessionID: "")] {
            let id = SessionAPIID.make(key)
            #expect(id.hasPrefix("rsn_") && !id.contains("=") && !id.contains("/") && !id.contains("+"))
            #expect(SessionAPIID.key(from: id) == key)
        }
        for bad in ["rsn_", "rsn_!!!", "evt_abc", "rsn_" + Data("99:ab".utf8).base64EncodedString()] { #expect(SessionAPIID.key(from: bad) == nil, "\(bad)") }
    }

    /// Accounting-On stops a gateway's sessions at SimGate's time, to the millisecond; the
    /// gateway's next Start under a reused id carries its Event-Timestamp in whole seconds, on
    /// its own clock, so a little before that stop. It was taken for the old session's Start
    /// sent again: the new session never opened and its bytes were lost.
    @Test("a Start after Accounting-On under a reused id begins a new session, whatever the clocks say", arguments: TestEngine.available)
    func reusedIDAfterRestartWithTimestamps(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = SimID(trusted: try await NetworkGateRegressionTests.liveSim(app))
            app.clock.advance(by: 86_400)  // All of it within one month.
            let now = UInt32(app.clock.now().timeIntervalSince1970)
            func report(_ status: AccountingStatusType, bytes: UInt64, at time: UInt32, began: UInt32, identifier: UInt8) -> RADIUSPacket {
                var request = GatewayAccountingRequest(status, nas: .address([127, 0, 0, 1]), sessionID: "s1", imsi: Fixtures.imsi(0), mccMNC: "26201", inputBytes: bytes, outputBytes: bytes)
                request.eventTimestamp = time
                if status != .start { request.sessionTime = time - began }
                return request.signed(identifier: identifier, secret: Array(TestHarness.radiusSecret.utf8))
            }
            try await Self.send(app, [report(.start, bytes: 0, at: now - 3_600, began: now - 3_600, identifier: 1), report(.interimUpdate, bytes: 1_000, at: now - 60, began: now - 3_600, identifier: 2)])
            app.clock.advance(by: 0.4)
            try await Self.send(app, [Self.accounting(.accountingOn, session: "restart", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 3)])
            try await Self.send(app, [report(.start, bytes: 0, at: now, began: now, identifier: 4), report(.interimUpdate, bytes: 300, at: now + 1, began: now, identifier: 5)])
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let total = try await app.database.store.read { try await $0.usage.total(simID: sim, period: month) }
            #expect(total.up == 1_300)
            let session = try #require(try await app.database.store.read { try await $0.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: "s1")) })
            #expect(session.stoppedAt == nil && session.counters.inputBytes == 300)
        }
    }

    /// RFC 2866 has a resent report carry a new identifier when its Acct-Delay-Time changes, so
    /// the reply cache does not know it. A Start resent after its session's Stop opened the
    /// session again: an open session with no bytes that never closed, and a second
    /// Disconnect-Request round for a suspended SIM.
    @Test("a Start resent after its session stopped does not open it again", arguments: TestEngine.available)
    func startResentAfterStop(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await NetworkGateRegressionTests.liveSim(app)
            let began = UInt32(app.clock.now().timeIntervalSince1970) - 60
            func report(_ status: AccountingStatusType, bytes: UInt64, at time: UInt32, delay: UInt32? = nil, identifier: UInt8) -> RADIUSPacket {
                var request = GatewayAccountingRequest(status, nas: .address([127, 0, 0, 1]), sessionID: "resent", imsi: Fixtures.imsi(0), mccMNC: "26201", inputBytes: bytes, outputBytes: bytes)
                request.eventTimestamp = time
                request.delayTime = delay
                if status != .start { request.sessionTime = time - began }
                return request.signed(identifier: identifier, secret: Array(TestHarness.radiusSecret.utf8))
            }
            try await Self.send(app, [report(.start, bytes: 0, at: began, identifier: 1), report(.stop, bytes: 700, at: began + 30, identifier: 2)])
            try await Self.send(app, [report(.start, bytes: 0, at: began, delay: 40, identifier: 3)])
            #expect(try await app.request(.get, "/v1/sims/\(sim)/sessions?open=true", key: app.operatorKey).items.isEmpty)
            let session = try #require(try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items.first)
            #expect(session["stopped_at"] is String && session["bytes_up"] as? Int == 700, "\(session)")
            #expect(try await app.request(.get, "/v1/events?type=sim.session_started", key: app.operatorKey).items.count == 1)
        }
    }

    /// A gateway that holds its reports through an outage sends them days later. Their bytes were
    /// counted on the day and in the month they arrived: a session of January 31 billed in
    /// February.
    @Test("usage reported late counts on the day it was used: Event-Timestamp, else arrival less Acct-Delay-Time, never ahead of arrival", arguments: TestEngine.available)
    func lateReportsDatedWhenUsed(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = SimID(trusted: try await NetworkGateRegressionTests.liveSim(app))
            let imsi = Fixtures.imsi(0)
            let january31 = app.clock.now().addingTimeInterval(30 * 86_400 + 23 * 3_600)
            app.clock.advance(by: 33 * 86_400 + 12 * 3_600)
            func report(_ status: AccountingStatusType, _ session: String, bytes: UInt64, at time: Date?, delay: UInt32?, identifier: UInt8) -> RADIUSPacket {
                var request = GatewayAccountingRequest(
                    status, nas: .address([127, 0, 0, 1]), sessionID: session, imsi: imsi, mccMNC: "26201", inputBytes: bytes, outputBytes: bytes
                )
                request.eventTimestamp = time.map { UInt32($0.timeIntervalSince1970) }
                request.delayTime = delay
                return request.signed(identifier: identifier, secret: Array(TestHarness.radiusSecret.utf8))
            }
            try await Self.send(app, [
                // Both held since January 31, 23:00-23:10 (the gateway's clock).
                report(.start, "held", bytes: 0, at: january31, delay: 300_000, identifier: 1),
                report(.stop, "held", bytes: 1_000, at: january31.addingTimeInterval(600), delay: 299_400, identifier: 2),
                // Held as long, dated by Event-Timestamp alone: first heard of today, used then.
                report(.start, "held-dated", bytes: 0, at: january31.addingTimeInterval(60), delay: nil, identifier: 7),
                report(.stop, "held-dated", bytes: 2_000, at: january31.addingTimeInterval(660), delay: nil, identifier: 8),
                // No Event-Timestamp: held two days by the gateway's own count.
                report(.start, "delayed", bytes: 0, at: nil, delay: 2 * 86_400, identifier: 3),
                report(.interimUpdate, "delayed", bytes: 30, at: nil, delay: 2 * 86_400, identifier: 4),
                // A gateway clock an hour ahead: counted when it arrived, not in the future.
                report(.start, "ahead", bytes: 0, at: app.clock.now().addingTimeInterval(3_600), delay: nil, identifier: 5),
                report(.interimUpdate, "ahead", bytes: 500, at: app.clock.now().addingTimeInterval(3_600), delay: nil, identifier: 6),
            ])
            func total(_ period: String) async throws -> UInt64 {
                try await app.database.store.read { try await $0.usage.total(simID: sim, period: period) }.up
            }
            let (january31Day, january) = (UsageRepository.periods(of: january31)[0], UsageRepository.periods(of: january31)[1])
            let delayedDay = UsageRepository.periods(of: app.clock.now().addingTimeInterval(-2 * 86_400))[0]
            let (today, february) = (UsageRepository.periods(of: app.clock.now())[0], UsageRepository.periods(of: app.clock.now())[1])
            #expect(january == "2027-01" && delayedDay == "2027-02-01")
            let (onJanuary31, inJanuary) = (try await total(january31Day), try await total(january))
            #expect(onJanuary31 == 3_000 && inJanuary == 3_000)
            #expect(try await total(delayedDay) == 30)
            let (onToday, inFebruary) = (try await total(today), try await total(february))
            #expect(onToday == 500 && inFebruary == 530)
        }
    }

    @Test("many reports at once are committed together and every byte counts once", arguments: TestEngine.available)
    func concurrentReports(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            try await app.importSims(0..<20)
            // 20 SIMs, each with a session reporting 1, 2, 3 MB cumulatively, all sent at once.
            var packets: [RADIUSPacket] = []
            for n in 0..<20 {
                for step in 1...3 {
                    let bytes = UInt64(step) * 1_000_000
                    let identifier = UInt8(n * 3 + step)
                    packets.append(Self.accounting(.interimUpdate, session: "s-\(n)", imsi: Fixtures.imsi(n), input: bytes, output: 10, identifier: identifier))
                }
            }
            let replies = try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange(packets.map { $0.encoded() }, wait: .seconds(10), expecting: packets.count)
            #expect(replies.count == packets.count)
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let sims = try await app.request(.get, "/v1/sims?limit=100", key: app.operatorKey).items.compactMap { $0["id"] as? String }
            var total: UInt64 = 0
            for sim in sims {
                total += try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: sim), period: month) }.up
            }
            #expect(total == 20 * 3_000_000)
        }
    }

    @Test("150 sessions reported at once, half without a device, are each stored with their own counters and device", arguments: TestEngine.available)
    func manySessionsAtOnce(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            // 150 is not a multiple of any statement size, so on SQLite a batch this large is
            // written by statements of several sizes, and read back through padded IN lists.
            let sims = try await app.importSims(0..<150)
            let starts = (0..<150).map { n in
                Self.accounting(.start, session: "many-\(n)", imsi: Fixtures.imsi(n), input: 0, output: 0, identifier: UInt8(n),
                                imeisv: n.isMultiple(of: 2) ? "49015420323751\(String(format: "%02d", n % 100))" : nil)
            }
            #expect(try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange(starts.map { $0.encoded() }, wait: .seconds(10), expecting: starts.count).count == starts.count)
            let interims = (0..<150).map { n in
                Self.accounting(.interimUpdate, session: "many-\(n)", imsi: Fixtures.imsi(n), input: UInt64(1_000 + n), output: UInt64(n), identifier: UInt8(n))
            }
            #expect(try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange(interims.map { $0.encoded() }, wait: .seconds(10), expecting: interims.count).count == interims.count)
            for (n, sim) in sims.enumerated() {
                let sessions = try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items
                #expect(sessions.count == 1, "SIM \(n)")
                let session = try #require(sessions.first)
                #expect(session["session_id"] as? String == "many-\(n)")
                #expect(session["bytes_up"] as? Int == 1_000 + n, "SIM \(n)")
                #expect(session["bytes_down"] as? Int == n, "SIM \(n)")
                #expect((session["imei"] as? String != nil) == n.isMultiple(of: 2), "SIM \(n): \(session)")
                #expect(session["mcc_mnc"] as? String == "26201")
            }
            let month = UsageRepository.periods(of: app.clock.now())[1]
            var total: UInt64 = 0
            for sim in sims {
                total += try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: sim), period: month) }.up
            }
            #expect(total == (0..<150).reduce(0) { $0 + UInt64(1_000 + $1) })
        }
    }

    @Test("Accounting-On from a gateway closes all its open sessions")
    func accountingOn() async throws {
        try await TestHarness.run(.sqlite) { app in
            try await app.importSims(0..<2)
            try await Self.send(app, [
                Self.accounting(.start, session: "a", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                Self.accounting(.start, session: "b", imsi: Fixtures.imsi(1), input: 0, output: 0, identifier: 2),
                Self.accounting(.accountingOn, session: "-", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 3),
            ])
            for id in ["a", "b"] {
                let session = try await app.database.store.read { try await $0.sessions.session(SessionKey(nas: "127.0.0.1", sessionID: id)) }
                #expect(session?.stoppedAt != nil, "session \(id)")
            }
        }
    }
}
