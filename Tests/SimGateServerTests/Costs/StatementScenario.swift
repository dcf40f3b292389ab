import Foundation
import SimGateTestSupport
import Testing

/// Set-ups the statement tests share: tariffs with prices, usage at a given time, and reading
/// a statement's lines.
extension TestHarness {
    /// 2027-01-01T00:00:00Z, where the harness clock starts.
    static let january = Date(timeIntervalSince1970: 1_798_761_600)
    /// Seconds in a day.
    static let day: TimeInterval = 86_400
    /// Bytes in a MB.
    static let megabyte = 1_048_576

    /// Sets the clock to `days` days (and `seconds`) after 2027-01-01.
    func at(day days: Double, seconds: TimeInterval = 0) {
        clock.set(Self.january + days * Self.day + seconds)
    }

    /// Creates tariff `number` (standard unless `kind`) offered to `accounts`, priced from now with `price`.
    func pricedTariff(_ number: Int, kind: String = "standard", accounts: [String], price: [String: Any]) async throws {
        let created = try await request(.post, "/v1/tariffs", key: operatorKey, json: ["number": number, "name": "Tariff \(number)", "kind": kind, "accounts": accounts])
        try #require(created.status == 201, "\(created.text)")
        let priced = try await request(.post, "/v1/tariffs/\(number)/prices", key: operatorKey, json: price)
        try #require(priced.status == 201, "\(priced.text)")
    }

    /// Puts SIM `sim` on tariff `number` (LIVE) now.
    func provision(_ sim: String, tariff number: Int, key: String, extra: [String: Any] = [:]) async throws {
        let reply = try await request(.post, "/v1/sims/\(sim)/provision", key: key, json: extra.merging(["tariff": number]) { $1 })
        try #require(reply.status == 200, "\(reply.text)")
    }

    /// Records `megabytes` used by SIM number `n` in the minute before now, as a CDR would.
    func used(_ megabytes: Int, sim n: Int, key: String, id: String) async throws {
        let now = clock.now()
        let reply = try await request(.post, "/v1/usage_records", key: key, json: ["records": [[
            "id": id, "sim": Fixtures.iccid(n), "started_at": RFC3339Text.format(now - 60), "ended_at": RFC3339Text.format(now),
            "bytes_up": megabytes * Self.megabyte, "bytes_down": 0,
        ]]])
        try #require(reply.status == 200 || reply.status == 201, "\(reply.text)")
    }

    /// The statement for `month` (`2027-01`) as `key` reads it, with up to 100 lines.
    func statement(_ month: String, key: String, account: String? = nil) async throws -> TestReply {
        try await request(.get, "/v1/statements?month=\(month)&limit=100" + (account.map { "&account=\($0)" } ?? ""), key: key)
    }
}

extension TestReply {
    /// The statement's lines (its first page).
    var lines: [[String: Any]] { ((json["lines"] as? [String: Any])?["data"] as? [[String: Any]]) ?? [] }

    /// The line of `sim` on `tariff` (`nil` for none).
    func line(_ sim: String, tariff: Int?) -> [String: Any]? {
        lines.first { $0["sim"] as? String == sim && ($0["tariff"] as? Int) == tariff }
    }

    /// One currency's total.
    func total(_ currency: String = "EUR") -> [String: Any]? {
        (json["totals"] as? [[String: Any]])?.first { $0["currency"] as? String == currency }
    }
}

/// Reads a statement line's parts.
extension Dictionary where Key == String, Value == Any {
    /// Seconds in `status` on this line.
    func seconds(_ status: String) -> Int {
        ((self["statuses"] as? [[String: Any]])?.first { $0["status"] as? String == status }?["seconds"] as? Int) ?? 0
    }

    /// A nested number, such as `data.used_bytes`.
    func number(_ path: String) -> Int? {
        var node: Any? = self
        for part in path.split(separator: ".") { node = (node as? [String: Any])?[String(part)] }
        return node as? Int
    }
}
