import Foundation
import Synchronization
import SimGateStore
import SimGateServer
import SimGateTestSupport
import Testing

@Suite("Webhook endpoints and signed deliveries", .timeLimit(.minutes(2)))
struct WebhookDeliveryTests {
    /// Registers `url` for `types` with `key`; returns the endpoint's id and its secret.
    static func endpoint(_ app: TestHarness, key: String, url: String, types: [String] = ["*"], extra: [String: Any] = [:]) async throws -> (id: String, secret: String) {
        var body: [String: Any] = ["url": url, "event_types": types]
        body.merge(extra) { $1 }
        let reply = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: body)
        try #require(reply.status == 201, "endpoint not created: \(reply.text)")
        return (try #require(reply["id"]), try #require(reply["secret"]))
    }

    @Test("a subscribed event is delivered signed, with the event id as webhook-id; the secret is shown once and sealed at rest", arguments: TestEngine.available)
    func signedDelivery(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let (endpoint, secret) = try await Self.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"])
                #expect(secret.hasPrefix("whsec_"))
                let shown = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)", key: key)
                #expect(shown["secret"] == nil, "the secret is shown once")
                let stored = try await app.database.sqlRead { db in
                    try await db.raw("SELECT secret FROM webhook_endpoints").all().map { try $0.decode(column: "secret", as: String.self) }
                }
                #expect(stored.count == 1 && !stored[0].contains(String(secret.dropFirst(6))), "stored sealed, never in clear")

