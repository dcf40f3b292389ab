import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateTestSupport
import Testing

/// What belongs to an AOFU SIM's present life and what to a former one: top-ups after its
/// shutdown, late data from before its bundle, reports after it was unprovisioned, and the
/// record each change of its threshold and bundle leaves.
@Suite("AOFU: a SIM's life and what lies outside it")
struct AOFULifeBoundaryTests {
    /// A usage record of SIM `sim`, used at `time`.
    static func record(_ id: String, sim: String, at time: Date, bytes: Int) -> [String: Any] {
        ["id": id, "sim": sim, "started_at": RFC3339Text.format(time), "ended_at": RFC3339Text.format(time), "bytes_up": bytes, "bytes_down": 0]
    }

    /// A top-up after the shutdown was accepted, billed, and then lost at the next provisioning,
    /// which grants a fresh bundle.
    @Test("a SIM past its shutdown takes no top-up, through /v1 or Cellhire, and its bundle stays as it was", arguments: TestEngine.available)
    func noTopUpAfterShutdown(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("ERP Ltd")
            let sim = try await app.cellhireStock(account: account)
            let client = try await CellhireClient.make(app, key: key)
            let provision = try await client.submitAndSettle("Provision", """
                {"stock": [{"serialNumber": "987654321"}], "provisioningOrderNumber": 1, "tariffNumber": 999, "shutdownThreshold": 1, "bundleSizeMb": 10}
                """)
            #expect(provision["status"] == "complete", "\(provision.text)")
            try await RADIUSAccountingTests.send(app, [
                RADIUSAccountingTests.accounting(.start, session: "life", imsi: Fixtures.imsi(0), input: 1_000, output: 0, identifier: 1),
            ])
            app.clock.advance(by: 3_601)
            try await app.settle()
            let shutDown = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect(shutDown["status"] == "UNPROVISIONED", "\(shutDown.text)")
            let bundle = try #require(shutDown.json["bundle"] as? [String: Any])

            let direct = try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: key, json: ["amount_mb": 10])
            #expect(direct.status == 409 && direct.code == "sim_unprovisioned", "\(direct.text)")
            // A new token: the first one has expired over the hour.
            let cellhire = try await CellhireClient.make(app, key: key).send(.post, "/api/simSubmission/TopUp", #"{"serialNumbers": ["987654321"], "amountMb": 10}"#)
            #expect(cellhire.status == 400 && cellhire.code == "sim_unprovisioned" && cellhire["param"] == "serialNumbers[0]", "\(cellhire.text)")

            let after = try await app.request(.get, "/v1/sims/\(sim)", key: key)
            #expect((after.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == bundle["size_bytes"] as? Int)
            let history = try await app.request(.get, "/v1/sims/\(sim)/bundle", key: key)
            #expect((history.json["changes"] as? [[String: Any]])?.map { $0["kind"] as? String } == ["granted"], "\(history.text)")
            #expect(try await app.request(.get, "/v1/events?type=sim.bundle_topped_up", key: key).items.isEmpty)
        }
    }

    /// Past its shutdown time, with the shutdown job not yet run, a top-up was taken and then
    /// lost with the bundle moments later.
    @Test("a top-up due after the shutdown time, before the shutdown has run, is refused as aofu_expired", arguments: [TestEngine.sqlite])
    func noTopUpPastShutdownTime(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 1, megabytes: 1)
            try await AOFULifecycleTests.report(app, .start, input: 1_000, identifier: 1)
            app.clock.advance(by: 3_600)
            let refused = try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: app.operatorKey, json: ["amount_mb": 10])
            #expect(refused.status == 409 && refused.code == "aofu_expired", "\(refused.text)")
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect((state.json["bundle"] as? [String: Any])?["size_bytes"] as? Int == 1_048_576, "\(state.text)")
        }
    }

    /// A late CDR of a SIM's former life ate into its new bundle, and one dated before its
    /// provisioning put a new SIM OFFLINE.
    @Test("data used before the bundle was granted takes nothing from it; data of its own life does", arguments: TestEngine.available)
    func formerLifeTakesNoBundle(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 24, megabytes: 1)
            let provisionedAt = app.clock.now()
            app.clock.advance(by: 3_600)
            let late = try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": [
                Self.record("old-life", sim: sim, at: provisionedAt.addingTimeInterval(-10 * 86_400), bytes: 2_000_000),
                Self.record("just-before", sim: sim, at: provisionedAt.addingTimeInterval(-600), bytes: 2_000_000),
            ]])
            #expect(late.json["accepted"] as? Int == 2, "\(late.text)")
            try await app.settle()
            var state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(state["status"] == "LIVE", "\(state.text)")
            #expect((state.json["bundle"] as? [String: Any])?["used_bytes"] as? Int == 0, "\(state.text)")
            #expect(try await app.request(.get, "/v1/events?type=sim.hold_placed", key: app.operatorKey).items.isEmpty)

            // Within the clocks' slack of the grant, and after it: counted.
            let own = try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": [
                Self.record("at-grant", sim: sim, at: provisionedAt.addingTimeInterval(-60), bytes: 1_000),
                Self.record("now", sim: sim, at: app.clock.now(), bytes: 500),
            ]])
            #expect(own.json["accepted"] as? Int == 2, "\(own.text)")
            state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect((state.json["bundle"] as? [String: Any])?["used_bytes"] as? Int == 1_500, "\(state.text)")
        }
    }

    /// A CDR that began before the provisioning and ended after it was charged to the new
    /// bundle (judged by its end) but was no first use (judged by its start): the SIM was held
    /// for a used-up bundle with no first use and no shutdown scheduled.
    @Test("a record across the provisioning counts against the bundle and is the first use, dated at the new life's start", arguments: TestEngine.available)
    func recordAcrossProvisioning(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 24, megabytes: 1)
            let provisionedAt = app.clock.now()
            app.clock.advance(by: 10)
            var record = Self.record("across", sim: sim, at: provisionedAt.addingTimeInterval(-60), bytes: 2_000_000)
            record["started_at"] = RFC3339Text.format(provisionedAt.addingTimeInterval(-600))
            let posted = try await app.request(.post, "/v1/usage_records", key: app.operatorKey, json: ["records": [record]])
            #expect(posted.json["accepted"] as? Int == 1, "\(posted.text)")
            try await app.settle()
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(state["status"] == "OFFLINE", "\(state.text)")
            #expect((state.json["bundle"] as? [String: Any])?["used_bytes"] as? Int == 2_000_000, "\(state.text)")
            let lifeBegan = provisionedAt.addingTimeInterval(-300)  // the clocks' slack before the provisioning
            #expect(state["first_use_at"] == RFC3339Text.format(lifeBegan), "\(state.text)")
            #expect(state["shutdown_at"] == RFC3339Text.format(lifeBegan.addingTimeInterval(24 * 3_600)), "\(state.text)")
        }
    }

    /// How a report dated its usage before its session began.
    enum DatedBack: CaseIterable, Sendable {
        /// A gateway clock set back weeks since the Start SimGate dated itself (no Event-Timestamp).
        case clockSetBack
        /// An Acct-Delay-Time of two hours a second into a session whose Start the gateway dated.
        case delayAfterDatedStart
    }

    /// Usage dated before its session began (Event-Timestamp or Acct-Delay-Time are trusted up
    /// to 31 days back) in a session begun after the provisioning was taken for a former life's:
    /// the SIM ran free of its bundle and countdown, and the usage went to a day or month no
    /// statement covers. (A gateway clock set back since before a Start it dated is left as it
    /// was: such a session looks like one whose Start was held through an outage, whose bytes
    /// count when they were used.)
    @Test("usage is never dated before its session began: it still uses the bundle and starts the countdown",
          arguments: TestEngine.available, DatedBack.allCases)
    func usageNotBeforeItsSession(engine: TestEngine, datedBack: DatedBack) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 1, megabytes: 1)
            app.clock.advance(by: 60)
            let opened = app.clock.now()
            var start = GatewayAccountingRequest(.start, nas: .address([127, 0, 0, 1]), sessionID: "a-1", imsi: Fixtures.imsi(0))
            var interim = GatewayAccountingRequest(.interimUpdate, nas: .address([127, 0, 0, 1]), sessionID: "a-1", imsi: Fixtures.imsi(0), inputBytes: 3 * 1_048_576)
            switch datedBack {
            case .clockSetBack:
                interim.eventTimestamp = UInt32(opened.timeIntervalSince1970 + 60 - 20 * 86_400)
            case .delayAfterDatedStart:
                start.eventTimestamp = UInt32(opened.timeIntervalSince1970 + 2)
                interim.eventTimestamp = UInt32(opened.timeIntervalSince1970 + 3)
                interim.sessionTime = 1
                interim.delayTime = 7_200
            }
            try await RADIUSAccountingTests.send(app, [NetworkGateRegressionTests.accounting(start, identifier: 1)])
            app.clock.advance(by: 60)
            try await RADIUSAccountingTests.send(app, [NetworkGateRegressionTests.accounting(interim, identifier: 2)])
            try await app.settle()
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect((state.json["bundle"] as? [String: Any])?["used_bytes"] as? Int == 3 * 1_048_576, "\(state.text)")
            #expect(state["first_use_at"] == RFC3339Text.format(opened), "\(state.text)")
            #expect(state["status"] == "OFFLINE", "its 1 MB bundle used up: \(state.text)")
            let days = try await app.request(.get, "/v1/sims/\(sim)/usage?granularity=day", key: app.operatorKey).items
            #expect(days.map { $0["period"] as? String } == [String(RFC3339Text.format(opened).prefix(10))], "\(days)")
        }
    }

    /// A top-up, and a provisioning that only replaced the bundle, left `updated_at` where it
    /// was, in the SIM and in the events that carry it.
    @Test("a top-up and a new bundle move the SIM's updated_at, in the SIM and its event")
    func bundleChangesMoveUpdatedAt() async throws {
        try await TestHarness.run(.sqlite) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 24, megabytes: 1)
            app.clock.advance(by: 60)
            let topUp = try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: app.operatorKey, json: ["amount_mb": 5])
            #expect(topUp.status == 200 || topUp.status == 201, "\(topUp.text)")
            var state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(state["updated_at"] == RFC3339Text.format(app.clock.now()), "\(state.text)")
            let toppedUp = try #require(try await app.request(.get, "/v1/events?type=sim.bundle_topped_up", key: app.operatorKey).items.first)
            #expect(((toppedUp["data"] as? [String: Any])?["object"] as? [String: Any])?["updated_at"] as? String == RFC3339Text.format(app.clock.now()), "\(toppedUp)")
            app.clock.advance(by: 60)
            let again = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: [
                "tariff": 24, "shutdown_threshold_hours": 24, "bundle_size_mb": 2,
            ])
            #expect(again.status == 200, "\(again.text)")
            state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(state["updated_at"] == RFC3339Text.format(app.clock.now()), "\(state.text)")
        }
    }

    @Test("a report that reaches an unprovisioned SIM starts no countdown: no first use, no shutdown scheduled", arguments: TestEngine.available)
    func noFirstUseAfterUnprovisioning(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 24, megabytes: 10)
            let unprovisioned = try await app.request(.post, "/v1/sims/\(sim)/unprovision", key: app.operatorKey, json: [:])
            #expect(unprovisioned["status"] == "UNPROVISIONED", "\(unprovisioned.text)")
            app.clock.advance(by: 60)
            try await AOFULifecycleTests.report(app, .interimUpdate, session: "late", input: 5_000, identifier: 1)
            try await app.settle()
            let state = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            #expect(state["status"] == "UNPROVISIONED")
            #expect(state.json["first_use_at"] is NSNull && state.json["shutdown_at"] is NSNull, "\(state.text)")
            #expect(try await app.request(.get, "/v1/events?type=sim.first_use", key: app.operatorKey).items.isEmpty)
            #expect(try await app.request(.get, "/v1/events?type=sim.shutdown_scheduled", key: app.operatorKey).items.isEmpty)
        }
    }

    @Test("every threshold change is an event with its cause and the earlier value; a new provisioning tells what it reset", arguments: TestEngine.available)
    func thresholdAndResetsAreEvents(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 24, megabytes: 1)
            let changed = try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 7, "reason": "shorter trial"])
            #expect(changed.json["shutdown_threshold_hours"] as? Int == 7, "\(changed.text)")
            let updates = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.updated", key: app.operatorKey)
            let update = try #require(updates.items.first, "\(updates.text)")
            let earlier = try #require((update["data"] as? [String: Any])?["previous_attributes"] as? [String: Any], "\(updates.text)")
            #expect(earlier.count == 1 && earlier["shutdown_threshold_hours"] as? Int == 24, "\(updates.text)")
            #expect((update["cause"] as? [String: Any])?["reason"] as? String == "shorter trial")
            // The same threshold again changes nothing and records nothing.
            _ = try await app.request(.post, "/v1/sims/\(sim)/shutdown_threshold", key: app.operatorKey, json: ["hours": 7])
            #expect(try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.updated", key: app.operatorKey).items.count == 1)

            // Used, then provisioned again: the tariff event names the first use, shutdown,
            // threshold and bundle the new life replaced.
            try await AOFULifecycleTests.report(app, .start, input: 1_000, identifier: 1)
            let used = try await app.request(.get, "/v1/sims/\(sim)", key: app.operatorKey)
            let firstUse = try #require(used["first_use_at"] as String?)
            let again = try await app.request(.post, "/v1/sims/\(sim)/provision", key: app.operatorKey, json: [
                "tariff": 24, "shutdown_threshold_hours": 48, "bundle_size_mb": 2,
            ])
            #expect(again.status == 200, "\(again.text)")
            let tariffSet = try await app.request(.get, "/v1/sims/\(sim)/events?type=sim.tariff_set", key: app.operatorKey)
            let previous = try #require((tariffSet.items.first?["data"] as? [String: Any])?["previous_attributes"] as? [String: Any], "\(tariffSet.text)")
            #expect(previous["tariff_number"] as? Int == 24)
            #expect(previous["shutdown_threshold_hours"] as? Int == 7)
            #expect(previous["first_use_at"] as? String == firstUse)
            #expect(previous["shutdown_at"] as? String == used["shutdown_at"] as String?)
            #expect((previous["bundle"] as? [String: Any])?["used_bytes"] as? Int == 1_000, "\(previous)")
        }
    }

    /// The history stopped at the 1,000 oldest changes, with nothing to say more existed.
    @Test("a bundle's history pages oldest first with has_more and a cursor; bad cursors and limits are named", arguments: TestEngine.available)
    func bundleHistoryPages(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try await AOFULifecycleTests.provisionedSim(app, hours: 24, megabytes: 1)
            for amount in 1...5 {
                app.clock.advance(by: 1)
                let topUp = try await app.request(.post, "/v1/sims/\(sim)/top_ups", key: app.operatorKey, json: ["amount_mb": amount])
                #expect(topUp.status == 200, "\(topUp.text)")
            }
            var seen: [Int] = []
            var cursor: String?
            var pages = 0
            while pages < 10 {
                pages += 1
                let page = try await app.request(.get, "/v1/sims/\(sim)/bundle?limit=2" + (cursor.map { "&starting_after=\($0)" } ?? ""), key: app.operatorKey)
                let changes = try #require(page.json["changes"] as? [[String: Any]], "\(page.text)")
                seen += changes.compactMap { $0["bytes"] as? Int }
                cursor = changes.last?["id"] as? String
                guard page.json["has_more"] as? Bool == true else { break }
            }
            #expect(pages == 3)
            // The 1 MB grant, then each top-up in the order made.
            #expect(seen == [1, 1, 2, 3, 4, 5].map { $0 * 1_048_576 })
            let whole = try await app.request(.get, "/v1/sims/\(sim)/bundle", key: app.operatorKey)
            #expect((whole.json["changes"] as? [[String: Any]])?.count == 6 && whole.json["has_more"] as? Bool == false, "\(whole.text)")

            // Not an id of a change, or not one of this history: named, not an empty page.
            for cursor in ["evt_123", "01ARZ3NDEKTSV4RRFFQ69G5FAV"] {
                let badCursor = try await app.request(.get, "/v1/sims/\(sim)/bundle?starting_after=\(cursor)", key: app.operatorKey)
                #expect(badCursor.status == 400 && badCursor.code == "invalid_cursor" && badCursor["param"] == "starting_after", "\(badCursor.text)")
            }
            for limit in ["0", "1001", "-1", "x"] {
                let bad = try await app.request(.get, "/v1/sims/\(sim)/bundle?limit=\(limit)", key: app.operatorKey)
                #expect(bad.status == 400 && bad.code == "invalid_limit" && bad["param"] == "limit", "\(limit): \(bad.text)")
            }
        }
    }
}
