import NIOCore
import Synchronization

/// Runs the tasks that prefer it on one NIO event loop, the loop that also reads and writes a
/// channel's datagrams: a request is read, answered and its reply written on that one thread,
/// with no hand-over to another thread and back.
///
/// Once ``close()`` has been called, jobs run on the shared pool instead: a job handed to an
/// event loop that has shut down would be dropped, and its task would never resume.
final class EventLoopTaskExecutor: TaskExecutor, Sendable {
    private let loop: any EventLoop
    private let open = Mutex(true)

    init(_ loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let queued = open.withLock { open in
            // Under the lock, so that close() cannot slip between the check and the hand-over.
            if open { loop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) } }
            return open
        }
        if !queued { globalConcurrentExecutor.enqueue(job) }
    }

    /// Sends every later job to the shared pool; call before shutting the loop down.
    func close() {
        open.withLock { $0 = false }
    }
}
