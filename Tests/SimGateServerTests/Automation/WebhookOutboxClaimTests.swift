import Foundation
import SimGateCore
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("The webhook outbox under competing claims")
struct WebhookOutboxClaimTests {
    @Test("two instances claiming at once never take the same delivery, and an endpoint's concurrency caps their claims together", arguments: TestEngine.available)
    func competingClaims(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            _ = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/hook", types: ["sim.status_changed"], extra: ["max_concurrency": 50])
            let sims = try await app.importSims(0..<120, account: account)
            let iccids = (0..<120).map(Fixtures.iccid)
            _ = try await app.request(.post, "/v1/sims/bulk", key: key, json: ["action": "activate", "iccids": iccids])
            #expect(sims.count == 120)
            let first = app.database.store.webhookOutbox
            let claimed = try await Self.claimFromTwoInstances(app, limit: 40, lease: 60)
            let ids = claimed.0.map(\.delivery.id) + claimed.1.map(\.delivery.id)
            #expect(Set(ids).count == ids.count, "no delivery claimed twice")
            #expect(claimed.0.count <= 40 && claimed.1.count <= 40)
            #expect(!ids.isEmpty)
            // What is in flight counts against the endpoint: 50 at most, between the two claims
            // and with a third. On PostgreSQL two claims that started together each saw the
            // other's room as free and took 80 between them; they now take turns.
            #expect(ids.count <= 50, "\(claimed.0.count) + \(claimed.1.count)")
            let third = try await first.claim(limit: 100, worker: "instance-c", now: app.clock.now(), lease: 60)
            #expect(ids.count + third.count <= 50, "\(ids.count) + \(third.count)")
            #expect(Set(third.map(\.delivery.id)).isDisjoint(with: ids))
        }
    }

    /// An ordered endpoint whose oldest delivery waits for its retry, with newer ones due, was
    /// dealt slots it then had nothing to fill: such endpoints could take a whole claim, which
    /// sent nothing while other endpoints waited. And an account's only endpoint keeps its
    /// account's whole share (a concurrency up to 50), not half of it.
    @Test("a claim passes over an ordered endpoint whose oldest delivery is not due, and an account's only endpoint may take the account's whole share", arguments: TestEngine.available)
    func dealingSkipsBlockedOrdered(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (blocked, _) = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/a", types: ["sim.status_changed"], extra: ["ordered": true])
            let sims = try await app.importSims(0..<3, account: account)
            _ = try await app.request(.post, "/v1/sims/\(sims[0])/activate", key: key)
            // Its oldest delivery waits an hour for a retry; a newer one is due, and older than
            // any of the other endpoint's.
            try await app.database.sqlTransaction { db in
                try await db.raw("UPDATE webhook_deliveries SET next_attempt_at = \(bind: app.clock.now().epochMilliseconds + 3_600_000) WHERE endpoint_id = \(bind: blocked)").run()
            }
            _ = try await app.request(.post, "/v1/sims/\(sims[1])/activate", key: key)
            let (open, _) = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/b", types: ["sim.status_changed"])
            _ = try await app.request(.post, "/v1/sims/\(sims[2])/activate", key: key)
            let outbox = app.database.store.webhookOutbox
            let claimed = try await outbox.claim(limit: 1, perAccount: 32, worker: "w", now: app.clock.now(), lease: 60)
            #expect(claimed.map(\.endpoint.id.rawValue) == [open], "the slot goes to the endpoint that can use it")

            let (other, otherKey) = try await app.makeCustomer("Scooters")
            let (only, _) = try await WebhookDeliveryTests.endpoint(app, key: otherKey, url: "http://127.0.0.1:9/c", types: ["sim.status_changed"], extra: ["max_concurrency": 50])
            let many = try await app.importSims(10..<50, account: other)
            _ = try await app.request(.post, "/v1/sims/bulk", key: otherKey, json: ["action": "activate", "iccids": (10..<50).map(Fixtures.iccid)])
            #expect(many.count == 40)
            let taken = try await outbox.claim(limit: 64, perAccount: 32, worker: "w", now: app.clock.now(), lease: 60)
            #expect(taken.filter { $0.endpoint.id.rawValue == only }.count == 32, "\(taken.count)")
        }
    }

    @Test("an attempt whose instance died is logged when its claim runs out, so the log has every attempt the count has", arguments: TestEngine.available)
    func lostAttemptLogged(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (key, delivery) = try await Self.deliveryLeftByDeadInstance(app)
            let taken = try await app.database.store.webhookOutbox.claim(limit: 10, worker: "alive", now: app.clock.now(), lease: 5)
            #expect(taken.map(\.delivery.id.rawValue) == [delivery])
            let log = try await Self.expectTwoAttemptsOneLine(app, key: key, delivery: delivery)
            #expect((log.first?["error"] as? String)?.contains("did not record how it ended") == true, "\(log)")
        }
    }

    /// Claims at the same moment from two stores over the same database, as two instances
    /// would: `instance-a` (the app's own store) and `instance-b`.
    static func claimFromTwoInstances(_ app: TestHarness, limit: Int, lease: TimeInterval) async throws -> ([ClaimedDelivery], [ClaimedDelivery]) {
        let first = app.database.store.webhookOutbox
        let second = try SimGateDatabase(app.databaseConfiguration, logger: TestDatabase.logger)
        return try await second.withRunning {
            let other = second.store.webhookOutbox
            let now = app.clock.now()
            async let a = first.claim(limit: limit, worker: "instance-a", now: now, lease: lease)
            async let b = other.claim(limit: limit, worker: "instance-b", now: now, lease: lease)
            return try await (a, b)
        }
    }

    /// A customer's delivery claimed by an instance that was then killed, and its lease run
    /// out: the customer's key and the delivery's id.
    static func deliveryLeftByDeadInstance(_ app: TestHarness) async throws -> (key: String, delivery: String) {
        let (account, key) = try await app.makeCustomer("E-Bikes")
        _ = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/hook", types: ["sim.status_changed"])
        let sim = try #require(try await app.importSims(0..<1, account: account).first)
        _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
        let dead = try await app.database.store.webhookOutbox.claim(limit: 10, worker: "killed", now: app.clock.now(), lease: 5)
        let delivery = try #require(dead.first?.delivery.id.rawValue)
        app.clock.advance(by: 6)
        return (key, delivery)
    }

    /// Expects the delivery to count two attempts and log one line (the lost attempt's; the
    /// second is still under way); returns the log.
    @discardableResult
    static func expectTwoAttemptsOneLine(_ app: TestHarness, key: String, delivery: String) async throws -> [[String: Any]] {
        let shown = try await app.request(.get, "/v1/webhook_deliveries/\(delivery)", key: key).json
        let log = shown["attempt_log"] as? [[String: Any]] ?? []
        #expect(shown["attempts"] as? Int == 2 && log.count == 1, "\(shown)")
        return log
    }

    /// Two instances claiming at once both read the expired claim before either took it back,
    /// and each logged the lost attempt: the log had three lines for two attempts.
    @Test("a lost attempt taken back by two instances at once is logged once", arguments: TestEngine.available)
    func lostAttemptLoggedOnceUnderCompetingClaims(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (key, delivery) = try await Self.deliveryLeftByDeadInstance(app)
            let claimed = try await Self.claimFromTwoInstances(app, limit: 10, lease: 5)
            #expect((claimed.0 + claimed.1).map(\.delivery.id.rawValue) == [delivery], "taken by one of them")
            try await Self.expectTwoAttemptsOneLine(app, key: key, delivery: delivery)
        }
    }

    /// An endpoint deleted while its attempt ran took its delivery with it; recording that
    /// attempt failed its foreign key and rolled back every outcome recorded with it, another
    /// account's too, whose deliveries were then sent again when their claims ran out.
    @Test("an endpoint deleted mid-attempt loses no other account's outcome", arguments: TestEngine.available)
    func endpointDeletedMidAttempt(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (accountA, keyA) = try await app.makeCustomer("A")
            let (accountB, keyB) = try await app.makeCustomer("B")
            let (endpointA, _) = try await WebhookDeliveryTests.endpoint(app, key: keyA, url: "http://127.0.0.1:9/a", types: ["sim.status_changed"])
            let (endpointB, _) = try await WebhookDeliveryTests.endpoint(app, key: keyB, url: "http://127.0.0.1:9/b", types: ["sim.status_changed"])
            for (index, (account, key)) in [(accountA, keyA), (accountB, keyB)].enumerated() {
                let sim = try #require(try await app.importSims(index..<(index + 1), account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            }
            let outbox = app.database.store.webhookOutbox
            let claimed = try await outbox.claim(limit: 10, worker: "w", now: app.clock.now(), lease: 60)
            #expect(claimed.count == 2)
            #expect(try await app.request(.delete, "/v1/webhook_endpoints/\(endpointA)", key: keyA).status == 200)
            let outcomes = claimed.map { claim in
                let attempt = WebhookAttempt(
                    id: IdentifierGenerator(clock: app.clock).make(), deliveryID: claim.delivery.id, endpointID: claim.endpoint.id, attemptedAt: app.clock.now(),
                    statusCode: 200, latencyMilliseconds: 3, responseExcerpt: "", error: nil
                )
                return (outcome: AttemptOutcome(attempt: attempt, succeeded: true, retryAt: nil, disableReason: nil), claimed: claim)
            }
            try await outbox.record(outcomes, worker: "w", now: app.clock.now()) { _, _ in }
            let ofB = try await app.request(.get, "/v1/webhook_endpoints/\(endpointB)/deliveries", key: keyB).items
            #expect(ofB.count == 1 && ofB.first?["state"] as? String == "succeeded", "\(ofB)")
        }
    }

    /// An instance frozen past its lease, resumed, recorded its late attempt beside the one
    /// that took the delivery over: the log had an attempt more than the delivery's count.
    @Test("an outcome recorded after the claim was taken over is dropped", arguments: [TestEngine.sqlite])
    func lateOutcomeOfLostClaim(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            _ = try await WebhookDeliveryTests.endpoint(app, key: key, url: "http://127.0.0.1:9/hook", types: ["sim.status_changed"])
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            let outbox = app.database.store.webhookOutbox
            let frozen = try #require(try await outbox.claim(limit: 10, worker: "frozen", now: app.clock.now(), lease: 5).first)
            app.clock.advance(by: 6)
            let taken = try #require(try await outbox.claim(limit: 10, worker: "alive", now: app.clock.now(), lease: 5).first)
            #expect(taken.delivery.id == frozen.delivery.id)
            let attempt = WebhookAttempt(
                id: IdentifierGenerator(clock: app.clock).make(), deliveryID: frozen.delivery.id, endpointID: frozen.endpoint.id, attemptedAt: app.clock.now(),
                statusCode: 200, latencyMilliseconds: 6_000, responseExcerpt: "", error: nil
            )
            let recorded = try await outbox.record(
                [(outcome: AttemptOutcome(attempt: attempt, succeeded: true, retryAt: nil, disableReason: nil), claimed: frozen)], worker: "frozen", now: app.clock.now()
            ) { _, _ in }
            #expect(recorded.isEmpty)
            let shown = try await app.request(.get, "/v1/webhook_deliveries/\(frozen.delivery.id.rawValue)", key: key).json
            let log = shown["attempt_log"] as? [[String: Any]] ?? []
            #expect(shown["state"] as? String == "delivering" && log.count == 1, "only the lost claim's own line: \(shown)")
        }
    }
}

