import Foundation

/// One thread of its own that runs the tasks preferring it: a SQLite connection's thread.
///
/// A unit of work on SQLite runs its whole body here (`withTaskExecutorPreference`), and
/// every statement in it runs in place, blocking this thread for the microseconds SQLite
/// takes. Handing each statement to a thread pool and back cost two thread switches per
/// statement, more than the statements themselves; a wait on a lock held by another
/// process (the busy timeout) blocks this thread, never the shared cooperative pool.
final class SQLiteThread: TaskExecutor, @unchecked Sendable {
    // Guards `queue` and `stopping`; the thread sleeps on it while there is nothing to run.
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var stopping = false
    private let finished = DispatchSemaphore(value: 0)

    /// Starts the thread, named `name` for debuggers and profiles.
    init(name: String) {
        // The thread keeps its executor alive until it is stopped.
        let thread = Thread { self.runLoop() }
        thread.name = name
        thread.start()
    }

    /// Runs `job` on this thread after the jobs before it.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs it has, then end; returns once it has.
    func stop() {
        condition.lock()
        stopping = true
        condition.signal()
        condition.unlock()
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
