import Foundation

/// One thread of its own that runs the tasks preferring it (`withTaskExecutorPreference`,
/// `addTask(executorPreference:)`), in the order they come.
///
/// Two uses in SimGate. Each SQLite connection has one: a unit of work runs its whole body
/// there and calls SQLite in place, blocking only that thread (see `SQLiteHandle`). And the
/// RADIUS authentication port has one: an Access-Request is answered there, so that it never
/// queues on the shared cooperative pool behind thousands of accounting reports.
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Guards `queue` and `stopping`; the thread sleeps on it while there is nothing to run.
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)
    /// Set once in `init`, before the thread starts; read by `stop()`.
    private var thread: Thread?

    /// Starts the thread, named `name` for debuggers and profiles.
    public init(name: String) {
        // The thread keeps its executor alive until it is stopped.
        let thread = Thread { self.runLoop() }
        thread.name = name
        self.thread = thread
        thread.start()
    }

    /// Runs `job` on this thread after the jobs before it.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs it has, then end; returns once it has. Called on the
    /// thread itself, it returns at once (waiting there would wait forever).
    public func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
        guard Thread.current !== thread else { return }
        finished.wait()
    }

    private func runLoop() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while queue.isEmpty, !stopping { condition.wait() }
            if queue.isEmpty, stopping {
                condition.unlock()
                finished.signal()
                return
            }
            let batch = queue
            queue.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: executor) }
        }
    }
}
