import NIOCore
import NIOPosix
@testable import SimGateRADIUS
import Testing

@Suite("Tasks run on a port's own event loop")
struct EventLoopTaskExecutorTests {
    @Test("a task preferring the executor runs on its event loop, across suspensions and in its child tasks")
    func runsOnTheLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        let placements = await withTaskExecutorPreference(executor) { () async -> [Bool] in
            var placements = [loop.inEventLoop]
            await Task.yield()
            placements.append(loop.inEventLoop)
            placements.append(await withTaskGroup(of: Bool.self) { children in
                children.addTask { loop.inEventLoop }
                return await children.next() ?? false
            })
            return placements
        }
        #expect(placements == [true, true, true])
        executor.close()
        try await group.shutdownGracefully()
    }

    @Test("once closed and its loop shut down, a task that still prefers the executor runs on the shared pool instead of never")
    func closedFallsBackToTheSharedPool() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let executor = EventLoopTaskExecutor(loop)
        executor.close()
        try await group.shutdownGracefully()
        // Handed to the shut-down loop, these jobs would be dropped and the test would hang.
        let sum = await withTaskExecutorPreference(executor) { () async -> Int in
            await Task.yield()
            return await withTaskGroup(of: Int.self) { children in
                for value in 1...3 { children.addTask { value } }
                return await children.reduce(0, +)
            }
        }
        #expect(sum == 6)
    }
}
