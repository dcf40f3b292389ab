import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import SimGateCore
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
    /// One client per host and pinned address, with the attempts using it now; idle ones are
    /// closed once more than ``maximumClients`` are kept.
    private let clients = Mutex<[String: (client: HTTPClient, inUse: Int)]>([:])
    private static let maximumClients = 256

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
        let key = bare + "\u{0}" + address
        let client = lease(key, host: bare, address: address)
        defer { clients.withLock { $0[key]?.inUse -= 1 } }
        let deadline = NIODeadline.now() + timeout
        let response = try await client.execute(request, deadline: deadline)
        let excerpt = try await Self.excerpt(of: response.body, until: deadline)
        let text = String(decoding: excerpt.readableBytesView.prefix(4_096), as: UTF8.self)
        return Answer(
            status: Int(response.status.code), excerpt: String(text.prefix(WebhookAttempt.maximumExcerpt)),
            retryAfter: response.headers.first(name: "retry-after").flatMap { Self.seconds(retryAfter: $0, now: now()) }
        )
    }

    /// The body's first 4 KB, read until `deadline`. The client's deadline covers the response
    /// head only, and its read timeout each read alone: an endpoint that sent its body a byte
    /// every half second held the attempt, its ordered endpoint's queue and shutdown for as
    /// long as it kept sending. Past the deadline the read is cancelled, which ends the request.
    private static func excerpt(of body: HTTPClientResponse.Body, until deadline: NIODeadline) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask {
                var excerpt = ByteBuffer()
                for try await part in body {
                    var part = part
                    excerpt.writeBuffer(&part)
                    if excerpt.readableBytes >= 4_096 { break }
                }
                return excerpt
            }
            group.addTask {
                let left = deadline - .now()
                if left.nanoseconds > 0 { try await Task.sleep(nanoseconds: UInt64(left.nanoseconds)) }
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let excerpt = first else { throw HTTPClientError.deadlineExceeded }
            return excerpt
        }
    }

    /// Closes every connection; called once when the dispatcher stops.
    func shutdown() async {
        let all = clients.withLock { clients in
            defer { clients.removeAll() }
            return clients.values.map(\.client)
        }
        for client in all { try? await client.shutdown() }
    }

    /// The client that connects `host` to `address`, marked in use: one per pair, kept for
    /// their connections. Past the limit, clients nobody is using are closed.
    private func lease(_ key: String, host: String, address: String) -> HTTPClient {
        let (client, evicted) = clients.withLock { clients -> (HTTPClient, [HTTPClient]) in
            if let existing = clients[key] {
                clients[key]?.inUse += 1
                return (existing.client, [])
            }
            var evicted: [HTTPClient] = []
            if clients.count >= Self.maximumClients {
                for (idleKey, entry) in clients where entry.inUse == 0 {
                    evicted.append(entry.client)
                    clients[idleKey] = nil
                }
            }
            var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow, timeout: .init(connect: timeout, read: timeout))
            if host != address { configuration.dnsOverride = [host: address] }
            // As many connections as an endpoint may have deliveries in flight (AHC keeps 8 by default).
            configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: WebhookEndpoint.concurrencyRange.upperBound)
            let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
            clients[key] = (client, 1)
            return (client, evicted)
        }
        if !evicted.isEmpty { Task { for idle in evicted { try? await idle.shutdown() } } }
        return client
    }

    /// `Retry-After` as seconds from `now`: a number of seconds, or an HTTP date.
    static func seconds(retryAfter text: String, now: Date) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        // Digits past what 64 bits hold are still a number of seconds, a long one (capped by
        // the caller): read as no number, they fell back to the first retry's few seconds.
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ (0x30...0x39).contains($0) }) { return TimeInterval(Int(trimmed) ?? .max) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: trimmed) else { return nil }
        return max(0, date.timeIntervalSince(now))
    }
}
