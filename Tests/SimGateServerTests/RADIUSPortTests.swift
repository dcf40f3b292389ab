import Foundation
import Hummingbird
import NIOCore
import NIOPosix
import SimGateCore
import SimGateRADIUS
import SimGateServer
import SimGateStore
import SimGateTestSupport
import Testing

@Suite("RADIUS ports at start-up")
struct RADIUSPortTests {
    @Test("SimGate does not start when its RADIUS port is taken by another process: it stops with a clear error")
    func portTakenStopsStartUp() async throws {
        // Another process's socket, as a second `simgate serve` or FreeRADIUS would hold it.
        let holder = try await DatagramBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let taken = try #require(holder.localAddress?.port)
        defer { holder.close(promise: nil) }

        var configuration = AppConfiguration()
        configuration.port = 0
        configuration.database = try await TestDatabase.freshConfiguration(.sqlite)
        configuration.radius.authenticationPort = taken
        configuration.radius.accountingPort = 0
        configuration.radius.clients = [RADIUSClient(name: "pgw", address: "127.0.0.1", secret: "s")]
        let database = try SimGateDatabase(configuration.database, logger: TestDatabase.logger)
        let app = try await buildApplication(configuration, dependencies: AppDependencies(
            database: database, clock: ManualWallClock(), logger: TestDatabase.logger, announceOperatorKey: { _ in }
        ))
        let outcome: String = try await withThrowingTaskGroup(of: String.self) { group in
            group.addTask {
                do {
                    try await app.runService(gracefulShutdownSignals: [])
                    return "ran and returned without an error"
                } catch {
                    return "\(error)"
                }
            }
            group.addTask {
                try await Task.sleep(for: .seconds(30))
                return "still running after 30 s"
            }
            let first = try await group.next() ?? ""
            group.cancelAll()
            return first
        }
        #expect(outcome.contains("Cannot listen for RADIUS authentication on 127.0.0.1:\(taken)"), "\(outcome)")
    }
}
