import Foundation
import SimGateCore
@testable import SimGateServer
import Synchronization
import Testing

/// Open statements are worked out a bounded number at a time, and requests for the same
/// account and month at once share one computation.
@Suite("Statement computations are bounded", .timeLimit(.minutes(1)))
struct StatementComputationsTests {
    static let month = BillingMonth("2027-01")!

    @Test("requests for one account and month at once share one computation")
    func shared() async throws {
        let computations = StatementComputations(permits: 1)
        let started = Mutex(0)
        let release = AsyncStream<Void>.makeStream()
        let began = AsyncStream<Void>.makeStream()
        let key = StatementComputations.Key(account: AccountID(trusted: "acct_a"), month: Self.month)
        let compute: @Sendable () async throws -> StatementComputations.Result = {
            started.withLock { $0 += 1 }
            began.continuation.yield()
            for await _ in release.stream { break }
            throw CancellationError()
        }
        async let first: Void = { _ = try? await computations.run(key, waitingAtMost: .seconds(30), compute) }()
        // The first holds its computation until released; the others join it.
        for await _ in began.stream { break }
        async let second: Void = { _ = try? await computations.run(key, waitingAtMost: .seconds(30), compute) }()
        async let third: Void = { _ = try? await computations.run(key, waitingAtMost: .seconds(30), compute) }()
        while await computations.joiners(of: key) < 2 { await Task.yield() }
        release.continuation.yield()
        _ = await (first, second, third)
        #expect(started.withLock { $0 } == 1)
    }

    @Test("a computation that waits past its bound for a turn is refused with 503 statements_busy")
    func busy() async throws {
        let computations = StatementComputations(permits: 1)
        let release = AsyncStream<Void>.makeStream()
        let began = AsyncStream<Void>.makeStream()
        let holder = Task {
            try await computations.run(.init(account: AccountID(trusted: "acct_a"), month: Self.month), waitingAtMost: .seconds(30)) {
                began.continuation.yield()
                for await _ in release.stream { break }
                throw CancellationError()
            }
        }
        for await _ in began.stream { break }
        do {
            _ = try await computations.run(.init(account: AccountID(trusted: "acct_b"), month: Self.month), waitingAtMost: .milliseconds(10)) {
                Issue.record("ran without a turn")
                throw CancellationError()
            }
            Issue.record("not refused")
        } catch let error as APIError {
            #expect(error.status == .serviceUnavailable && error.code == "statements_busy" && error.headers[.retryAfter] == "5")
        }
        release.continuation.yield()
        _ = await holder.result
    }
}
