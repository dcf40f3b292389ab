import Foundation
import Logging
import ServiceLifecycle
import SimGateCore
import SimGateStore
import Synchronization

/// The Service that sends webhook deliveries: claims due ones from the outbox, sends each
/// signed, and records the attempt, the retry, or the endpoint's disabling.
///
/// Attempts run side by side, up to ``WebhookSettings/maximumInFlight`` on this instance and
/// each endpoint's own concurrency across instances, so a slow or dead endpoint holds up
/// nobody else: the loop goes on claiming while its attempts wait out their timeout.
public final class WebhookDispatcher: Service, Sendable {
    private let outbox: WebhookOutbox
    private let sender: WebhookSender
    private let box: SecretBox
    private let settings: WebhookSettings
    private let clock: any WallClock
    private let ids: IdentifierGenerator
    private let logger: Logger
    private let metrics: WebhookMetrics?
    private let startup: StartupSignal?
    private let doorbell = Doorbell()
    private let inFlight = Mutex(0)
    /// Attempts that ended and wait to be recorded; one task at a time records them all.
    private let unrecorded = Mutex<(outcomes: [(outcome: AttemptOutcome, claimed: ClaimedDelivery)], recording: Bool)>(([], false))
    /// Deliveries claimed while recording (in the same unit of work), for the loop to start;
    /// `nil` when no loop runs (``deliverDue()`` claims for itself).
    private let handoff = Mutex<[ClaimedDelivery]?>(nil)
    /// Deliveries claimed by this instance whose attempt is not recorded yet: the heartbeat
    /// keeps their claims alive.
    private let held = Mutex<Set<WebhookDeliveryID>>([])
    /// Identifies this instance in the `locked_by` column.
    private let workerID = "webhooks:\(ProcessInfo.processInfo.processIdentifier):\(UUID().uuidString.prefix(8))"
    /// Each attempt as it is recorded, for whoever wants to await deliveries (tests, benchmarks);
    /// the newest 10,000 wait for a reader that is behind.
    public let attempts: AsyncStream<WebhookAttempt>
    private let attemptsContinuation: AsyncStream<WebhookAttempt>.Continuation
    /// Each heartbeat that had claims to renew: how many were still this instance's, and until
    /// when (the newest 10 wait for a reader that is behind).
    public let renewedClaims: AsyncStream<(renewed: Int, until: Date)>
    private let renewedContinuation: AsyncStream<(renewed: Int, until: Date)>.Continuation

    /// A dispatcher for `store`'s outbox that opens secrets with `box`, may reach the `allowed` private networks, and waits for `startup` before sending.
    init(store: Store, box: SecretBox, settings: WebhookSettings, allowed: [IPNetwork], clock: any WallClock, ids: IdentifierGenerator, logger: Logger, startup: StartupSignal?, metrics: WebhookMetrics? = nil) {
        outbox = store.webhookOutbox
        sender = WebhookSender(guardian: WebhookTargetGuard(allowed: allowed), timeout: settings.timeout)
        self.box = box
        self.settings = settings
        self.clock = clock
        self.ids = ids
        self.logger = logger
        self.startup = startup
        self.metrics = metrics
        (attempts, attemptsContinuation) = AsyncStream.makeStream(of: WebhookAttempt.self, bufferingPolicy: .bufferingNewest(10_000))
        (renewedClaims, renewedContinuation) = AsyncStream.makeStream(of: (renewed: Int, until: Date).self, bufferingPolicy: .bufferingNewest(10))
    }

    /// Tells the dispatcher that deliveries were queued (or fell due), so it looks at once.
    public func wake() { doorbell.ring() }

