import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import ServiceLifecycle
import SimGateCore
import SimGateRADIUS
import SimGateServer
import SimGateStore
import Synchronization

/// `simgate bench radius`: starts a SimGate of its own (fresh SQLite file) and loads its
/// RADIUS ports over real UDP on loopback: accounting Interim-Updates from many sessions at
/// once, then Access-Requests one at a time.
///
/// Prints accounting updates per second, Access-Request latency p50/p99, process CPU seconds
/// per 20,000 updates (server and load generator together), and whether any update was lost
/// or counted twice (stored totals against what was sent).
struct RADIUSBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "radius", abstract: "Accounting updates/s and Access-Request latency over UDP.")

    @Option(help: "Accounting updates to send.") var updates = 20_000
    @Option(help: "Sessions (one SIM each) the updates are spread over.") var sessions = 500
    @Option(help: "UDP sockets sending at once, each with one request in flight.") var concurrency = 64
    @Option(help: "Access-Requests timed one by one.") var samples = 500
    @Option(help: "HTTP port of the benchmark's own server.") var port = 18_090

    static let secret = "bench-radius-secret"

    func run() async throws {
        var logger = Logger(label: "simgate.bench")
        logger.logLevel = .warning
        var configuration = AppConfiguration()
        configuration.port = port
        configuration.database = .sqlite(path: FileManager.default.temporaryDirectory.appendingPathComponent("simgate-bench-\(UUID().uuidString).sqlite").path)
        configuration.radius.authenticationPort = 0
        configuration.radius.accountingPort = 0
        configuration.radius.clients = [RADIUSClient(name: "bench", address: "127.0.0.1", secret: Self.secret)]
        let operatorKey = Mutex<String?>(nil)
        let ports = Mutex<[RADIUSPortRole: Int]>([:])
        let dependencies = AppDependencies(
            database: try SimGateDatabase(configuration.database, logger: logger), logger: logger,
            announceOperatorKey: { key in operatorKey.withLock { $0 = key } },
            announceRADIUSPort: { role, port in ports.withLock { $0[role] = port } }
        )
        let app = try await buildApplication(configuration, dependencies: dependencies)
        let services = ServiceGroup(configuration: .init(services: [.init(service: app)], logger: logger))
        let http = HTTPClient(eventLoopGroupProvider: .singleton)
        let client = BenchClient(http: http, base: "http://127.0.0.1:\(port)")
        let (updates, sessions, concurrency, samples) = (self.updates, self.sessions, self.concurrency, self.samples)

        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await services.run() }
            do {
                try await PaymentsBenchCommand.waitUntilUp(client)
                guard let key = operatorKey.withLock({ $0 }), let auth = ports.withLock({ $0[.authentication] }),
                      let accounting = ports.withLock({ $0[.accounting] })
                else { throw BenchError("the benchmark's server did not report its RADIUS ports") }
                print("SimGate bench: radius, \(updates) accounting updates over \(sessions) sessions, \(concurrency) in flight")
                let imsis = try await Self.prepareSims(client, operatorKey: key, count: sessions)
                let cpuBefore = ProcessCPU.seconds()
                let start = ContinuousClock.now
                _ = try await Self.sendAccounting(port: accounting, imsis: imsis, updates: updates, concurrency: concurrency)
                let seconds = (ContinuousClock.now - start).asSeconds
                let cpu = ProcessCPU.seconds() - cpuBefore
                print(String(format: "accounting: %d updates in %.2f s = %.0f per second; %.2f CPU s per 20,000 updates (server + load generator)",
                             updates, seconds, Double(updates) / seconds, cpu * 20_000 / Double(updates)))
                let expected = Self.expectedTotal(updates: updates, sessions: sessions)
                let stored = try await Self.storedTotal(dependencies.database, imsis: imsis)
                print("usage stored: \(stored) bytes, sent: \(expected) bytes -> " + (stored == expected ? "nothing lost or doubled" : "MISMATCH of \(Int64(stored) - Int64(expected)) bytes"))
                try await Self.timeAccess(port: auth, imsi: imsis[0], samples: samples)
            } catch {
                await services.triggerGracefulShutdown()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
        }
        try await http.shutdown()
    }

    /// Imports `count` SIMs and makes them LIVE; returns their IMSIs.
    static func prepareSims(_ client: BenchClient, operatorKey: String, count: Int) async throws -> [String] {
        var imsis: [String] = []
        for start in stride(from: 0, to: count, by: 1_000) {
            let rows = (start..<min(start + 1_000, count)).map { n -> [String: String] in
                let body = "898832" + String(format: "%012d", n)
                let imsi = "00103" + String(format: "%010d", n)
                imsis.append(imsi)
                return ["iccid": body + String(Luhn.checkDigit(for: body)), "imsi": imsi]
            }
            let reply = try await client.json(.POST, "/v1/sims/import", key: operatorKey, ["sims": rows])
            guard reply.status == 201 else { throw BenchError("import failed: \(String(decoding: reply.body, as: UTF8.self))") }
            let iccids = rows.compactMap { $0["iccid"] }
            _ = try await client.json(.POST, "/v1/sims/bulk", key: operatorKey, ["action": "activate", "iccids": iccids])
        }
        return imsis
    }

    /// Update `i` goes to session `i % sessions`, as that session's `(i / sessions + 1)`-th report,
    /// carrying cumulative input of 1,000 bytes per report.
    static func expectedTotal(updates: Int, sessions: Int) -> UInt64 {
        (0..<sessions).reduce(0) { sum, session in
            let reports = updates / sessions + (session < updates % sessions ? 1 : 0)
            return sum + UInt64(reports) * 1_000
        }
    }

    static func sendAccounting(port: Int, imsis: [String], updates: Int, concurrency: Int) async throws -> Int {
        let secret = Array(secret.utf8)
        return try await withThrowingTaskGroup(of: Int.self) { group in
            for worker in 0..<concurrency {
                group.addTask {
                    try await BenchUDPSocket.with(serverPort: port) { request in
                    var identifier: UInt8 = 0
                    for index in stride(from: worker, to: updates, by: concurrency) {
                        let session = index % imsis.count
                        let report = index / imsis.count + 1
                        identifier &+= 1
                        let packet = RADIUSPacket(code: .accountingRequest, identifier: identifier, authenticator: [UInt8](repeating: 0, count: 16), attributes: [
                            .integer(RADIUSAttributeType.acctStatusType, AccountingStatusType.interimUpdate.rawValue),
                            .text(RADIUSAttributeType.nasIdentifier, "bench-pgw"),
                            .text(RADIUSAttributeType.acctSessionID, "bench-\(session)"),
                            .vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array(imsis[session].utf8)),
                            .integer(RADIUSAttributeType.acctInputOctets, UInt32(report * 1_000)),
                            .integer(RADIUSAttributeType.acctOutputOctets, UInt32(report * 10)),
                        ])
                        _ = try await request(RADIUSAuthenticators.signRequest(packet, secret: secret).encoded())
                    }
                    return 0
                    }
                }
            }
            return try await group.reduce(0, +)
        }
    }

    static func storedTotal(_ database: SimGateDatabase, imsis: [String]) async throws -> UInt64 {
        try await database.read { db in
            let rows = try await db.raw("SELECT COALESCE(SUM(bytes_up), 0) AS total FROM usage_records WHERE source = 'radius'").all()
            return UInt64(try rows.first?.decode(column: "total", as: Int64.self) ?? 0)
        }
    }

    static func timeAccess(port: Int, imsi: String, samples: Int) async throws {
        let secret = Array(secret.utf8)
        let durations = try await BenchUDPSocket.with(serverPort: port) { request -> [Duration] in
        var durations: [Duration] = []
        for sample in 0..<samples {
            let authenticator = (0..<16).map { _ in UInt8.random(in: 0...255) }
            let packet = RADIUSAuthenticators.signRequest(RADIUSPacket(code: .accessRequest, identifier: UInt8(sample % 256), authenticator: authenticator, attributes: [
                .text(RADIUSAttributeType.userName, imsi),
            ]), secret: secret)
            let start = ContinuousClock.now
            _ = try await request(packet.encoded())
            durations.append(ContinuousClock.now - start)
        }
        return durations
        }
        print("Access-Request -> Access-Accept: " + LatencySummary(durations).text)
    }
}

/// This process's user plus system CPU time, in seconds.
enum ProcessCPU {
    static func seconds() -> Double {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
    }
}
