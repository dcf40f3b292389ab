import AsyncHTTPClient
import Foundation
import NIOCore
import SimGateCore
import SimGateStore
@testable import SimGateServer
import SimGateTestSupport
import Testing

/// Open live pages cost reads: they are bounded, and woken only by their own account's news.
/// A few hundred streams held open by one read-only key once slowed every account's writes
/// and RADIUS accounting to seconds.
@Suite("Dashboard live streams are bounded", .timeLimit(.minutes(1)))
struct DashboardLiveBoundsTests {
    @Test("one session's ninth stream takes the place of its latest, which ends saying so; another session and another account still open theirs")
    func streamsPerSession() async throws {
        try await TestHarness.run(.sqlite) { app in
            let (_, key) = try await app.makeCustomer("E-Bikes")
            let (_, otherKey) = try await app.makeCustomer("Scooters")
            let port = try #require(app.client.port)
            // A client of its own: the shared one opens at most 8 connections to a host, and
            // queued the ninth request behind the open streams.
            var configuration = HTTPClient.Configuration()
            configuration.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = 32
            let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            func open(_ cookie: String) async throws -> HTTPClientResponse {
                var request = HTTPClientRequest(url: "http://127.0.0.1:\(port)/live")
                request.headers.add(name: "Cookie", value: "simgate_session=\(cookie)")
                return try await http.execute(request, timeout: .seconds(30))
            }
            do {
                let first = try await app.signIn(key: key)
                var open8: [HTTPClientResponse] = []
                for _ in 0..<LiveStreamSlots.Limits().perSession {
                    open8.append(try await open(first))
                }
                #expect(open8.allSatisfy { $0.status.code == 200 })
                // A browser that went from page to page leaves streams that end only when they
                // next write: refused, its one open tab got no live updates.
                let ninth = try await open(first)
                #expect(ninth.status.code == 200)
                var latest = open8[7].body.makeAsyncIterator()
                var said = ""
                while !said.contains("event: superseded"), let chunk = try await latest.next() { said += String(buffer: chunk) }
                #expect(said.hasPrefix("retry: 2000") && said.hasSuffix("event: superseded\ndata: {}\n\n"), "\(said)")
                #expect(try await open(try await app.signIn(key: key)).status.code == 200)
                #expect(try await open(try await app.signIn(key: otherKey)).status.code == 200)

                // A HEAD's body is dropped unrun: its slot was never given back, and nine HEADs
                // locked the session out of live pages until a restart.
                let heads = try await app.signIn(key: otherKey)
                for _ in 0..<(LiveStreamSlots.Limits().perSession + 1) {
                    #expect(try await app.browser(.head, "/live", cookie: heads).status == 200)
                }
                #expect(try await open(heads).status.code == 200)
            } catch {
                try? await http.shutdown()
                throw error
            }
            try await http.shutdown()
        }
    }

    @Test("a slot given back can be taken again; a session's newest stream supersedes its oldest; the account's and the instance's bounds refuse")
    func slotsReleased() throws {
        let slots = LiveStreamSlots(limits: .init(perSession: 2, perAccount: 3, total: 4))
        let a = AccountID(trusted: "acct_a"), b = AccountID(trusted: "acct_b")
        let first = try #require(slots.lease(session: "s1", account: a)), second = try #require(slots.lease(session: "s1", account: a))
        let third = try #require(slots.lease(session: "s1", account: a), "per session: the latest gives way")
        #expect(!first.superseded.isOpen && second.superseded.isOpen && !third.superseded.isOpen)
        second.release()
        let other = try #require(slots.lease(session: "s2", account: a), "a superseded slot released again frees nothing more")
        #expect(slots.lease(session: "s3", account: a) == nil, "per account")
        let fromB = try #require(slots.lease(session: "s4", account: b))
        #expect(slots.lease(session: "s5", account: b) == nil, "on the instance")
        other.release()
        #expect(slots.lease(session: "s5", account: b) != nil, "given back")
        withExtendedLifetime((first, third, fromB)) {}
    }

    @Test("a commit wakes its own account's streams and the operator's, not another account's")
    func wakesOnlyItsAccount() {
        let feed = LiveFeed()
        let a = AccountID(trusted: "acct_a"), b = AccountID(trusted: "acct_b")
        let before = (a: feed.generation(for: a), b: feed.generation(for: b), operator: feed.generation(for: nil))
        var touched = TouchedAccounts()
        touched.accounts = [a]
        feed.announce(touched)
        #expect(feed.generation(for: a) != before.a)
        #expect(feed.generation(for: b) == before.b)
        #expect(feed.generation(for: nil) != before.operator)
        feed.announceToEveryone()
        #expect(feed.generation(for: b) != before.b, "a shutdown wakes every stream")
    }
}
