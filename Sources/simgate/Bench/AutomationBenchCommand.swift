import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import SimGateCore
import SimGateServer
import SimGateStore

/// `simgate bench automation`: what rules cost the RADIUS path, and how fast signed webhooks go.
///
/// 1. The same accounting load (real UDP, as `bench radius`) against fresh servers, some whose
///    account has no rules and some with 100 enabled rules of every kind, none of which
///    fires: the ratio of the two throughputs is the cost of evaluating rules. Each runs
///    twice, in the order none, rules, rules, none (see ``accountingRatio()``).
/// 2. A loopback receiver subscribed to `sim.status_changed`: a steady 500 events per second
///    for `--seconds` (bulk requests of 10 SIMs every 20 ms), with the p50 and p99 from the
///    event's time to its arrival; then bursts of 1,000 events each to measure sustained
///    deliveries per second.
struct AutomationBenchCommand: AsyncParsableCommand {
    /// `simgate bench automation`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "automation", abstract: "Accounting with 100 rules against none; webhook deliveries/s and event-to-delivery p99 at 500 events/s."
    )

    /// `--updates`: accounting updates per run.
    @Option(help: "Accounting updates per run (four runs).") var updates = 200_000
    /// `--sessions`: sessions (one SIM each) the updates are spread over.
    @Option(help: "Sessions (one SIM each).") var sessions = 2_000
    /// `--rules`: rules on the account in the runs with rules.
    @Option(help: "Rules on the account in the accounting runs with rules.") var rules = 100
    /// `--rate`: events per second in the steady webhook phase.
    @Option(help: "Events per second in the steady webhook phase.") var rate = 500
    /// `--seconds`: length of the steady webhook phase.
    @Option(help: "Seconds of the steady webhook phase.") var seconds = 20
    /// `--bursts`: bursts of 1,000 events for the sustained rate.
    @Option(help: "Bursts of 1,000 events for the sustained delivery rate.") var bursts = 5

    /// `--part`: run only the accounting or the webhook half.
    @Option(help: "all, accounting or webhooks.") var part = "all"

    /// Runs the accounting half, the webhook half, or both (as `--part` says), and prints the results.
    func run() async throws {
        print("SimGate bench: automation, SQLite")
        if part != "webhooks" { try await accountingRatio() }
        if part != "accounting" { try await webhooks() }
    }

    // MARK: Accounting with and without rules

    /// Runs the accounting load without rules, with, with, and without, and prints the ratio of
    /// the means. On this machine a later run tends to go faster than an earlier one (with no
    /// rules either time, the second of two runs was 4-10% faster), which a plain "without,
    /// then with" credited to the rules; in this order each setting has one early and one late
    /// run. Runs of 60,000 updates (2 s) gave ratios from 0.75 to 1.01 for one build, which is
    /// why a run is 200,000 by default.
    private func accountingRatio() async throws {
        var without = [try await accounting(rules: 0)]
        var with = [try await accounting(rules: rules)]
        with.append(try await accounting(rules: rules))
        without.append(try await accounting(rules: 0))
        let meanWithout = without.reduce(0, +) / 2, meanWith = with.reduce(0, +) / 2
        print(String(
            format: "accounting: %.0f updates/s with no rules, %.0f with %d rules (means of two runs each): ratio %.2f (goal: at least 0.80)",
            meanWithout, meanWith, rules, meanWith / meanWithout
        ))
    }

    private func accounting(rules count: Int) async throws -> Double {
        try await BenchServer.with { server in
            let (account, key) = try await server.customer()
            let imsis = try await server.fleet(account: account, count: sessions)
            for index in 0..<count {
                let reply = try await server.client.json(.POST, "/v1/rules", key: key, Self.rule(index))
                guard reply.status == 201 else { throw BenchError("rule refused: \(String(decoding: reply.body, as: UTF8.self))") }
            }
            let load = RADIUSBenchLoad(imsis: imsis, updates: updates, secret: Array(BenchServer.radiusSecret.utf8))
            let streams = load.packets(sockets: 4)
            let target = try SocketAddress(ipAddress: "127.0.0.1", port: server.accountingPort)
            let start = ContinuousClock.now
            let answered = try await withThrowingTaskGroup(of: Int.self) { group in
                for stream in streams { group.addTask { try await RADIUSPipeline.send(stream, to: target, window: 128).answered } }
                return try await group.reduce(0, +)
            }
            let rate = Double(answered) / (ContinuousClock.now - start).asSeconds
            print(String(format: "  %3d rules: %d updates in %.2f s = %.0f per second", count, answered, (ContinuousClock.now - start).asSeconds, rate))
            return rate
        }
    }

    /// Rule `index` of the mix: every trigger kind, each with a limit, country list or filter
    /// the load never meets, so all are evaluated and none fires.
    static func rule(_ index: Int) -> [String: Any] {
        let triggers: [[String: Any]] = [
            ["type": "usage_over", "limit_bytes": 1_000_000_000_000 + index, "window": "day"],
            ["type": "usage_over", "limit_bytes": 1_000_000_000_000 + index, "window": "month"],
            ["type": "usage_over", "limit_bytes": 1_000_000_000_000 + index, "window": "lifetime"],
            ["type": "bundle_used", "percent": 80],
            ["type": "country_not_in", "countries": ["DE", "AT", "CH"]],
            ["type": "country_changed"],
            ["type": "device_changed"],
            ["type": "status_changed", "to": "RETIRED"],
            ["type": "session_opened", "rats": ["NR"]],
            ["type": "first_use"],
        ]
        return [
            "name": "bench rule \(index)", "trigger": triggers[index % triggers.count],
            // first_use fires on the SIM's first data; the condition keeps it (and the rest) quiet.
            "conditions": ["match": "all", "clauses": [["type": "label", "label": "never-set"]]],
            "actions": [["type": "set_offline"]], "rearm": ["type": "next_day"],
        ]
    }

    // MARK: Webhooks

    private func webhooks() async throws {
        try await BenchReceiver.with { receiver in
            try await BenchServer.with { server in
                let (account, key) = try await server.customer()
                _ = try await server.fleet(account: account, count: 2_000)
                let endpoint = try await server.client.json(.POST, "/v1/webhook_endpoints", key: key, [
                    "url": receiver.url, "event_types": ["sim.status_changed"], "max_concurrency": 50,
                ])
                guard endpoint.status == 201 else { throw BenchError("endpoint refused: \(String(decoding: endpoint.body, as: UTF8.self))") }
                // The first thousand SIMs for the steady phase, the others for the bursts.
                let iccids = try await server.iccids(key: key)
                print("webhooks: \(iccids.count) LIVE SIMs, one endpoint subscribed to sim.status_changed")
                try await steady(server, key: key, iccids: Array(iccids.prefix(1_000)), receiver: receiver)
                try await sustained(server, key: key, receiver: receiver)
            }
        }
    }

    /// `rate` status changes per second for `seconds`, paced: every 20 ms a bulk request
    /// suspends (or activates) the next `rate / 50` SIMs. The lag is from each event's time
    /// (the `timestamp` in its body) to its arrival at the receiver.
    private func steady(_ server: BenchServer, key: String, iccids: [String], receiver: BenchReceiver) async throws {
        let perRequest = max(1, rate / 50)
        let requests = rate * seconds / perRequest
        let before = receiver.count
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<requests {
                try await Task.sleep(until: start + .milliseconds(20) * index)
                let first = (index * perRequest) % iccids.count
                let chosen = Array(iccids[first..<min(first + perRequest, iccids.count)])
                // Each pass over the SIMs suspends them all, the next activates them all.
                let action = ((index * perRequest) / iccids.count).isMultiple(of: 2) ? "suspend" : "activate"
                group.addTask {
                    let reply = try await server.client.json(.POST, "/v1/sims/bulk", key: key, ["action": action, "iccids": chosen])
                    guard reply.status < 300 else { throw BenchError("bulk refused: \(String(decoding: reply.body, as: UTF8.self))") }
                }
                if index % 16 == 15 { try await group.next() }
            }
            try await group.waitForAll()
        }
        let sent = ContinuousClock.now - start
        let total = requests * perRequest
        try await receiver.waitFor(before + total, limit: .seconds(120))
        let lags = receiver.lags(since: before)
        print(String(format: "webhooks, steady: %d events in %.1f s (%.0f/s, %d per request) delivered; event to delivery p50 %.1f ms, p99 %.1f ms, max %.1f ms",
                     total, sent.asSeconds, Double(total) / sent.asSeconds, perRequest, lags.percentile(0.5), lags.percentile(0.99), lags.sorted.last ?? .nan))
    }

    /// Bursts of 1,000 status changes in one request (SIMs the steady phase left alone, all
    /// suspended, then all activated, and so on); deliveries per second until all arrive.
    private func sustained(_ server: BenchServer, key: String, receiver: BenchReceiver) async throws {
        let iccids = Array(try await server.iccids(key: key).dropFirst(1_000))
        let before = receiver.count
        let start = ContinuousClock.now
        for burst in 0..<bursts {
            let action = burst.isMultiple(of: 2) ? "suspend" : "activate"
            let reply = try await server.client.json(.POST, "/v1/sims/bulk", key: key, ["action": action, "iccids": Array(iccids.prefix(1_000))])
            guard reply.status < 300 else { throw BenchError("bulk refused: \(String(decoding: reply.body, as: UTF8.self))") }
        }
        let queued = (ContinuousClock.now - start).asSeconds
        let expected = bursts * 1_000
        try await receiver.waitFor(before + expected, limit: .seconds(300))
        let elapsed = (ContinuousClock.now - start).asSeconds
        print(String(format: "webhooks, sustained: %d deliveries in %.2f s = %.0f per second (signed, to one loopback endpoint, up to 50 in flight; the events were all made after %.2f s)",
                     expected, elapsed, Double(expected) / elapsed, queued))
    }
}
