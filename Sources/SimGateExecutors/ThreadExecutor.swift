import Foundation

/// One thread of its own that runs the tasks preferring it (`withTaskExecutorPreference`,
/// `addTask(executorPreference:)`), in the order they come.
///
/// Each SQLite connection has one: a unit of work runs its whole body there and calls SQLite
/// in place, blocking only that thread (see `SQLiteHandle`). (The RADIUS authentication port,
/// which needs the same, runs its tasks on its own event loop instead: `EventLoopTaskExecutor`.)
public final class ThreadExecutor: TaskExecutor, @unchecked Sendable {
    // Guards `queue` and `stopping`; the thread sleeps on it while there is nothing to run.
    private let condition = NSCondition()
    private var queue: [UnownedJob] = []
    private var stopping = false
    /// Set once the thread has ended: a job that comes later runs on the shared pool instead.
    private var ended = false
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

    /// Runs `job` on this thread after the jobs before it. After the thread has ended (a task
    /// that still preferred it, resumed late by a timeout), the job runs on a shared thread
    /// rather than never: whatever it then calls on a closed resource fails, and says so.
    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        guard !ended else {
            condition.unlock()
            let executor = asUnownedTaskExecutor()
            DispatchQueue.global().async { job.runSynchronously(on: executor) }
            return
        }
        queue.append(job)
        condition.signal()
        condition.unlock()
    }

    /// Lets the thread finish the jobs it has, then end; returns once it has. Called on the
    /// thread itself, it returns at once (waiting there would wait forever).
    /// Only the first call waits; later ones return at once.
    public func stop() {
        condition.lock()
        let first = !stopping
        stopping = true
        condition.signal()
        condition.unlock()
        guard first, Thread.current !== thread else { return }
        finished.wait()
    }

    private func runLoop() {
        let executor = asUnownedTaskExecutor()
        while true {
            condition.lock()
            while queue.isEmpty, !stopping { condition.wait() }
            if queue.isEmpty, stopping {
                ended = true
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
