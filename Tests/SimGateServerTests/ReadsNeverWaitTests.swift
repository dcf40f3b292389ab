import Foundation
import HTTPTypes
import SQLKit
import SimGateTestSupport
import Testing

/// Reading a SIM takes no lock. On PostgreSQL a read that asked for one waited, without end,
/// behind any transaction holding the SIM's row: an instance frozen in the middle of a job
/// left every instance's `GET` of that SIM hanging, and their connection pools with it.
@Suite("Reads never wait for writers")
struct ReadsNeverWaitTests {
    @Test("a SIM whose row another transaction holds is read at once, by id and by ICCID", arguments: TestEngine.available)
    func lockedSimIsRead(engine: TestEngine) async throws {
        try await TestHarness.run(engine) { app in
            let sim = try #require(try await app.importSims(0..<1).first)
            try await app.database.sqlTransaction { db in
                // What a job in the middle of its unit of work holds: the SIM's row, written.
                try await db.raw("UPDATE sims SET updated_at = updated_at WHERE id = \(bind: sim)").run()
                for path in ["/v1/sims/\(sim)", "/v1/sims/\(Fixtures.iccid(0))", "/v1/sims/\(sim)/events"] {
                    let reply = await within(seconds: 20) { try await app.request(.get, path, key: app.operatorKey) }
                    #expect(reply?.status == 200, "\(path) waited for the writer's lock")
                }
            }
        }
    }

    @Test("on PostgreSQL a transaction left idle by a frozen instance is ended after 30 s, letting its locks go")
    func idleTransactionsEnd() async throws {
        guard TestEngine.available.contains(.postgres) else { return }
        try await TestHarness.run(.postgres) { app in
            let shown = try await app.database.sqlRead { db in
                try await db.raw("SHOW idle_in_transaction_session_timeout").all().first?.decode(column: "idle_in_transaction_session_timeout", as: String.self)
            }
            #expect(shown == "30s")
        }
    }
}

/// The storage refusing a write is the server's trouble, not the request's: a 503 that says
/// nothing was stored and when to try again, not an opaque 500.
@Suite("Storage faults")
struct StorageFaultTests {
    @Test("a full disk answers 503 storage_unavailable with Retry-After, stores nothing, and writes work again once there is room")
    func diskFull() async throws {
        try await TestHarness.run(.sqlite) { app in
            // The writer's connection may not grow the file past its size now: SQLITE_FULL, as
            // a full disk gives.
            try await app.database.sqlTransaction { db in
                let pages = try await db.raw("PRAGMA page_count").all().first?.decode(column: "page_count", as: Int.self) ?? 0
                _ = try await db.raw(SQLQueryString("PRAGMA max_page_count = \(unsafeRaw: String(pages))")).all()
            }
            let sims = (0..<1_000).map { n in ["iccid": Fixtures.iccid(n), "imsi": Fixtures.imsi(n)] }
            let refused = try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: ["sims": sims])
            #expect(refused.status == 503 && refused.code == "storage_unavailable", "\(refused.text)")
            #expect(refused.headers[.retryAfter] == "5")
            #expect((refused["detail"] ?? "").contains("disk is full"), "\(refused.text)")
            #expect(try await app.request(.get, "/v1/sims?limit=1", key: app.operatorKey).items.isEmpty)

            try await app.database.sqlTransaction { db in _ = try await db.raw("PRAGMA max_page_count = 1073741823").all() }
            #expect(try await app.request(.post, "/v1/sims/import", key: app.operatorKey, json: ["sims": sims]).status == 201)
        }
    }
}
