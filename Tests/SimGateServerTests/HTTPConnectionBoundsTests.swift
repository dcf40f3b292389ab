import Foundation
import HTTPTypes
import HummingbirdCore
import NIOCore
import NIOEmbedded
import NIOPosix
@testable import SimGateServer
import SimGateTestSupport
import Testing

/// Connections that send nothing, or stop halfway, are closed; and only so many may be open.
/// With neither bound, some 20,000 idle connections took every file descriptor and the process
/// died, and a thousand made `/health` time out for everyone else.
@Suite("HTTP connection bounds", .timeLimit(.minutes(1)))
struct HTTPConnectionBoundsTests {
    /// A raw TCP connection to the server that records what it is sent and when it is closed.
    final class RawConnection: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = ByteBuffer
        let closed: EventLoopPromise<String>
        private var received = ""

        init(_ loop: any EventLoop) { closed = loop.makePromise() }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            received += String(buffer: unwrapInboundIn(data))
        }

        func channelInactive(context: ChannelHandlerContext) {
            closed.succeed(received)
        }

        /// Opens a connection to `port` and sends `text`.
        static func open(port: Int, sending text: String = "") async throws -> (Channel, EventLoopFuture<String>) {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let handler = RawConnection(loop)
            let channel = try await ClientBootstrap(group: loop).channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(handler) }
            }.connect(host: "127.0.0.1", port: port).get()
            if !text.isEmpty { try await channel.writeAndFlush(ByteBuffer(string: text)).get() }
            return (channel, handler.closed.futureResult)
        }
    }

    @Test("a connection that sends nothing, stops in its headers or in its body is closed once idle", arguments: [
        "", "POST /connect/token HTTP/1.1\r\nHost: x\r\n", "POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\ngrant",
    ])
    func idleConnectionsClose(sent: String) async throws {
        try await TestHarness.run(.sqlite, configure: { $0.http.idleTimeout = 1 }) { app in
            let port = try #require(app.client.port)
            let (_, closed) = try await RawConnection.open(port: port, sending: sent)
            // The suite's time limit bounds a connection that is never closed.
            let answer = try await closed.get()
            #expect(!answer.contains("200 OK"))
            // A request read in full is answered before its connection idles out.
            let (_, answered) = try await RawConnection.open(port: port, sending: "GET /health HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try await answered.get().contains("200 OK"))
        }
    }

    /// A body sent a byte at a time, never idle for long, kept its connection (and the handler
    /// awaiting it) for as long as the sender liked, on routes that read their body before any
    /// key: enough such connections took every place the connection limit allows. Here the idle
    /// timeout is ten minutes, so only the read deadline can close the connection.
    @Test("a request whose body has not arrived whole in time is cut off, idle or not; requests read whole are answered")
    func tricklingBodyCutOff() async throws {
        try await TestHarness.run(.sqlite, configure: { $0.http.idleTimeout = 600; $0.http.requestReadTimeout = 1 }) { app in
            let port = try #require(app.client.port)
            let (channel, closed) = try await RawConnection.open(
                port: port, sending: "POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10000\r\n\r\ng"
            )
            let answer = await within(seconds: 10) { try await closed.get() }
            #expect(answer == "", "closed unanswered, its body never read whole")
            try? await channel.close()
            // Requests read whole are answered, one after the other on one connection.
            let (_, answered) = try await RawConnection.open(
                port: port, sending: "GET /health HTTP/1.1\r\nHost: x\r\n\r\nGET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            #expect(try await answered.get().components(separatedBy: "200 OK").count == 3, "both requests answered")
        }
    }

    /// The deadline's clock, on an event loop whose time the test moves: it ends with the
    /// request's last part (a long answer, such as the dashboard's live updates, is not cut),
    /// and grows a second for each 16 KiB of declared body (the operator's 32 MiB import was cut
    /// below 560 KB/s by a flat minute).
    @Test("the read deadline ends when the request is read whole, and grows with the body's declared length")
    func readDeadlineClock() throws {
        typealias Part = HTTPConnectionStateHandler.InboundIn
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: HTTPRequestReadDeadline(deadline: .seconds(60)), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        try channel.writeInbound(Part.head(HTTPRequest(method: .get, scheme: "http", authority: "x", path: "/live")))
        try channel.writeInbound(Part.end(nil))
        loop.advanceTime(by: .seconds(600))
        #expect(channel.isActive, "a request read whole is not cut, however long its answer")
        var post = HTTPRequest(method: .post, scheme: "http", authority: "x", path: "/operator/import")
        post.headerFields[.contentLength] = String(32 * 1_024)
        try channel.writeInbound(Part.head(post))
        loop.advanceTime(by: .seconds(61))
        #expect(channel.isActive, "two seconds more for 32 KiB declared")
        loop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive, "cut once the deadline has passed")
        _ = try? channel.finish()
    }

    /// The parser takes what follows a CONNECT's headers as a tunnel's bytes: the 405 went out
    /// with no length and the connection stayed open until the idle timeout, so a client could
    /// not tell the answer had ended.
    @Test("a CONNECT is refused with 405 and its connection closed after the answer")
    func connectRefused() async throws {
        try await TestHarness.run(.sqlite, configure: { $0.http.idleTimeout = 600 }) { app in
            let port = try #require(app.client.port)
            // A path, and the usual form: an authority (it was a 404 with its body cut off).
            for target in ["/v1/sims", "example.com:443"] {
                let (channel, closed) = try await RawConnection.open(port: port, sending: "CONNECT \(target) HTTP/1.1\r\nHost: x\r\n\r\n")
                let transcript = await within(seconds: 10) { try await closed.get() }
                #expect(transcript?.hasPrefix("HTTP/1.1 405 Method Not Allowed\r\n") == true, "\(target): \(transcript ?? "still open")")
                try? await channel.close()
            }
        }
    }

    /// A malformed chunk size was an internal error: a 500, logged and counted as one.
    @Test("a request whose body cannot be read is a 400 request_malformed, not an internal error")
    func unreadableBody() async throws {
        try await TestHarness.run(.sqlite) { app in
            let port = try #require(app.client.port)
            for chunk in ["zz", "-1", "FFFFFFFFFFFFFFFFFF"] {
                let (_, answered) = try await RawConnection.open(
                    port: port, sending: "POST /connect/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n\(chunk)\r\n"
                )
                let answer = try await answered.get()
                #expect(answer.hasPrefix("HTTP/1.1 400") && answer.contains("request_malformed"), "\(chunk): \(answer)")
            }
        }
    }

    @Test("past the most connections, a new one is closed at once; a place freed is taken again")
    func connectionLimit() async throws {
        try await TestHarness.run(.sqlite, configure: { $0.http.maximumConnections = 4; $0.http.idleTimeout = 600 }) { app in
            let port = try #require(app.client.port)
            // The test client's own keep-alive connections, open all through.
            let own = app.connections.openConnections
            var idle: [(Channel, EventLoopFuture<String>)] = []
            for _ in 0..<8 { idle.append(try await RawConnection.open(port: port)) }
            // A refused connection is closed as soon as it opens: the last one was, and the
            // server holds no more than its four.
            let last = try #require(idle.last)
            _ = try await last.1.get()
            #expect(app.connections.openConnections == 4)
            // Closed without awaiting: a refused connection the server closes between an
            // `isActive` check and `close()` made the close throw "already closed" (it failed a
            // full-suite run). Each close is awaited below, however it came.
            for (channel, _) in idle { channel.close(promise: nil) }
            for (_, closed) in idle { _ = try await closed.get() }
            // The server learns of the closes on its own threads: awaited (the suite's time
            // limit bounds it) until only the client's own are left, /health then has a place.
            // (Counting the refused ones by the client's channels undercounted those whose close
            // it had not yet seen, and the wait was for fewer than the client's own: it hung.)
            await app.connections.waitUntilOpen(atMost: own)
            #expect(try await app.request(.get, "/health", key: nil).status == 200)
        }
    }
}
