import ArgumentParser
import AsyncHTTPClient
import Foundation
import NIOHTTP1
import SimGateCore
import SimGateServer
import SimGateStore

/// `simgate bench dashboard`: how fast the dashboard's pages answer over a large fleet.
///
/// Seeds `--sims` SIMs and `--events` events for one customer in a fresh SQLite file, starts
/// `simgate serve` on it, signs in with the customer's key through the sign-in form, and
/// times `--requests` sequential GETs of each page over loopback, beside the no-op
/// `/health` as the reference. Times are as the client sees them, so the server's own
/// share is at most that. The overview's costlier figures are worked out in the background:
/// the time from its first view until they show is printed apart.
struct DashboardBenchCommand: AsyncParsableCommand {
    /// `simgate bench dashboard`, with its one-line summary.
    static let configuration = CommandConfiguration(
        commandName: "dashboard", abstract: "Time the dashboard's overview, SIM list and SIM page over a large fleet (p50, p99)."
    )

    /// `--sims`: SIMs on the account.
    @Option(help: "SIMs on the account.") var sims = 200_000
    /// `--events`: events seeded.
    @Option(help: "Events seeded, spread over the SIMs.") var events = 2_000_000
    /// `--requests`: requests timed per page.
    @Option(help: "Sequential requests timed per page.") var requests = 300

    /// Seeds, serves, times and prints.
    func run() async throws {
        print("SimGate bench: dashboard over \(sims) SIMs and \(events) events, SQLite")
        let (simCount, eventCount, seedStart) = (sims, events, ContinuousClock.now)
        try await BenchServer.with(seed: { database in
            try await Administration(database: database).seedDashboardFleet(sims: simCount, events: eventCount, now: SystemWallClock().now())
        }) { server, fleet in
            print(String(format: "seeded in %.1f s", (ContinuousClock.now - seedStart).asSeconds))
            let key = try await server.client.json(.POST, "/v1/api_keys", key: server.operatorKey, ["name": "desk", "account": fleet.accountID.rawValue])
            guard let secret = key.json["secret"] as? String else { throw BenchError("no key: \(String(decoding: key.body, as: UTF8.self))") }
            // Sign-in answers with a redirect, which the benchmarks' client would follow.
            let noRedirects = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))
            let cookie: String
            do {
                cookie = try await signIn(BenchClient(http: noRedirects, base: server.client.base), key: secret)
                try await noRedirects.shutdown()
            } catch {
                try? await noRedirects.shutdown()
                throw error
            }

            // The first view: the costlier figures are not worked out yet.
            let firstStart = ContinuousClock.now
            let first = try await get(server.client, "/", cookie: cookie)
            let firstTime = ContinuousClock.now - firstStart
            var shown = String(decoding: first, as: UTF8.self).contains("Figures as of")
            while !shown, ContinuousClock.now - firstStart < .seconds(120) {
                try await Task.sleep(for: .milliseconds(100))
                shown = String(decoding: try await get(server.client, "/", cookie: cookie), as: UTF8.self).contains("Figures as of")
            }
            print(String(
                format: "overview, first view: %.1f ms; its usage, cost and hold figures showed after %.2f s (worked out in the background)",
                firstTime.asSeconds * 1_000, (ContinuousClock.now - firstStart).asSeconds
            ))

            let pages: [(String, String)] = [
                ("no-op /health (reference)", "/health"),
                ("overview /", "/"),
                ("SIM list, first page", "/sims"),
                ("SIM list, page from the middle", "/sims?after=\(fleet.middleSim)"),
                ("SIM list, OFFLINE only", "/sims?status=OFFLINE"),
                ("SIM list, search by ICCID", "/sims?q=\(fleet.searchedICCID)"),
                ("SIM page", "/sims/\(fleet.middleSim)"),
            ]
            for (name, path) in pages {
                var samples: [Duration] = []
                for _ in 0..<max(1, requests) {
                    let start = ContinuousClock.now
                    _ = try await get(server.client, path, cookie: path == "/health" ? nil : cookie)
                    samples.append(ContinuousClock.now - start)
                }
                print("\(name): \(LatencySummary(samples).text)")
            }
            print("goal: overview and SIM list p99 under 100 ms")
        }
    }

    /// Signs in through the form; the session cookie's value.
    private func signIn(_ client: BenchClient, key: String) async throws -> String {
        let allowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        let body = Data("key=\(key.addingPercentEncoding(withAllowedCharacters: allowed) ?? key)".utf8)
        let reply = try await client.send(.POST, "/sign-in", body: body, headers: ["Content-Type": "application/x-www-form-urlencoded"])
        guard reply.status == 303, let cookie = reply.headers["Set-Cookie"].first?.split(separator: ";").first?.split(separator: "=", maxSplits: 1).last
        else { throw BenchError("sign-in: \(reply.status)") }
        return String(cookie)
    }

    /// The body of `path`, which must answer 200.
    private func get(_ client: BenchClient, _ path: String, cookie: String?) async throws -> Data {
        let reply = try await client.send(.GET, path, headers: cookie.map { ["Cookie": "simgate_session=\($0)"] } ?? [:])
        guard reply.status == 200 else { throw BenchError("GET \(path): \(reply.status)") }
        return reply.body
    }
}