    /// The service loop: claims what is due while there is room, and otherwise waits for the
    /// doorbell, an attempt to end, the next due time or the poll interval.
    public func run() async throws {
        if let startup { _ = await cancelWhenGracefulShutdown { await startup.wait() } }
        handoff.withLock { $0 = [] }
        // Renews this instance's claims while their attempts run, so a claim can be short
        // and an instance that dies gives its deliveries up within one lease.
        let heartbeat = Task { [self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: settings.claimHeartbeat)
                if Task.isCancelled { break }
                let ids = Array(held.withLock { $0 })
                guard !ids.isEmpty else { continue }
                do {
                    let until = clock.now() + Self.lease
                    renewedContinuation.yield((try await outbox.renew(ids, worker: workerID, until: until), until))
                } catch {
                    logger.warning("Could not renew webhook delivery claims", metadata: ["deliveries": "\(ids.count)", "error": "\(StoreError.describing(error))"])
                }
            }
        }
        defer { heartbeat.cancel() }
        await withDiscardingTaskGroup { group in
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                // What the recorder claimed is counted in flight already.
                for delivery in handoff.withLock({ handed in defer { handed = [] }; return handed ?? [] }) {
                    group.addTask { await self.attempt(delivery) }
                }
                let busy = inFlight.withLock { $0 }
                let room = settings.maximumInFlight - busy
                var claimed: [ClaimedDelivery] = []
                // Claims are write transactions: with attempts in flight, wait until a quarter
                // of the room is free rather than claim for every attempt that ends.
                if room > 0, busy == 0 || room >= max(1, settings.maximumInFlight / 4) {
                    do {
                        claimed = try await outbox.claim(limit: room, perAccount: settings.maximumInFlightPerAccount, worker: workerID, now: clock.now(), lease: Self.lease)
                    } catch {
                        if Task.isCancelled || Task.isShuttingDownGracefully { break }
                        logger.error("Could not claim webhook deliveries", metadata: ["error": "\(StoreError.describing(error))"])
                    }
                }
                inFlight.withLock { $0 += claimed.count }
                for delivery in claimed { group.addTask { await self.attempt(delivery) } }
                if claimed.isEmpty {
                    let wait = busy > 0 ? Duration.milliseconds(Int64(settings.pollInterval * 1_000)) : await untilNextDue()
                    _ = await cancelWhenGracefulShutdown { await self.doorbell.wait(upTo: wait) }
                }
            }
            // Stopping: the attempts under way finish, but nothing more is claimed, and what
            // the recorder claimed for the loop is given back. The recorder went on claiming
            // while the attempts drained, and a graceful stop left dozens of deliveries claimed
            // and never sent, each counted as an attempt lost once its lease ran out.
            let unstarted = handoff.withLock { handed in defer { handed = nil }; return handed ?? [] }
            inFlight.withLock { $0 -= unstarted.count }
            do {
                try await outbox.release(unstarted.map(\.delivery.id), worker: workerID, now: clock.now())
            } catch {
                logger.warning("Could not give back webhook delivery claims", metadata: ["deliveries": "\(unstarted.count)", "error": "\(StoreError.describing(error))"])
            }
        }
        await sender.shutdown()
    }

    /// One attempt in the loop, counted in flight until it ends.
    private func attempt(_ delivery: ClaimedDelivery) async {
        await deliver(delivery)
        inFlight.withLock { $0 -= 1 }
        doorbell.ring()
    }

    /// Claims every due delivery and sends them side by side, until none is due; returns how
    /// many attempts were made. For tests that step time, and for one-off runs.
    @discardableResult
    public func deliverDue() async throws -> Int {
        var made = 0
        for _ in 0..<1_000 {
            let claimed = try await outbox.claim(limit: settings.maximumInFlight, perAccount: settings.maximumInFlightPerAccount, worker: workerID, now: clock.now(), lease: unrenewedLease)
            if claimed.isEmpty { return made }
            await withDiscardingTaskGroup { group in
                for delivery in claimed { group.addTask { await self.deliver(delivery) } }
            }
            made += claimed.count
        }
        return made
    }

    /// Closes the sender's connections (for an app that ran ``deliverDue()`` by hand).
    public func shutdown() async { await sender.shutdown() }

    /// How long a claim lasts unless renewed. The service loop's heartbeat renews the claims
    /// of attempts still running, so a live attempt is not taken over however slow its
    /// endpoint, and a dead instance's claims are free again within this long.
    public static let lease: TimeInterval = 5
    /// How often the service loop renews its claims: three times a lease.
    static let heartbeat = Duration.milliseconds(1_500)
    /// ``deliverDue()`` runs without a heartbeat, so its claims last past the attempt's own timeout.
    private var unrenewedLease: TimeInterval { settings.timeout * 3 + 30 }

    private func untilNextDue() async -> Duration {
        let poll = Duration.milliseconds(Int64(settings.pollInterval * 1_000))
        guard let next = try? await outbox.nextDue() else { return poll }
        let milliseconds = max(10, Int64((next.timeIntervalSince(clock.now()) * 1_000).rounded(.up)))
        return min(poll, .milliseconds(milliseconds))
    }

    /// One attempt: sign, send, judge the answer, record it.
    private func deliver(_ claimed: ClaimedDelivery) async {
        let delivery = claimed.delivery, endpoint = claimed.endpoint
        held.withLock { _ = $0.insert(delivery.id) }
        let started = clock.now()
        let timer = ContinuousClock.now
        var status: Int?
        var excerpt: String?
        var failure: String?
        var retryAfter: TimeInterval?
        do {
            let timestamp = Int64(started.timeIntervalSince1970.rounded(.down))
            let body = Data(delivery.payload.utf8)
            let secrets = try endpoint.secrets.signing(at: started).map(box.open)
            let headers = [
                ("content-type", "application/json"), ("user-agent", "SimGate-Webhooks/1"),
                ("webhook-id", delivery.messageID), ("webhook-timestamp", String(timestamp)),
                // One signature per secret in force: two while a rolled secret overlaps.
                ("webhook-signature", secrets.compactMap {
                    StandardWebhookSignature.sign(id: delivery.messageID, timestamp: String(timestamp), body: body, secret: $0)
                }.joined(separator: " ")),
            ]
            let answer = try await sender.post(url: endpoint.url, headers: headers, body: body, now: clock.now)
            status = answer.status
            excerpt = answer.excerpt.isEmpty ? nil : answer.excerpt
            retryAfter = answer.retryAfter
            if !(200...299).contains(answer.status) { failure = "The endpoint answered \(answer.status)." }
        } catch {
            failure = String(describing: error).prefix(500).description
        }
        let elapsed = ContinuousClock.now - timer
        metrics?.attempt(failure == nil ? "succeeded" : status == nil ? "error" : "failed",
                         seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
        let now = clock.now()
        let attempt = WebhookAttempt(
            id: ids.make(), deliveryID: delivery.id, endpointID: endpoint.id, attemptedAt: started, statusCode: status,
            latencyMilliseconds: elapsed.components.seconds * 1_000 + elapsed.components.attoseconds / 1_000_000_000_000_000,
            responseExcerpt: excerpt, error: failure
        )
        let succeeded = failure == nil
        var disableReason: String?
        var retryAt: Date?
        if !succeeded {
            if status == 410 {
                disableReason = "The endpoint answered 410 Gone."
            } else {
                retryAt = settings.retry.nextAttempt(after: delivery.attempts, at: now, retryAfter: retryAfter, jitter: Double.random(in: 0...1))
                let failingSince = endpoint.failingSince ?? started
                if now.timeIntervalSince(failingSince) >= settings.retry.disableAfter {
                    disableReason = "Every attempt failed for \(Int(settings.retry.disableAfter / 86_400)) days."
                    retryAt = nil
                }
            }
        }
        await record(AttemptOutcome(attempt: attempt, succeeded: succeeded, retryAt: retryAt, disableReason: disableReason), of: claimed)
    }

    /// Records an attempt's outcome. Outcomes that end together are recorded together, in one
    /// unit of work: the first attempt to find nobody recording records everything waiting,
    /// until nothing is, while the others go. If recording fails, the claims' leases run out
    /// and the deliveries are tried again: nothing is lost (a receiver may see one twice,
    /// with the same `webhook-id`).
    private func record(_ outcome: AttemptOutcome, of claimed: ClaimedDelivery) async {
        let leads = unrecorded.withLock { state -> Bool in
            state.outcomes.append((outcome, claimed))
            if state.recording { return false }
            state.recording = true
            return true
        }
        guard leads else { return }
        let ids = self.ids
        while true {
            let batch = unrecorded.withLock { state -> [(outcome: AttemptOutcome, claimed: ClaimedDelivery)] in
                defer { state.outcomes = [] }
                if state.outcomes.isEmpty { state.recording = false }
                return state.outcomes
            }
            if batch.isEmpty { return }
            let now = clock.now()
            // In the loop, what is due next is claimed in the same unit of work, up to the room
            // the loop will have once these attempts are off its count.
            let room = handoff.withLock { $0 } == nil ? 0 : max(0, settings.maximumInFlight - inFlight.withLock { $0 })
            do {
                let claimed = try await outbox.record(batch, worker: workerID, now: now, thenClaim: room, perAccount: settings.maximumInFlightPerAccount, lease: Self.lease) { disabled, tx in
                    let cause = ChangeCause(actor: ChangeActor(.system, id: "webhooks"), reason: disabled.disabledReason)
                    let event = try EventFactory(ids: ids).event(
                        .webhookEndpointDisabled, accountID: disabled.accountID, object: WebhookEndpointResource(disabled), cause: cause, at: now
                    )
                    try await tx.events.append([event])
                }
                if !claimed.isEmpty {
                    inFlight.withLock { $0 += claimed.count }
                    let kept = handoff.withLock { handed -> Bool in
                        guard handed != nil else { return false }
                        handed! += claimed
                        return true
                    }
                    // The loop stopped meanwhile: the claims are given back, to be sent later.
                    if !kept {
                        inFlight.withLock { $0 -= claimed.count }
                        do {
                            try await outbox.release(claimed.map(\.delivery.id), worker: workerID, now: clock.now())
                        } catch {
                            logger.warning("Could not give back webhook delivery claims", metadata: ["deliveries": "\(claimed.count)", "error": "\(StoreError.describing(error))"])
                        }
                    }
                }
            } catch {
                logger.error("Could not record webhook attempts", metadata: ["attempts": "\(batch.count)", "error": "\(StoreError.describing(error))"])
            }
            // Recorded, or left for its lease to run out: no longer renewed either way.
            held.withLock { held in for (_, claimed) in batch { held.remove(claimed.delivery.id) } }
            for (outcome, _) in batch { attemptsContinuation.yield(outcome.attempt) }
            // An ordered endpoint's next delivery may be claimed once this one is recorded.
            doorbell.ring()
        }
    }
}
