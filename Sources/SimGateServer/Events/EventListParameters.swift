import Foundation
import SimGateCore
import SimGateStore

/// The filters every event list takes: `type` (repeatable, or comma-separated) and `created`
/// bounds, inclusive (`gte`, `lte`) or exclusive (`gt`, `lt`).
enum EventListParameters {
    /// The query parameter names of those filters.
    static let filterNames: Set<String> = ["type", "created[gte]", "created[lte]", "created[gt]", "created[lt]"]

    /// The filter `query` asks for; an unknown type is a 400, not an empty list.
    static func filter(_ query: QueryParameters) throws -> EventFilter {
        let types = query.all("type").map(EventType.init(rawValue:))
        if let unknown = types.first(where: { !EventType.catalogue.contains($0) }) {
            throw APIError.invalid("invalid_type_filter", "'\(unknown)' is not an event type SimGate records.", param: "type")
        }
        // Stored times are whole milliseconds, so an exclusive bound is the inclusive one a
        // millisecond further in.
        let after = try query.date("created[gt]").map { Date(epochMilliseconds: $0.epochMilliseconds + 1) }
        let before = try query.date("created[lt]").map { Date(epochMilliseconds: $0.epochMilliseconds - 1) }
        let from = [try query.date("created[gte]"), after].compactMap { $0 }.max()
        let to = [try query.date("created[lte]"), before].compactMap { $0 }.min()
        return EventFilter(types: types, createdFrom: from, createdTo: to)
    }
}
