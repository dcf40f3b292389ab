import CSimGateLinux
import Foundation
import Glibc
import SimGateRADIUS
import Synchronization

/// Times Access-Requests one at a time, from a plain blocking socket on a thread of its own so
/// that neither the load generator's event loops nor the cooperative pool delay a sample.
/// Each wait for a reply is bounded (1 s); an unanswered request is counted, not waited for.
final class AccessSampler: Sendable {
    /// The round trips that were answered, and how many requests were not.
    struct Samples {
        /// Request sent to Access-Accept (or Reject) received, one per answered request.
        let durations: [Duration]
        /// Requests with no reply within a second.
        let unanswered: Int
    }

    private let port: Int
    private let userName: String
    private let secret: [UInt8]
    private let stopped = Atomic<Bool>(false)

    /// Samples will ask for `userName` at the authentication port `port` on loopback.
    init(port: Int, userName: String, secret: [UInt8]) {
        self.port = port
        self.userName = userName
        self.secret = secret
    }

    /// Ends a ``sample(count:pause:)`` that is running, after its current request.
    func stop() { stopped.store(true, ordering: .releasing) }

    /// Sends up to `count` requests, `pause` apart, until ``stop()``.
    func sample(count: Int, pause: Duration = .zero) async throws -> Samples {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try self.sampleBlocking(count: count, pause: pause) }) }
            thread.start()
        }
    }

    private func sampleBlocking(count: Int, pause: Duration) throws -> Samples {
        // A gateway on a machine of its own reads its reply as soon as it arrives. Here the
        // load generator shares two cores with the server, and with the default time slice
        // this thread, woken by a reply, waited for one of its threads to give up the core:
        // latency of the bench, not of the server. The same short slice as the server's
        // authentication thread lets it run at once.
        _ = simgate_request_time_slice(100_000)
        let socket = Glibc.socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        guard socket >= 0 else { throw BenchError("socket() failed: errno \(errno)") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw BenchError("connect() failed: errno \(errno)") }

        var durations: [Duration] = []
        var unanswered = 0
        var reply = [UInt8](repeating: 0, count: RADIUSPacket.maximumLength)
        var sample = 0
        while sample < count, !stopped.load(ordering: .acquiring) {
            defer { sample += 1 }
            let identifier = UInt8(truncatingIfNeeded: sample)
            let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
            let request = RADIUSAuthenticators.signRequest(RADIUSPacket(code: .accessRequest, identifier: identifier, authenticator: authenticator, attributes: [
                .text(RADIUSAttributeType.userName, userName),
            ]), secret: secret).encoded()
            let start = ContinuousClock.now
            guard send(socket, request, request.count, 0) == request.count else { throw BenchError("send() failed: errno \(errno)") }
            var answered = false
            // A late reply to an earlier, unanswered request is read past, not counted.
            while true {
                let received = recv(socket, &reply, reply.count, 0)
                if received < 0 { break }  // One second with no reply.
                if received >= 20, reply[1] == identifier { answered = true; break }
            }
            if answered { durations.append(ContinuousClock.now - start) } else { unanswered += 1 }
            if pause > .zero { Thread.sleep(forTimeInterval: pause.asSeconds) }
        }
        return Samples(durations: durations, unanswered: unanswered)
    }
}
