import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// Sends one signed POST to a customer's URL, connecting only to an address the target guard
/// allowed: the URL's host is resolved and checked, then the connection is pinned to that
/// address (TLS still verifies the host's name). Redirects are not followed: a redirect could
/// lead anywhere, past the guard.
final class WebhookSender: Sendable {
    /// What an attempt got back.
    struct Answer: Sendable {
        /// The HTTP status.
        let status: Int
        /// The first characters of the body.
        let excerpt: String
        /// `Retry-After`, in seconds, when the endpoint sent one.
        let retryAfter: TimeInterval?
    }

    private let guardian: WebhookTargetGuard
    private let timeout: TimeAmount
    private let clients = Mutex<[String: HTTPClient]>([:])

    /// A sender that checks targets with `guardian` and gives each attempt `timeout` seconds.
    init(guardian: WebhookTargetGuard, timeout: TimeInterval) {
        self.guardian = guardian
        self.timeout = .milliseconds(Int64(timeout * 1_000))
    }

    /// POSTs `body` to `url` with `headers`; throws on a refused target, a timeout or a broken connection.
    func post(url: String, headers: [(String, String)], body: Data, now: () -> Date) async throws -> Answer {
        guard let components = URLComponents(string: url), let host = components.host else {
            throw WebhookTargetRefused(reason: "'\(url)' is not a URL")
        }
        let secure = components.scheme?.lowercased() == "https"
        let bare = host.hasPrefix("[") ? String(host.dropFirst().dropLast()) : host
        let address = try await guardian.resolve(host: bare, port: components.port ?? (secure ? 443 : 80))
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await client(host: bare, address: address).execute(request, timeout: timeout)
        var excerpt = ByteBuffer()
        for try await part in response.body {
            var part = part
            excerpt.writeBuffer(&part)
            if excerpt.readableBytes >= 4_096 { break }
        }
        let text = String(decoding: excerpt.readableBytesView.prefix(4_096), as: UTF8.self)
        return Answer(
            status: Int(response.status.code), excerpt: String(text.prefix(1_000)),
            retryAfter: response.headers.first(name: "retry-after").flatMap { Self.seconds(retryAfter: $0, now: now()) }
        )
    }

    /// Closes every connection; called once when the dispatcher stops.
    func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return Array(clients.values)
        }
        for client in all { try? await client.shutdown() }
    }

    /// The client that connects `host` to `address`: one per pair, kept for their connections.
    private func client(host: String, address: String) -> HTTPClient {
        let key = host + "\u{0}" + address
        return clients.withLock { clients in
            if let existing = clients[key] { return existing }
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout))
            if host != address { configuration.dnsOverride = [host: address] }
            configuration.connectionPool = .init(idleTimeout: .seconds(60))
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = client
            return client
        }
    }

    /// `Retry-After` as seconds from `now`: a number of seconds, or an HTTP date.
    static func seconds(retryAfter text: String, now: Date) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if let seconds = Int(trimmed), seconds >= 0 { return TimeInterval(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
