import Foundation
import HTTPTypes
import NIOCore
import SimGateTestSupport
import Testing

/// A Cellhire integration as its documentation writes it: a token from `/connect/token`, then
/// JSON submissions with `Content-Type: application/json;charset=UTF-8`.
struct CellhireClient {
    let app: TestHarness
    let clientID: String
    let secret: String
    var token: String

    /// Creates client credentials for `account` (through `key`) and fetches a token.
    static func make(_ app: TestHarness, key: String) async throws -> CellhireClient {
        let created = try await app.request(.post, "/v1/api_clients", key: key, json: ["name": "erp"])
        try #require(created.status == 201, "\(created.text)")
        let clientID = try #require(created["id"])
        let secret = try #require(created["secret"])
        let token = try await requestToken(app, form: "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret)")
        return CellhireClient(app: app, clientID: clientID, secret: secret, token: try #require(token["access_token"]))
    }

    /// Posts a form to the token endpoint.
    static func requestToken(_ app: TestHarness, form: String, headers extra: [String: String] = [:]) async throws -> TestReply {
        var headers = HTTPFields()
        headers[.contentType] = "application/x-www-form-urlencoded"
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await app.client.executeRequest(uri: "/connect/token", method: .post, headers: headers, body: ByteBuffer(string: form))
        return TestReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
    }

    /// Sends `body` (JSON text, as written in Cellhire's examples) with the token.
    func send(_ method: HTTPRequest.Method, _ path: String, _ body: String? = nil, headers extra: [String: String] = [:]) async throws -> TestReply {
        var headers = HTTPFields()
        headers[.authorization] = "Bearer \(token)"
        headers[.contentType] = "application/json;charset=UTF-8"
        for (name, value) in extra { headers[HTTPField.Name(name)!] = value }
        let response = try await app.client.executeRequest(uri: path, method: method, headers: headers, body: body.map { ByteBuffer(string: $0) })
        return TestReply(status: Int(response.status.code), headers: response.headers, body: Data(buffer: response.body))
    }

    /// Submits, runs the jobs, and returns the ticket as `GET` shows it.
    func submitAndSettle(_ path: String, _ body: String, headers: [String: String] = [:]) async throws -> TestReply {
        let accepted = try await send(.post, "/api/simSubmission/\(path)", body, headers: headers)
        try #require(accepted.status == 200, "\(path): \(accepted.text)")
        let number = try #require(accepted["ticketNumber"])
        try await app.settle()
        return try await send(.get, "/api/simSubmission/\(number)")
    }
}

extension TestHarness {
    /// An AOFU tariff 999 (the number of Cellhire's examples) and a standard tariff 1, both
    /// offered to `account`, and the account's SIM with serial number 987654321. Returns the SIM id.
    func cellhireStock(account: String) async throws -> String {
        for (number, kind) in [(999, "aofu"), (1, "standard")] {
            let tariff = try await request(.post, "/v1/tariffs", key: operatorKey, json: ["number": number, "name": "T\(number)", "kind": kind, "accounts": [account]])
            try #require(tariff.status == 201, "\(tariff.text)")
        }
        let reply = try await request(.post, "/v1/sims/import", key: operatorKey, json: [
            "account": account,
            "sims": [["iccid": Fixtures.iccid(0), "imsi": Fixtures.imsi(0), "msisdn": Fixtures.msisdn(0), "serial_number": "987654321"]],
        ])
        try #require(reply.status == 201, "\(reply.text)")
        return try #require(reply.items.first?["id"] as? String)
    }
}