                let sim = try #require(try await app.importSims(0..<1, account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
                try await app.deliverWebhooks()
                let got = receiver.received
                try #require(got.count == 1, "only the subscribed type is sent (not sim.assigned or sim.imported)")
                #expect(got[0].type == "sim.status_changed")
                #expect(SignatureCheck.verifies(got[0], secret: secret))
                let event = try await app.request(.get, "/v1/events?type=sim.status_changed", key: key).items.first
                #expect(got[0].id == event?["id"] as? String)
                #expect(((got[0].json["data"] as? [String: Any])?["id"] as? String) == got[0].id)
                #expect(got[0].headers["webhook-timestamp"] == String(Int64(app.clock.now().timeIntervalSince1970)))
                let deliveries = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries", key: key).items
                #expect(deliveries.first?["state"] as? String == "succeeded")
                #expect(!SignatureCheck.verifies(got[0], secret: "whsec_" + Data(repeating: 7, count: 32).base64EncodedString()))
            }
        }
    }

    @Test("a receiver that fails for a while then recovers gets every delivery, same webhook-id on each attempt, all logged", arguments: TestEngine.available)
    func retriesUntilRecovered(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let (endpoint, secret) = try await Self.endpoint(app, key: key, url: receiver.url, types: ["sim.hold_placed"])
                receiver.script([.status(500), .status(503, retryAfter: "120"), .status(502)])
                let sims = try await app.importSims(0..<2, account: account)
                for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key) }
                for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key) }
                try await app.deliverWebhooks()
                #expect(receiver.received.count == 2)
                // Retries wait: first 5 s (one of them asked for 120 s), then a minute.
                for _ in 0..<4 {
                    app.clock.advance(by: 200)
                    try await app.deliverWebhooks()
                }
                let got = receiver.received
                #expect(got.count == 5, "two failed first attempts, one failed retry, two successes: \(got.count)")
                #expect(Set(got.map(\.id)).count == 2, "the webhook-id is the same on every attempt")
                #expect(got.allSatisfy { SignatureCheck.verifies($0, secret: secret) })
                let deliveries = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries", key: key).items
                #expect(deliveries.map { $0["state"] as? String } == ["succeeded", "succeeded"])
                let logged = try await app.request(.get, "/v1/webhook_deliveries/\(try #require(deliveries.first?["id"] as? String))", key: key)
                let attempts = logged.json["attempt_log"] as? [[String: Any]] ?? []
                #expect(attempts.count >= 1 && attempts.last?["status_code"] as? Int == 200)
                let shown = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)", key: key)
                #expect(shown.json["failing_since"] is NSNull, "a success ends the failing streak")
                let metrics = try await app.request(.get, "/metrics", key: nil).text
                #expect(metrics.contains(#"simgate_webhook_attempts_total{outcome="failed"} 3"#), "\(metrics.split(separator: "\n").filter { $0.contains("webhook") })")
                #expect(metrics.contains(#"simgate_webhook_attempts_total{outcome="succeeded"} 2"#))
            }
        }
    }

    @Test("410 Gone disables the endpoint with its reason and an event; replay sends the same webhook-id again", arguments: TestEngine.available)
    func goneDisablesAndReplay(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let (endpoint, _) = try await Self.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"])
                let (watcher, _) = try await Self.endpoint(app, key: key, url: receiver.url + "?watcher", types: ["webhook_endpoint.disabled"])
                receiver.script([.status(410)])
                let sim = try #require(try await app.importSims(0..<1, account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
                try await app.deliverWebhooks()
                let shown = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)", key: key)
                #expect(shown["status"] == "disabled")
                #expect(shown["disabled_reason"]?.contains("410") == true)
                let disabled = try await app.request(.get, "/v1/events?type=webhook_endpoint.disabled", key: key).items
                #expect(disabled.count == 1)
                #expect(receiver.received.last?.type == "webhook_endpoint.disabled", "another endpoint hears of it")
                _ = watcher

                // Re-enabled, the failed delivery is replayed with the same webhook-id.
                _ = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)", key: key, json: ["status": "enabled"])
                let delivery = try #require(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries?state=failed", key: key).items.first)
                let replay = try await app.request(.post, "/v1/webhook_deliveries/\(try #require(delivery["id"] as? String))/replay", key: key)
                #expect(replay.status == 202)
                try await app.deliverWebhooks()
                let sent = receiver.received.filter { $0.type == "sim.status_changed" }
                #expect(sent.count == 2 && sent[0].id == sent[1].id)
                #expect(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries?state=succeeded", key: key).items.count == 1)
            }
        }
    }

    @Test("an endpoint failing for five days is disabled; bulk replay of failures since a time; a test message; rolling the secret signs with both while they overlap", arguments: [TestEngine.sqlite])
    func replayTestAndRoll(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let (endpoint, oldSecret) = try await Self.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"])
                receiver.script([], otherwise: .status(500))
                let since = RFC3339Text.format(app.clock.now())
                let sims = try await app.importSims(0..<3, account: account)
                for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key) }
                try await app.deliverWebhooks()
                // Failing every attempt for five days disables the endpoint; its deliveries fail.
                for _ in 0..<12 {
                    app.clock.advance(by: 80_000)
                    try await app.deliverWebhooks()
                }
                #expect(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries?state=failed", key: key).items.count == 3)
                let disabled = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)", key: key)
                #expect(disabled["status"] == "disabled" && disabled["disabled_reason"]?.contains("5 days") == true, "\(disabled.text)")
                receiver.script([], otherwise: .status(204))
                _ = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)", key: key, json: ["status": "enabled"])
                let before = receiver.received.count
                let replayed = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)/replay_failed", key: key, json: ["since": since])
                #expect(replayed.json["replayed"] as? Int == 3)
                try await app.deliverWebhooks()
                // An attempt can fail below HTTP on a loaded machine (the receiver never sees
                // it); the product then retries after 5 s, so the test lets that retry run
                // rather than count on every first attempt getting through.
                for _ in 0..<3 where try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries?state=succeeded", key: key).items.count < 3 {
                    app.clock.advance(by: 10)
                    try await app.deliverWebhooks()
                }
                let succeeded = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries?state=succeeded", key: key).items
                let log = try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries", key: key).text
                #expect(succeeded.count == 3, "replayed deliveries: \(log)")
                let resent = receiver.received.dropFirst(before).filter { $0.type == "sim.status_changed" }
                #expect(Set(resent.map(\.id)).count == 3, "each of the three failed deliveries is sent again, with its webhook-id")

                let rolled = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)/rotate_secret", key: key, json: ["expires_in_seconds": 3600])
                let newSecret = try #require(rolled["secret"])
                let test = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)/test", key: key)
                #expect(test.status == 202)
                try await app.deliverWebhooks()
                let message = try #require(receiver.received.last)
                #expect(message.type == "webhook_endpoint.test")
                #expect(SignatureCheck.verifies(message, secret: newSecret) && SignatureCheck.verifies(message, secret: oldSecret))
                app.clock.advance(by: 3_601)
                _ = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)/test", key: key)
                try await app.deliverWebhooks()
                let later = try #require(receiver.received.last)
                #expect(SignatureCheck.verifies(later, secret: newSecret) && !SignatureCheck.verifies(later, secret: oldSecret))
            }
        }
    }

    @Test("a restart mid-retry loses nothing: the pending retry is sent by the next run, signed with the same secret", arguments: TestEngine.available)
    func restartMidRetry(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            let first = Mutex<(TestHarness, String, String)?>(nil)
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let (_, secret) = try await Self.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"])
                receiver.script([.status(500)])
                let sim = try #require(try await app.importSims(0..<1, account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
                try await app.deliverWebhooks()
                #expect(receiver.received.count == 1)
                first.withLock { $0 = (app, key, secret) }
            }
            let (earlier, key, secret) = try #require(first.withLock { $0 })
            try await TestHarness.run(engine, restarting: earlier) { app in
                app.clock.advance(by: 10)
                try await app.deliverWebhooks()
                let got = receiver.received
                #expect(got.count == 2 && got[0].id == got[1].id)
                #expect(SignatureCheck.verifies(got[1], secret: secret))
                _ = key
            }
        }
    }

    /// Replays start a delivery's schedule again, so its attempts have no bound: the log showed
    /// the first 100, and a delivery replayed often hid what its endpoint does now.
    @Test("a delivery's attempt log shows its latest 100 attempts, oldest first", arguments: [TestEngine.sqlite])
    func attemptLogShowsLatest(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (account, key) = try await app.makeCustomer("E-Bikes")
            let (endpoint, _) = try await Self.endpoint(app, key: key, url: "http://127.0.0.1:9/hook", types: ["sim.status_changed"])
            let sim = try #require(try await app.importSims(0..<1, account: account).first)
            _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
            let delivery = try #require(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries", key: key).items.first?["id"] as? String)
            let ids = (0..<105).map { String(format: "wha_01MB78QN0000000000000%03d", $0) }
            try await app.database.sqlTransaction { db in
                for (index, id) in ids.enumerated() {
                    try await db.raw("""
                        INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, attempted_at, status_code, latency_ms, response_excerpt, error)
                        VALUES (\(bind: id), \(bind: delivery), \(bind: endpoint), \(bind: Int64(1_796_083_200_000 + index)), 500, 1, NULL, 'The endpoint answered 500.')
                        """).run()
                }
            }
            let log = try await app.request(.get, "/v1/webhook_deliveries/\(delivery)", key: key).json["attempt_log"] as? [[String: Any]] ?? []
            #expect(log.compactMap { $0["id"] as? String } == Array(ids[5...]), "\(log.count) shown")
        }
    }

    /// The recorder went on claiming for the loop while a stopping instance's attempts drained:
    /// a graceful stop left deliveries claimed and never sent, each counted as a lost attempt
    /// once its lease ran out.
    @Test("a graceful stop finishes the attempts under way and leaves nothing claimed", arguments: TestEngine.available)
    func stopLeavesNothingClaimed(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { slow in
            let first = Mutex<TestHarness?>(nil)
            try await TestHarness.run(engine, configure: { $0.webhooks.runsInBackground = true; $0.webhooks.timeout = 1 }) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                slow.script([], otherwise: .hang)
                _ = try await Self.endpoint(app, key: key, url: slow.url, types: ["sim.status_changed"], extra: ["max_concurrency": 2])
                let iccids = (0..<6).map(Fixtures.iccid)
                _ = try await app.importSims(0..<6, account: account)
                _ = try await app.request(.post, "/v1/sims/bulk", key: key, json: ["action": "activate", "iccids": iccids])
                // Two attempts hang when the stop begins; they time out while it drains.
                #expect(await slow.waitFor(2).count == 2)
                first.withLock { $0 = app }
            }
            slow.release()
            let earlier = try #require(first.withLock { $0 })
            try await TestHarness.run(engine, configure: { $0.webhooks.runsInBackground = false }, restarting: earlier) { app in
                let states = try await app.database.sqlRead { db in
                    try await db.raw("SELECT state FROM webhook_deliveries").all().map { try $0.decode(column: "state", as: String.self) }
                }
                #expect(states.count == 6 && !states.contains("delivering"), "\(states)")
            }
        }
    }

    /// The client's deadline covered the response head only, and its read timeout each read
    /// alone: an endpoint that sent its body a byte every half second held the attempt (and an
    /// ordered endpoint's queue, and shutdown) for as long as it went on.
    @Test("an endpoint that sends its body a byte at a time is cut off at the attempt's timeout", arguments: [TestEngine.sqlite])
    func tricklingBodyCutOff(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine, configure: { $0.webhooks.runsInBackground = true; $0.webhooks.timeout = 1 }) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                receiver.script([.trickle(every: .milliseconds(100))])
                _ = try await Self.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"])
                let sim = try #require(try await app.importSims(0..<1, account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
                #expect(await receiver.waitFor(1).count == 1)
                // SimGate hangs up once the attempt's second is over; before, this waited for
                // the suite's time limit, and so did the app's shutdown after it.
                await receiver.trickleCut.wait()
                #expect(receiver.trickleCut.isOpen)
            }
        }
    }

    @Test("an endpoint that hangs does not delay another endpoint's deliveries", arguments: [TestEngine.sqlite])
    func hangingEndpointIsolated(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { slow in
            try await WebhookReceiver.serving { fast in
                try await TestHarness.run(engine, configure: { $0.webhooks.runsInBackground = true }) { app in
                    let (account, key) = try await app.makeCustomer("E-Bikes")
                    slow.script([], otherwise: .hang)
                    _ = try await Self.endpoint(app, key: key, url: slow.url, types: ["sim.status_changed"], extra: ["max_concurrency": 1])
                    _ = try await Self.endpoint(app, key: key, url: fast.url, types: ["sim.status_changed"])
                    let sims = try await app.importSims(0..<3, account: account)
                    for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key) }
                    // The slow endpoint holds its first delivery; the fast one gets all three meanwhile.
                    let fastGot = await fast.waitFor(3)
                    #expect(fastGot.count == 3)
                    #expect(slow.received.count == 1, "one at a time to the hanging endpoint")
                    slow.release()
                    let slowGot = await slow.waitFor(3)
                    #expect(slowGot.count == 3)
                }
            }
        }
    }

    /// One account's endpoints that all hang took every attempt slot of the instance: another
    /// account's deliveries waited several attempt timeouts for one.
    @Test("one account's hanging endpoints leave room for another account's deliveries", arguments: [TestEngine.sqlite])
    func hangingAccountLeavesRoom(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { slow in
            try await WebhookReceiver.serving { fast in
                try await TestHarness.run(engine, configure: { $0.webhooks.runsInBackground = true; $0.webhooks.maximumInFlight = 4 }) { app in
                    let (accountA, keyA) = try await app.makeCustomer("A")
                    let (accountB, keyB) = try await app.makeCustomer("B")
                    slow.script([], otherwise: .hang)
                    for _ in 0..<4 { _ = try await Self.endpoint(app, key: keyA, url: slow.url, types: ["sim.status_changed"], extra: ["max_concurrency": 1]) }
                    _ = try await Self.endpoint(app, key: keyB, url: fast.url, types: ["sim.status_changed"])
                    let simA = try #require(try await app.importSims(0..<1, account: accountA).first)
                    _ = try await app.request(.post, "/v1/sims/\(simA)/activate", key: keyA)
                    _ = await slow.waitFor(2)
                    let simB = try #require(try await app.importSims(1..<2, account: accountB).first)
                    _ = try await app.request(.post, "/v1/sims/\(simB)/activate", key: keyB)
                    #expect(await fast.waitFor(1).count == 1)
                    #expect(slow.received.count == 2, "A holds half of the four slots, not all")
                    slow.release()
                    #expect(await slow.waitFor(4).count == 4)
                }
            }
        }
    }

    /// An endpoint with a backlog that hangs took its account's whole share again each time a
    /// slot came free, being the most overdue: another endpoint of the same account waited
    /// several timeouts for one. Free slots now go to the endpoint with the fewest in flight.
    @Test("an endpoint that hangs with a backlog leaves room in its account's share for the account's other endpoints", arguments: [TestEngine.sqlite])
    func hangingEndpointLeavesAccountRoom(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { slow in
            try await WebhookReceiver.serving { fast in
                try await TestHarness.run(engine, configure: { $0.webhooks.runsInBackground = true; $0.webhooks.maximumInFlight = 4 }) { app in
                    let (account, key) = try await app.makeCustomer("E-Bikes")
                    slow.script([], otherwise: .hang)
                    _ = try await Self.endpoint(app, key: key, url: slow.url, types: ["sim.status_changed"], extra: ["max_concurrency": 4])
                    _ = try await Self.endpoint(app, key: key, url: fast.url, types: ["sim.status_changed"])
                    let sims = try await app.importSims(0..<3, account: account)
                    for sim in sims { _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key) }
                    // The account's share is two of the four slots; the hanging endpoint holds one.
                    let fastGot = await within(seconds: 20) { await fast.waitFor(3) }
                    #expect(fastGot?.count == 3, "the other endpoint got \(fast.received.count) of 3 while the first hung")
                    #expect(slow.received.count == 1, "the hanging endpoint holds one slot, not the account's whole share")
                    slow.release()
                    #expect(await slow.waitFor(3).count == 3)
                }
            }
        }
    }

    @Test("an attempt that runs past the claim's lease keeps its claim, renewed by the heartbeat, so no other instance sends it too, and the lease is short", arguments: TestEngine.available)
    func claimHeartbeat(engine: TestEngine) async throws {
        #expect(WebhookDispatcher.lease <= 15, "what a dead instance claimed waits seconds, not a minute")
        try await WebhookReceiver.serving { slow in
            try await TestHarness.run(engine, configure: {
                $0.webhooks.runsInBackground = true
                $0.webhooks.timeout = 60
                $0.webhooks.claimHeartbeat = .milliseconds(20)
            }) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                slow.script([], otherwise: .hang)
                _ = try await Self.endpoint(app, key: key, url: slow.url, types: ["sim.status_changed"])
                let sim = try #require(try await app.importSims(0..<1, account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
                #expect(await slow.waitFor(1).count == 1)

                // Past the lease the delivery is still this instance's: the heartbeat renewed it from the new time.
                let outbox = app.database.store.webhookOutbox
                app.clock.advance(by: WebhookDispatcher.lease - 2)
                let renewedUntil = app.clock.now().addingTimeInterval(WebhookDispatcher.lease)
                var beats = app.dispatcher.renewedClaims.makeAsyncIterator()
                while let beat = await beats.next(), beat.renewed == 0 || beat.until < renewedUntil {}
                app.clock.advance(by: 5)
                #expect(try await outbox.claim(limit: 10, worker: "other-instance", now: app.clock.now(), lease: WebhookDispatcher.lease).isEmpty,
                        "a live attempt's claim is not taken over")
                slow.release()
                let attempt = try #require(await app.dispatcher.attempts.first { _ in true })
                #expect(attempt.statusCode == 200)
                #expect(slow.received.count == 1, "sent once")
            }
        }
    }

    @Test("private and loopback targets are refused unless the operator allows them", arguments: [TestEngine.sqlite])
    func targetGuard(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine, configure: { $0.webhooks.allowedNetworks = [] }) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                for url in ["http://127.0.0.1:9/x", "http://169.254.169.254/latest/meta-data", "http://[::1]/x", "http://10.1.2.3/x", "http://[::ffff:127.0.0.1]/x",
                            // IPv6 forms carrying an IPv4 address (NAT64 local-use, IPv4-compatible, SIIT, 6to4, Teredo), and site-local.
                            "http://[64:ff9b:1::a9fe:a9fe]/", "http://[::a9fe:a9fe]/", "http://[::127.0.0.2]/", "http://[::ffff:0:a9fe:a9fe]/",
                            "http://[2002:a9fe:a9fe::]/", "http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "http://[fec0::1]/",
                            // IPv4's older forms, which the resolver reads as addresses: they were
                            // taken as host names, and every attempt failed for days.
                            "http://127.1/x", "http://2130706433/x", "http://0x7f000001/x", "http://0177.0.0.1/x", "http://0x7f.1/x", "http://017700000001/x",
                            // A final dot roots the name: the address was taken as a host name.
                            "http://169.254.169.254./latest/meta-data", "http://127.0.0.1.:9/x"] {
                    let refused = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: ["url": url, "event_types": ["*"]])
                    #expect(refused.status == 400 && refused.code == "url_not_allowed" && refused.param == "url", "\(url): \(refused.text)")
                }
                // A space in the path was taken as written.
                // A port past 64 bits had no port for URLComponents, and was taken (sent to 80).
                for url in ["ftp://example.com/x", "not a url", "http://user:pw@example.com/", "http://example.com/ x", "https://example.com:0/x",
                            "https://example.com:65536/x", "https://example.com:99999999999999999999/x", "http://example.com:18446744073709569936",
                            // Not ASCII (shown back as no URI at all), and a host percent-encoded.
                            "http://café.com/", "https://example.com/ü", "http://exa%6Dple.com/x"] {
                    let refused = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: ["url": url, "event_types": ["*"]])
                    #expect(refused.code == "invalid_url", "\(url)")
                }
                // A name is resolved when delivering: localhost is loopback, and refused then.
                let named = receiver.url.replacingOccurrences(of: "127.0.0.1", with: "localhost")
                let (endpoint, _) = try await WebhookDeliveryTests.endpoint(app, key: key, url: named, types: ["sim.status_changed"])
                let sim = try #require(try await app.importSims(0..<1, account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
                try await app.deliverWebhooks()
                #expect(receiver.received.isEmpty)
                let delivery = try #require(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)/deliveries", key: key).items.first)
                #expect((delivery["last_error"] as? String)?.contains("private or reserved") == true, "\(delivery)")
            }
        }
    }

    @Test("the delivery log keeps ended deliveries 30 days; pending ones stay however old", arguments: [TestEngine.sqlite])
    func retention(engine: TestEngine) async throws {
        try await WebhookReceiver.serving { receiver in
            try await TestHarness.run(engine) { app in
                let (account, key) = try await app.makeCustomer("E-Bikes")
                let (delivered, _) = try await Self.endpoint(app, key: key, url: receiver.url, types: ["sim.status_changed"])
                let (dead, _) = try await Self.endpoint(app, key: key, url: "http://127.0.0.1:9/never", types: ["sim.status_changed"], extra: ["status": "disabled"])
                let sim = try #require(try await app.importSims(0..<1, account: account).first)
                _ = try await app.request(.post, "/v1/sims/\(sim)/activate", key: key)
                try await app.deliverWebhooks()
                let id = try #require(try await app.request(.get, "/v1/webhook_endpoints/\(delivered)/deliveries", key: key).items.first?["id"] as? String)
                _ = try await app.request(.post, "/v1/webhook_endpoints/\(dead)", key: key, json: ["status": "enabled"])
                _ = try await app.request(.post, "/v1/sims/\(sim)/suspend", key: key)
                app.clock.advance(by: 29 * 86_400)
                try await app.settle()
                #expect(try await app.request(.get, "/v1/webhook_deliveries/\(id)", key: key).status == 200, "kept 29 days")
                app.clock.advance(by: 2 * 86_400)
                try await app.settle()
                #expect(try await app.request(.get, "/v1/webhook_deliveries/\(id)", key: key).status == 404, "forgotten after 30")
                // The other endpoint's delivery never got through: it is pending and stays.
                let pending = try await app.request(.get, "/v1/webhook_endpoints/\(dead)/deliveries?state=pending", key: key).items
                #expect(pending.count == 1)
            }
        }
    }

    @Test("endpoints are the account's own; bad bodies name the field", arguments: [TestEngine.sqlite])
    func isolationAndBadInput(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let (_, otherKey) = try await app.makeCustomer("Scooters")
            let (endpoint, _) = try await Self.endpoint(app, key: key, url: "http://127.0.0.1:9/hook")
            #expect(try await app.request(.get, "/v1/webhook_endpoints/\(endpoint)", key: otherKey).status == 404)
            #expect(try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)/test", key: otherKey).status == 404)
            #expect(try await app.request(.delete, "/v1/webhook_endpoints/\(endpoint)", key: otherKey).status == 404)
            #expect(try await app.request(.get, "/v1/webhook_endpoints", key: otherKey).items.isEmpty)
            let badType = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: ["url": "http://127.0.0.1:9/", "event_types": ["sim.nope"]])
            #expect(badType.code == "invalid_event_type" && badType.param == "event_types[0]")
            let noTypes = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: ["url": "http://127.0.0.1:9/", "event_types": []])
            #expect(noTypes.param == "event_types")
            // A type listed twice was dropped unseen, against the schema's uniqueItems.
            let twice = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: ["url": "http://127.0.0.1:9/", "event_types": ["sim.updated", "sim.first_use", "sim.updated"]])
            #expect(twice.status == 400 && twice.code == "duplicate_value" && twice.param == "event_types[2]", "\(twice.text)")
            let badConcurrency = try await app.request(.post, "/v1/webhook_endpoints", key: key, json: ["url": "http://127.0.0.1:9/", "event_types": ["*"], "max_concurrency": 0])
            #expect(badConcurrency.param == "max_concurrency")
            let badRoll = try await app.request(.post, "/v1/webhook_endpoints/\(endpoint)/rotate_secret", key: key, json: ["expires_in_seconds": -1])
            #expect(badRoll.param == "expires_in_seconds")
            #expect(try await app.request(.delete, "/v1/webhook_endpoints/\(endpoint)", key: key).status == 200)
        }
    }
}
