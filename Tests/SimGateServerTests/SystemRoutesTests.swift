import Foundation
import SimGateTestSupport
import Testing

@Suite("Health and metrics")
struct SystemRoutesTests {
    @Test("/health reports the database engine", arguments: TestEngine.available)
    func health(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let reply = try await app.request(.get, "/health", key: nil)
            #expect(reply.status == 200)
            #expect(reply["status"] == "ok")
            #expect(reply["database"] == engine.rawValue)
        }
    }

    @Test("/metrics counts requests by route and SIMs by status, in Prometheus text")
    func metrics() async throws {
        try await TestHarness.run(.sqlite) { app in
            let ids = try await app.importSims(0..<3)
            _ = try await app.request(.post, "/v1/sims/\(ids[0])/activate", key: app.operatorKey)
            _ = try await app.request(.get, "/v1/sims/\(ids[1])", key: app.operatorKey)
            let reply = try await app.request(.get, "/metrics", key: nil)
            #expect(reply.status == 200)
            #expect(reply.contentType?.hasPrefix("text/plain") == true)
            let text = reply.text
            #expect(text.contains(#"simgate_sims{status="LIVE"} 1"#))
            #expect(text.contains(#"simgate_sims{status="INVENTORY"} 2"#))
            #expect(text.contains(#"simgate_http_requests_total{method="GET",route="/v1/sims/{id}",status="200"} 1"#))
            #expect(text.contains("simgate_http_request_duration_seconds_bucket"))
        }
    }
}
