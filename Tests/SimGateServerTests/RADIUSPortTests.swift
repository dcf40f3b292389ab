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

@Suite("RADIUS ports at start-up", .timeLimit(.minutes(1)))
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
        // A start that hung instead of failing is stopped by the suite's time limit.
        let outcome: String
        do {
            try await app.runService(gracefulShutdownSignals: [])
            outcome = "ran and returned without an error"
        } catch {
            outcome = "\(error)"
        }
        #expect(outcome.contains("Cannot listen for RADIUS authentication on 127.0.0.1:\(taken)"), "\(outcome)")
    }
}
