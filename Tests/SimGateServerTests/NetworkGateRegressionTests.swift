import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateStore
import SimGateTestSupport
import Testing

/// The defects an acceptance run found at the network gate, each tried the way it was found:
/// authentic packets over real UDP against the whole app, on both engines.
@Suite("Network gate: hostile but authentic packets")
struct NetworkGateRegressionTests {
    static let secret = Array(TestHarness.radiusSecret.utf8)

    /// A LIVE SIM 0 for the test.
    static func liveSim(_ app: TestHarness) async throws -> String {
        let sim = try #require(try await app.importSims(0..<1).first)
        _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey)
        return sim
    }

    static func accounting(_ request: GatewayAccountingRequest, identifier: UInt8) -> RADIUSPacket {
        request.signed(identifier: identifier, secret: secret)
    }

    /// PostgreSQL keeps no NUL in text: a report with one failed its whole batch, went
    /// unanswered, and its gateway sent it again for ever. An empty Acct-Session-Id made one
    /// session of every report of its gateway that sent one.
    @Test("a NUL in a report's session id or gateway name is answered and stored nowhere, beside reports of the same batch that are; an empty Acct-Session-Id names no session; a User-Name with a NUL is dropped, not its report",
          arguments: TestEngine.available)
    func nulAndEmptyText(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            let imsi = Fixtures.imsi(0)
            let nas = GatewayAccountingRequest.NAS.address([127, 0, 0, 1])
            var namedWithNUL = GatewayAccountingRequest(.start, nas: nas, sessionID: "user", imsi: imsi, inputBytes: 100)
            namedWithNUL.userName = "dev\u{0}ice"
            let packets = [
                GatewayAccountingRequest(.start, nas: nas, sessionID: "bad\u{0}id", imsi: imsi, inputBytes: 100),
                GatewayAccountingRequest(.start, nas: .name("gw\u{0}1"), sessionID: "nas", imsi: imsi, inputBytes: 100),
                namedWithNUL,
                GatewayAccountingRequest(.start, nas: nas, sessionID: "", imsi: imsi, inputBytes: 100),
                GatewayAccountingRequest(.start, nas: nas, sessionID: "good", imsi: imsi, inputBytes: 10),
            ].enumerated().map { Self.accounting($0.element, identifier: UInt8($0.offset + 1)).encoded() }
            // Sent together, so that they share a batch: each is answered.
            let replies = try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange(packets, wait: .seconds(10), expecting: packets.count)
            #expect(replies.count == packets.count, "answered: \(replies.count) of \(packets.count)")
            let sessions = try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items
            #expect(Set(sessions.map { $0["session_id"] as? String }) == ["good", "user"], "\(sessions)")
            #expect(sessions.first { $0["session_id"] as? String == "user" }?["user_name"] is NSNull, "\(sessions)")
            let usage = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: app.operatorKey).items
            #expect(usage.first?["bytes_up"] as? Int == 110, "\(usage)")
        }
    }

    /// Usage was clamped to any session start; a start dated by a gateway clock 12 minutes
    /// ahead moved bytes that Acct-Delay-Time dated to the old day (and month) into the new one.
    @Test("a Start dated ahead by the gateway's clock leaves usage dated by Acct-Delay-Time in its own day", arguments: [TestEngine.sqlite])
    func startAheadKeepsDelayDating(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            let imsi = Fixtures.imsi(0)
            let midnight = try Date("2027-02-01T00:00:00Z", strategy: .iso8601)
            app.clock.set(midnight - 600)
            var start = GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: "ahead", imsi: imsi)
            start.eventTimestamp = UInt32(midnight.timeIntervalSince1970 + 120)
            try await RADIUSAccountingTests.send(app, [Self.accounting(start, identifier: 1)])
            app.clock.set(midnight + 32)
            var interim = GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "ahead", imsi: imsi, inputBytes: 1_000)
            interim.delayTime = 60
            try await RADIUSAccountingTests.send(app, [Self.accounting(interim, identifier: 2)])
            let days = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=day", key: app.operatorKey).items
            #expect(days.map { $0["period"] as? String } == ["2027-01-31"], "\(days)")
        }
    }

    /// A NAS-Identifier that is not UTF-8 (a Latin-1 name) was read as none, and the gateway
    /// taken for its client's address: its Accounting-On stopped the sessions of the gateway
    /// that NAS-IP-Address names.
    @Test("an Accounting-On naming its gateway in Latin-1 stops no other gateway's sessions", arguments: [TestEngine.sqlite])
    func latinGatewayName(engine: TestEngine) async throws {
        // Named by its address, as SIMGATE_RADIUS_CLIENTS names every client.
        try await TestHarness.run(engine, configure: { configuration in
            configuration.radius.clients = [RADIUSClient(name: "127.0.0.1", address: "127.0.0.1", secret: TestHarness.radiusSecret, coaPort: 3_799)]
        }) { app in
            let sim = try await Self.liveSim(app)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "by-address", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
            ])
            let restart = RADIUSPacket(code: .accountingRequest, identifier: 2, authenticator: [UInt8](repeating: 0, count: 16), attributes: [
                .integer(RADIUSAttributeType.acctStatusType, AccountingStatusType.accountingOn.rawValue),
                RADIUSAttribute(type: RADIUSAttributeType.nasIdentifier, value: Array("pgw-m".utf8) + [0xFC] + Array("nchen".utf8)),
            ])
            try await RADIUSAccountingTests.send(app, [RADIUSAuthenticators.signRequest(restart, secret: Self.secret)])
            let session = try #require(try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items.first)
            #expect(session["stopped_at"] is NSNull, "\(session)")

            // Nor another Latin-1 gateway's: each byte is its own character, so two names that
            // differ in a byte no UTF-8 reader takes are two gateways.
            var opened = GatewayAccountingRequest(.start, nas: .name("placeholder"), sessionID: "by-name", imsi: Fixtures.imsi(0)).signed(identifier: 3, secret: Self.secret)
            opened.attributes = opened.attributes.map { attribute in
                attribute.type == RADIUSAttributeType.nasIdentifier ? RADIUSAttribute(type: attribute.type, value: Array("pgw-m".utf8) + [0xF6] + Array("nchen".utf8)) : attribute
            }
            opened.authenticator = [UInt8](repeating: 0, count: 16)
            var restartAgain = restart
            restartAgain.identifier = 4
            try await RADIUSAccountingTests.send(app, [RADIUSAuthenticators.signRequest(opened, secret: Self.secret), RADIUSAuthenticators.signRequest(restartAgain, secret: Self.secret)])
            let sessions = try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items
            #expect(sessions.count == 2 && sessions.allSatisfy { $0["stopped_at"] is NSNull }, "\(sessions)")
        }
    }

    /// A retired SIM's session still running (its disconnect unanswered) bound a new device to
    /// it and moved its last place, each with an event.
    @Test("a retired SIM's session changes nothing of the SIM: no device, no place, no event; its bytes are counted", arguments: [TestEngine.sqlite])
    func retiredSimTakesNoChange(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "late", imsi: Fixtures.imsi(0), input: 100, output: 0, identifier: 1, imeisv: "3569380356438091"),
            ])
            let before = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(before["imei"] != nil && before.json["last_seen"] is [String: Any], "\(before.text)")
            #expect(try await app.request(.post, "/v1/sims/\(sim)/retire", key: app.operatorKey).status == 200)
            let retired = try await app.request(.get, "/v1/sims/\(sim)/events?limit=100", key: app.operatorKey).items.count
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.interimUpdate, session: "late", imsi: Fixtures.imsi(0), input: 600, output: 0, identifier: 2, mccMNC: "20801", imeisv: "4901542032375101"),
            ])
            let after = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(after["imei"] == before["imei"], "\(after.text)")
            #expect((after.json["last_seen"] as? [String: Any])?["country"] as? String == "DE", "\(after.text)")
            let events = try await app.request(.get, "/v1/sims/\(sim)/events?limit=100", key: app.operatorKey).items
            #expect(events.count == retired, "\(events.prefix(3))")
            let usage = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: app.operatorKey).items
            #expect(usage.first?["bytes_up"] as? Int == 600, "\(usage)")
        }
    }

    /// SimGate speaks no EAP; an Access-Request carrying EAP-Message for a LIVE SIM was
    /// accepted, which a peer reads as EAP succeeding with no method run.
    @Test("an Access-Request carrying EAP-Message is rejected, even for a LIVE SIM")
    func eapIsRejected() async throws {
        try await TestHarness.run(.sqlite) { app in
            _ = try await Self.liveSim(app)
            let identity = Array("1\(Fixtures.imsi(0))@wlan.mnc001.mcc001.3gppnetwork.org".utf8)
            let eapResponseIdentity: [UInt8] = [2, 1, 0, UInt8(5 + identity.count), 1] + identity
            let request = RADIUSAuthenticators.signRequest(RADIUSPacket(
                code: .accessRequest, identifier: 9, authenticator: (0..<16).map { _ in UInt8.random(in: 0...255) },
                attributes: [
                    .text(RADIUSAttributeType.userName, Fixtures.imsi(0)),
                    .vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array(Fixtures.imsi(0).utf8)),
                    RADIUSAttribute(type: RADIUSAttributeType.eapMessage, value: eapResponseIdentity),
                ]
            ), secret: Self.secret)
            #expect(try await RADIUSAccessTests.ask(app, request) == (.accessReject, "EAP is not supported"))
            // The same request without EAP is accepted.
            #expect(try await RADIUSAccessTests.ask(app, RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: Fixtures.imsi(0), identifier: 10)).0 == .accessAccept)
        }
    }

    @Test("a 3GPP-IMSI that SimGate does not know is refused even when User-Name names a LIVE SIM, for access and for accounting", arguments: TestEngine.available)
    func unknownIMSIDoesNotFallBackToUserName(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            let spoofed = RADIUSAccessTests.accessRequest(imsi: "901709999999999", userName: Fixtures.iccid(0), identifier: 1)
            #expect(try await RADIUSAccessTests.ask(app, spoofed) == (.accessReject, "unknown SIM"))
            // A 3GPP-IMSI that is not even an IMSI names no SIM either.
            let garbled = RADIUSAccessTests.accessRequest(imsi: "not-an-imsi", userName: Fixtures.iccid(0), identifier: 2)
            #expect(try await RADIUSAccessTests.ask(app, garbled) == (.accessReject, "unknown SIM"))
            // The genuine article still gets in.
            let genuine = RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: "anything", identifier: 3)
            #expect(try await RADIUSAccessTests.ask(app, genuine).0 == .accessAccept)
            // Two 3GPP-IMSIs that differ name no SIM (the first was taken, whatever the second
            // said); the same one twice is still that SIM.
            func twoIMSIs(_ second: String, identifier: UInt8) -> RADIUSPacket {
                var packet = RADIUSAccessTests.accessRequest(imsi: Fixtures.imsi(0), userName: "anything", identifier: identifier)
                packet.attributes.append(.vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array(second.utf8)))
                return RADIUSAuthenticators.signRequest(packet, secret: Array(TestHarness.radiusSecret.utf8))
            }
            #expect(try await RADIUSAccessTests.ask(app, twoIMSIs(Fixtures.imsi(1), identifier: 5)) == (.accessReject, "unknown SIM"))
            #expect(try await RADIUSAccessTests.ask(app, twoIMSIs(Fixtures.imsi(0), identifier: 6)).0 == .accessAccept)

            var report = GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "spoof", imsi: "901709999999999", inputBytes: 5_000)
            report.userName = Fixtures.iccid(0)
            try await RADIUSAccountingTests.send(app, [Self.accounting(report, identifier: 4)])
            let sessions = try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items
            #expect(sessions.isEmpty, "a foreign IMSI's usage must not land on the SIM its User-Name names")
        }
    }

    @Test("counters past 2^63 are answered, stored nowhere, and do not stop the server; a retransmission is answered the same", arguments: TestEngine.available)
    func hugeGigawordsAreRefusedButAnswered(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            let imsi = Fixtures.imsi(0)
            let huge = Self.accounting(
                GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "huge", imsi: imsi, inputBytes: 0xFFFF_FFFF_0000_0001),
                identifier: 1
            )
            try await RADIUSAccountingTests.send(app, [huge])
            try await RADIUSAccountingTests.send(app, [huge])  // the gateway retries: answered again
            // The server is alive and counts what fits: two sessions whose sum would pass 2^63.
            let nearlyAll = UInt64(Int64.max) - 10
            try await RADIUSAccountingTests.send(app, [
                Self.accounting(GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "a", imsi: imsi, inputBytes: nearlyAll), identifier: 2),
                Self.accounting(GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "b", imsi: imsi, inputBytes: 100), identifier: 3),
            ])
            let usage = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=month", key: app.operatorKey)
            #expect(usage.status == 200)
            #expect(usage.text.contains("\"bytes_up\":\(nearlyAll)") || usage.text.contains("\"bytes_up\" : \(nearlyAll)"), "\(usage.text)")
            // Every later report of an ordinary size still counts.
            let other = try #require(try await app.importSims(1..<2).first)
            _ = try await app.request(.post, "/v1/sims/\(other)/activate", key: app.operatorKey)
            try await RADIUSAccountingTests.send(app, [
                Self.accounting(GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "c", imsi: Fixtures.imsi(1), inputBytes: 1_234), identifier: 4),
            ])
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let total = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: other), period: month) }
            #expect(total.up == 1_234)
        }
    }

    /// A report refused because it would carry its SIM's total past 2^63 still set its
    /// session's counters: the session showed the refused bytes, and every later report of it,
    /// its counters below those, added nothing.
    @Test("a report refused as past the total's limit leaves its session's counters where they were", arguments: TestEngine.available)
    func refusedReportLeavesSessionCounters(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            let imsi = Fixtures.imsi(0)
            func interim(_ session: String, _ bytes: UInt64, _ identifier: UInt8) -> RADIUSPacket {
                Self.accounting(GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: session, imsi: imsi, inputBytes: bytes), identifier: identifier)
            }
            try await RADIUSAccountingTests.send(app, [interim("seed", 5_000, 1), interim("x", 2_000, 2)])
            try await RADIUSAccountingTests.send(app, [interim("x", UInt64(Int64.max), 3)])
            let sessions = try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items
            let x = sessions.first { $0["session_id"] as? String == "x" }
            #expect((x?["bytes_up"] as? NSNumber)?.int64Value == 2_000, "\(sessions)")
            // The gateway's next report counts from where the session was.
            try await RADIUSAccountingTests.send(app, [interim("x", 3_000, 4)])
            let month = UsageRepository.periods(of: app.clock.now())[1]
            let total = try await app.database.store.read { try await $0.usage.total(simID: SimID(trusted: sim), period: month) }
            #expect(total.up == 8_000)
        }
    }

    @Test("an Accounting-Request without Acct-Status-Type gets no answer and creates no session", arguments: TestEngine.available)
    func accountingWithoutStatusType(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            let packet = RADIUSAuthenticators.signRequest(RADIUSPacket(
                code: .accountingRequest, identifier: 1, authenticator: [UInt8](repeating: 0, count: 16),
                attributes: [
                    .text(RADIUSAttributeType.acctSessionID, "no-status"),
                    .vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array(Fixtures.imsi(0).utf8)),
                ]
            ), secret: Self.secret)
            let replies = try await RADIUSUDPTestClient(serverPort: app.radiusAccountingPort).exchange([packet.encoded()], wait: .milliseconds(500), expecting: 0)
            #expect(replies.isEmpty)
            #expect(try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items.isEmpty)
            let metrics = try await app.request(.get, "/metrics", key: nil).text
            #expect(metrics.contains(#"simgate_radius_dropped_total{port="accounting",reason="missing_status_type"} 1"#))
        }
    }

    @Test("first use is the first report with bytes, not a Start without data; a session starts at its Event-Timestamp", arguments: TestEngine.available)
    func firstUseAndSessionStart(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await Self.liveSim(app)
            let imsi = Fixtures.imsi(0)
            let opened = app.clock.now()
            var start = GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: "s", imsi: imsi)
            start.eventTimestamp = UInt32(opened.timeIntervalSince1970) - 30
            try await RADIUSAccountingTests.send(app, [Self.accounting(start, identifier: 1)])
            let afterStart = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(afterStart.json["first_use_at"] is NSNull, "a Start with no data is not a first use")

            app.clock.advance(by: 120)
            try await RADIUSAccountingTests.send(app, [
                Self.accounting(GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "s", imsi: imsi, inputBytes: 10), identifier: 2),
            ])
            let afterData = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(afterData["first_use_at"] == RFC3339Text.format(app.clock.now()))
            let session = try #require(try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items.first)
            #expect(session["started_at"] as? String == RFC3339Text.format(opened.addingTimeInterval(-30)))

            // A gateway whose clock says 1970 is not believed: the session starts when it was heard of.
            var confused = GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: "t", imsi: imsi)
            confused.eventTimestamp = 86_400
            try await RADIUSAccountingTests.send(app, [Self.accounting(confused, identifier: 3)])
            let sessions = try await app.request(.get, "/v1/sims/\(sim)/sessions", key: app.operatorKey).items
            #expect(sessions.first { $0["session_id"] as? String == "t" }?["started_at"] as? String == RFC3339Text.format(app.clock.now()))
        }
    }

    /// The Accounting-On here is sent again: made five seconds before it arrives
    /// (Acct-Delay-Time), after the gateway's first new Start. It stopped that new session too,
    /// which then carried data no disconnect would ever look at.
    @Test("Accounting-On closes the gateway's sessions heard of before it was made, each with a sim.session_stopped event like a Stop", arguments: TestEngine.available)
    func accountingOnRecordsStops(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await app.importSims(0..<2)
            for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey) }
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "one", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 1),
                RADIUSAccountingTests.accounting(.start, session: "two", imsi: Fixtures.imsi(1), input: 0, output: 0, identifier: 2),
                RADIUSAccountingTests.accounting(.start, session: "three", imsi: Fixtures.imsi(1), input: 0, output: 0, identifier: 3),
                RADIUSAccountingTests.accounting(.stop, session: "three", imsi: Fixtures.imsi(1), input: 5, output: 5, identifier: 4),
            ])
            app.clock.advance(by: 10)
            try await RADIUSAccountingTests.send(app, [RADIUSAccountingTests.accounting(.start, session: "after", imsi: Fixtures.imsi(0), input: 0, output: 0, identifier: 6)])
            try await RADIUSAccountingTests.send(app, [Self.accountingOn(identifier: 5, .integer(RADIUSAttributeType.acctDelayTime, 5))])
            #expect(try await app.request(.get, "/v1/sims/\(sims[1])/sessions?open=true", key: app.operatorKey).items.isEmpty)
            let stillOpen = try await app.request(.get, "/v1/sims/\(sims[0])/sessions?open=true", key: app.operatorKey).items
            #expect(stillOpen.map { $0["session_id"] as? String } == ["after"], "\(stillOpen)")
            let events = try await app.request(.get, "/v1/events?type=sim.session_stopped&limit=10", key: app.operatorKey).items
            let reasons = events.compactMap { ($0["cause"] as? [String: Any])?["reason"] as? String }.sorted()
            #expect(reasons.count == 3)
            #expect(reasons.filter { $0.hasPrefix("Accounting-On") }.count == 2)
            #expect(reasons.contains { $0.hasPrefix("Accounting Stop") && $0.hasSuffix("three") })
        }
    }
}

