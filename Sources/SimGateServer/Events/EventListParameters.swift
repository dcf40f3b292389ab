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
        // Stored times are whole milliseconds: each bound becomes the inclusive one on a whole
        // millisecond, rounded inwards, and an exclusive one a millisecond further in.
        let from = [
            try query.milliseconds("created[gte]", rounding: .up),
            try query.milliseconds("created[gt]", rounding: .down).map { $0 == .max ? $0 : $0 + 1 },
        ].compactMap { $0 }.max()
        let to = [
            try query.milliseconds("created[lte]", rounding: .down),
            try query.milliseconds("created[lt]", rounding: .up).map { $0 == .min ? $0 : $0 - 1 },
        ].compactMap { $0 }.min()
        return EventFilter(types: types, createdFrom: from.map(Date.init(epochMilliseconds:)), createdTo: to.map(Date.init(epochMilliseconds:)))
    }
}
