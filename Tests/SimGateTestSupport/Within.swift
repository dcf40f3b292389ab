import Synchronization

/// `body`'s result, or `nil` if it has not finished after `seconds`. A `body` stuck for good (a
/// request held behind a lock, a statement never answered) is left behind rather than awaited,
/// so the test that asks goes on to say so.
public func within<T: Sendable>(seconds: Int, _ body: @escaping @Sendable () async throws -> T) async -> T? {
    let work = Task { try await body() }
    return await withCheckedContinuation { continuation in
        let answered = Mutex(false)
        let answer: @Sendable (T?) -> Void = { value in
            if answered.withLock({ done in defer { done = true }; return !done }) { continuation.resume(returning: value) }
        }
        Task { answer(try? await work.value) }
        Task {
            try? await Task.sleep(for: .seconds(seconds))
            answer(nil)
        }
    }
}
