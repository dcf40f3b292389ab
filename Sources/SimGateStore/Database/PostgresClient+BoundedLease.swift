import PostgresNIO
import Synchronization

extension PostgresClient {
    /// Runs `body` on a pooled connection once `running` has opened (the client's `run()` has
    /// started), or fails with ``StoreError/connectionUnavailable(waited:)`` when no
    /// connection was handed over within `timeout`: every connection busy, the server
    /// unreachable, or the client not running. Only the wait is bounded; once `body` has its
    /// connection it runs to its end.
    func withConnection<T: Sendable>(
        within timeout: Duration, once running: OnceSignal, _ body: (PostgresConnection) async throws -> T
    ) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            let work = LeasedWork(run: body)
            let leased = LeaseFlag()
            return try await withThrowingTaskGroup(of: LeaseRace<T>.self) { group in
                group.addTask {
                    // Leasing before run() would only queue the request (and log a warning).
                    await running.wait()
                    try Task.checkCancellation()
                    return .finished(try await self.withConnection { connection in
                        leased.set()
                        return try await work.run(connection)
                    })
                }
                group.addTask {
                    try? await Task.sleep(for: timeout)
                    return .deadline
                }
                while let next = try await group.next() {
                    switch next {
                    case .finished(let value):
                        group.cancelAll()
                        return value
                    case .deadline:
                        guard leased.isSet else {
                            group.cancelAll()  // withdraws the lease request
                            throw StoreError.connectionUnavailable(waited: timeout)
                        }
                    }
                }
                throw CancellationError()
            }
        }
    }
}

/// Which finished first: the work, or the deadline for getting a connection.
private enum LeaseRace<T: Sendable>: Sendable {
    case finished(T)
    case deadline
}

/// The caller's closure, handed to the child task that holds the connection.
///
/// `@unchecked Sendable` because the closure need not be Sendable: it is called once, by that
/// child, while the caller does nothing but await the group, so it is never used from two
/// places at once, and it still runs with whatever isolation it was formed in.
private struct LeasedWork<T>: @unchecked Sendable {
    let run: (PostgresConnection) async throws -> T
}

/// Set once the connection is handed over, read by the deadline.
private final class LeaseFlag: Sendable {
    private let value = Atomic(false)

    func set() { value.store(true, ordering: .sequentiallyConsistent) }
    var isSet: Bool { value.load(ordering: .sequentiallyConsistent) }
}