extension NetworkGateRegressionTests {
    /// The gateway dates everything by its clock and sends its Accounting-On again, unchanged
    /// (no Acct-Delay-Time), after its first new Start: that session was stopped, and carried
    /// data no disconnect would look at.
    @Test("an Accounting-On sent again with its Event-Timestamp leaves the sessions its gateway's clock began since", arguments: TestEngine.available)
    func repeatedAccountingOnByGatewayClock(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sims = try await app.importSims(0..<2)
            for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: app.operatorKey) }
            let reboot = UInt32(app.clock.now().timeIntervalSince1970)
            func start(_ session: String, sim: Int, at time: UInt32, identifier: UInt8) -> RADIUSPacket {
                var request = GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: session, imsi: Fixtures.imsi(sim))
                request.eventTimestamp = time
                return Self.accounting(request, identifier: identifier)
            }
            func on(identifier: UInt8) -> RADIUSPacket {
                Self.accountingOn(identifier: identifier, .integer(RADIUSAttributeType.eventTimestamp, reboot))
            }
            try await RADIUSAccountingTests.send(app, [start("before", sim: 0, at: reboot - 100, identifier: 1), on(identifier: 2)])
            app.clock.advance(by: 5)
            try await RADIUSAccountingTests.send(app, [start("since", sim: 1, at: reboot + 5, identifier: 3), on(identifier: 4)])
            #expect(try await app.request(.get, "/v1/sims/\(sims[0])/sessions?open=true", key: app.operatorKey).items.isEmpty)
            let open = try await app.request(.get, "/v1/sims/\(sims[1])/sessions?open=true", key: app.operatorKey).items
            #expect(open.map { $0["session_id"] as? String } == ["since"], "\(open)")

            // Rebooted again, its clock reset to 2000-01-01: every session it had ends. Read on
            // that clock alone, each old session began after the reboot and stayed open for good.
            app.clock.advance(by: 60)
            try await RADIUSAccountingTests.send(app, [Self.accountingOn(identifier: 9, .integer(RADIUSAttributeType.eventTimestamp, 946_684_800))])
            #expect(try await app.request(.get, "/v1/sims/\(sims[1])/sessions?open=true", key: app.operatorKey).items.isEmpty)
        }
    }
}

extension NetworkGateRegressionTests {
    /// A signed Accounting-On from 127.0.0.1, with `extra` attributes (a delay, a time).
    static func accountingOn(identifier: UInt8, _ extra: RADIUSAttribute...) -> RADIUSPacket {
        RADIUSAuthenticators.signRequest(RADIUSPacket(
            code: .accountingRequest, identifier: identifier, authenticator: [UInt8](repeating: 0, count: 16),
            attributes: [
                .integer(RADIUSAttributeType.acctStatusType, AccountingStatusType.accountingOn.rawValue),
                RADIUSAttribute(type: RADIUSAttributeType.nasIPAddress, value: [127, 0, 0, 1]),
            ] + extra
        ), secret: secret)
    }
}

/// RFC 3339 text as the API writes it (UTC, milliseconds).
enum RFC3339Text {
    static func format(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }
}
