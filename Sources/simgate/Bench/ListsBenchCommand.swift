import ArgumentParser
import Foundation
import SimGateCore
import SimGateServer
import SimGateStore

/// `simgate bench lists`: every API list route over a large fleet, at the first page and
/// deep in the list, with the server's memory.
///
/// Seeds `--sims` SIMs (with labels, tariffs, countries and one in ten OFFLINE) and
/// `--events` events over 30 days into a fresh SQLite file, starts `simgate serve` on it, and
/// times `--requests` sequential GETs of each list (100 a page) over loopback, beside the
/// no-op `/health`. Prints p50 and p99 per list, and the server's resident memory at rest and
/// after the lists were read.
struct ListsBenchCommand: AsyncParsableCommand {
    /// `simgate bench lists`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "lists", abstract: "Time every API list route, first page and deep, over a large fleet (p50, p99, server RSS)."
    )

    /// `--sims`: SIMs on the account.
    @Option(help: "SIMs on the account.") var sims = 1_000_000
    /// `--events`: events seeded.
    @Option(help: "Events seeded, spread over the SIMs and 30 days.") var events = 10_000_000
    /// `--requests`: requests timed per list.
    @Option(help: "Sequential requests timed per list.") var requests = 200

    /// Seeds, serves, times and prints.
    func run() async throws {
        print("SimGate bench: lists over \(sims) SIMs and \(events) events, SQLite")
        let (simCount, eventCount, seedStart, now) = (max(10, sims), max(10, events), ContinuousClock.now, SystemWallClock().now())
        try await BenchServer.with(seed: { database in
            try await Administration(database: database).seedListFleet(sims: simCount, events: eventCount, now: now)
        }) { server, fleet in
            print(String(format: "seeded in %.1f s", (ContinuousClock.now - seedStart).asSeconds))
            let key = try await server.client.json(.POST, "/v1/api_keys", key: server.operatorKey, ["name": "lists", "account": fleet.accountID.rawValue])
            guard let secret = key.json["secret"] as? String else { throw BenchError("no key: \(String(decoding: key.body, as: UTF8.self))") }
            print(String(format: "server RSS at rest: %.0f MB", server.process.residentMegabytes()))
            let (sim, event) = (fleet.middleSim.rawValue, fleet.middleEvent.rawValue)
            // UTC's Z, never an offset: a `+` in a query string reads as a space.
            let day = UTCTimeText.rfc3339(epochMilliseconds: now.addingTimeInterval(-15 * 86_400).epochMilliseconds)
            let nextDay = UTCTimeText.rfc3339(epochMilliseconds: now.addingTimeInterval(-14 * 86_400).epochMilliseconds)
            let lists: [(String, String)] = [
                ("no-op /health (reference)", "/health"),
                ("SIMs", "/v1/sims?limit=100"),
                ("SIMs, deep", "/v1/sims?limit=100&starting_after=\(sim)"),
                ("SIMs by status OFFLINE", "/v1/sims?limit=100&status=OFFLINE"),
                ("SIMs by status OFFLINE, deep", "/v1/sims?limit=100&status=OFFLINE&starting_after=\(sim)"),
                ("SIMs by label", "/v1/sims?limit=100&label=fleet-7"),
                ("SIMs by label, deep", "/v1/sims?limit=100&label=fleet-7&starting_after=\(sim)"),
                ("SIMs by country", "/v1/sims?limit=100&country=FR"),
                ("SIMs by country, deep", "/v1/sims?limit=100&country=FR&starting_after=\(sim)"),
                ("SIMs by tariff", "/v1/sims?limit=100&tariff=3"),
                ("SIMs by tariff, deep", "/v1/sims?limit=100&tariff=3&starting_after=\(sim)"),
                ("events", "/v1/events?limit=100"),
                ("events, deep", "/v1/events?limit=100&starting_after=\(event)"),
                ("events by type", "/v1/events?limit=100&type=sim.hold_placed"),
                ("events by type, deep", "/v1/events?limit=100&type=sim.hold_placed&starting_after=\(event)"),
                ("events by time (one day, 15 days back)", "/v1/events?limit=100&created[gte]=\(day)&created[lt]=\(nextDay)"),
                ("events of one SIM", "/v1/sims/\(sim)/events?limit=100"),
            ]
            for (name, path) in lists {
                var samples: [Duration] = []
                for _ in 0..<max(1, requests) {
                    let start = ContinuousClock.now
                    let reply = try await server.client.send(.GET, path, key: path == "/health" ? nil : secret)
                    samples.append(ContinuousClock.now - start)
                    guard reply.status == 200 else { throw BenchError("GET \(path): \(reply.status) \(String(decoding: reply.body.prefix(300), as: UTF8.self))") }
                }
                print("\(name): \(LatencySummary(samples).text)")
            }
            print(String(format: "server RSS after the lists: %.0f MB", server.process.residentMegabytes()))
            print("goals: every list p99 under 20 ms at any depth; RSS under 300 MB")
        }
    }
}
