import SimGateExecutors
import Synchronization
import Testing

/// The thread SQLite connections and the RADIUS authentication port run their tasks on.
@Suite("A thread that runs tasks", .timeLimit(.minutes(1)))
struct ThreadExecutorTests {
    private final class Ran: Sendable {
        let values = Mutex<[Int]>([])
    }

    @Test("every task preferring it runs, once, and stop returns once the thread has ended")
    func runsEachTask() async throws {
        let executor = ThreadExecutor(name: "test-executor")
        let ran = Ran()
        await withTaskGroup(of: Void.self) { group in
            for n in 0..<100 {
                group.addTask(executorPreference: executor) { ran.values.withLock { $0.append(n) } }
            }
        }
        executor.stop()
        #expect(ran.values.withLock { $0.sorted() } == Array(0..<100))
    }

    @Test("stop called from a task on the thread itself returns instead of waiting for itself")
    func stopFromItsOwnThread() async {
        let executor = ThreadExecutor(name: "test-executor-self")
        let stopped = await withTaskExecutorPreference(executor) { () async -> Bool in
            executor.stop()
            return true
        }
        #expect(stopped)
    }

    @Test("a task that still prefers a stopped executor runs elsewhere instead of never, and a second stop returns")
    func taskAfterStop() async {
        let executor = ThreadExecutor(name: "test-executor-stopped")
        executor.stop()
        let ran = await withTaskExecutorPreference(executor) { () async -> Bool in true }
        #expect(ran)
        executor.stop()
    }
}
