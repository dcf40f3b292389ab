import Foundation
import Testing
import SimGateTestSupport

/// Common set-ups that many tests start from.
extension TestHarness {
    /// Creates a customer account and a key for it; returns both.
    func makeCustomer(_ name: String) async throws -> (account: String, key: String) {
        let account = try await request(.post, "/v1/accounts", key: operatorKey, json: ["name": name])
        let accountID = try #require(account["id"])
        let key = try await request(.post, "/v1/api_keys", key: operatorKey, json: ["name": "main", "account": accountID])
        return (accountID, try #require(key["secret"]))
    }

    /// Imports SIMs number `range` (see ``Fixtures``); returns their ids. They go to `account`,
    /// or by default to the harness's fleet account (only a SIM with an account can be LIVE),
    /// or with `stock` to no account at all.
    @discardableResult
    func importSims(_ range: Range<Int>, account: String? = nil, stock: Bool = false, labels: [String] = []) async throws -> [String] {
        var body: [String: Any] = ["sims": range.map { n in
            ["iccid": Fixtures.iccid(n), "imsi": Fixtures.imsi(n), "msisdn": Fixtures.msisdn(n), "labels": labels] as [String: Any]
        }]
        if !stock { body["account"] = account ?? fleetAccount }
        let reply = try await request(.post, "/v1/sims/import", key: operatorKey, json: body)
        try #require(reply.status == 201, "import failed: \(reply.text)")
        return reply.items.compactMap { $0["id"] as? String }
    }
}
