import SimGateCore
import SimGateStore

/// Reads the event log; events are written by the features whose changes they record.
struct EventService: Sendable {
    /// Where the event log is read from.
    let store: Store

    /// The event with this id, if `visibleAccountID` (when given) may see it.
    func find(_ id: EventID, visibleAccountID: AccountID?) async throws -> Event {
        guard let event = try await store.read({ tx in try await tx.events.find(id, accountID: visibleAccountID) }) else {
            throw DomainError.notFound("event")
        }
        return event
    }

    /// One page of the events `filter` selects, newest first.
    func list(_ filter: EventFilter, _ page: PageRequest) async throws -> Page<Event> {
        try await store.read { tx in try await tx.events.list(filter, page) }
    }
}
