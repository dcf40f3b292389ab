import Foundation
import SimGateCore

/// A SIM's API JSON written out directly, byte for byte what ``APIJSON`` writes for a
/// ``SimResource`` (sorted keys, RFC 3339 times, nulls kept), for the SIMs events snapshot by
/// the thousand: an import of a million SIMs spent a third of its time in `JSONEncoder`.
///
/// SIMs with fractional numbers in their billing, or keys beyond ASCII, go through
/// `JSONEncoder` as before; a test holds the two to the same bytes. API responses with SIMs
/// are written here too
/// (``APIResponse/init(sim:status:)``, ``APIResponse/init(sims:status:)``).
enum SimSnapshotJSON {
    /// The JSON text of `resource`.
    static func text(of resource: SimResource) throws -> String {
        var out = JSONText()
        try write(resource, into: &out)
        return out.text
    }

    /// Appends the JSON of `resource` to `out`.
    static func write(_ resource: SimResource, into out: inout JSONText) throws {
        guard resource.billing.map(JSONText.writesDirectly) ?? true, resource.metadata.keys.allSatisfy({ $0.utf8.allSatisfy { $0 < 0x80 } })
        else { return out.json(try APIJSON.encodeToString(resource)) }
        out.raw("{\"account\":"); out.string(resource.account)
        if let billing = resource.billing {
            // Only when one SIM is read; left out (not null) otherwise, as the encoder does.
            out.raw(",\"billing\":"); out.value(billing)
        }
        out.raw(",\"bundle\":")
        out.object(resource.bundle) { out, bundle in
            out.raw("\"overshoot_bytes\":"); out.unsigned(bundle.overshootBytes)
            out.raw(",\"remaining_bytes\":"); out.unsigned(bundle.remainingBytes)
            out.raw(",\"size_bytes\":"); out.unsigned(bundle.sizeBytes)
            out.raw(",\"used_bytes\":"); out.unsigned(bundle.usedBytes)
        }
        out.raw(",\"created_at\":"); out.time(resource.createdAt)
        out.raw(",\"eid\":"); out.string(resource.eid)
        out.raw(",\"first_use_at\":"); out.time(resource.firstUseAt)
        out.raw(",\"holds\":[")
        for (index, hold) in resource.holds.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"cause\":"); out.string(hold.cause)
            out.raw(",\"placed_at\":"); out.time(hold.placedAt)
            out.raw(",\"placed_by\":"); out.cause(hold.placedBy)
            out.raw("}")
        }
        out.raw("],\"iccid\":"); out.string(resource.iccid)
        out.raw(",\"id\":"); out.string(resource.id)
        out.raw(",\"imei\":"); out.string(resource.imei)
        out.raw(",\"imsi\":"); out.string(resource.imsi)
        out.raw(",\"labels\":[")
        for (index, label) in resource.labels.enumerated() {
            if index > 0 { out.raw(",") }
            out.string(label)
        }
        out.raw("],\"last_seen\":")
        out.object(resource.lastSeen) { out, seen in
            out.raw("\"country\":"); out.string(seen.country)
            out.raw(",\"imei\":"); out.string(seen.imei)
            out.raw(",\"mcc_mnc\":"); out.string(seen.mccMNC)
            out.raw(",\"since\":"); out.time(seen.since)
        }
        out.raw(",\"metadata\":{")
        for (index, key) in resource.metadata.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
            if index > 0 { out.raw(",") }
            out.string(key)
            out.raw(":")
            out.string(resource.metadata[key])
        }
        out.raw("},\"msisdn\":"); out.string(resource.msisdn)
        out.raw(",\"object\":"); out.string(resource.object)
        out.raw(",\"serial_number\":"); out.string(resource.serialNumber)
        out.raw(",\"shutdown_at\":"); out.time(resource.shutdownAt)
        out.raw(",\"shutdown_threshold_hours\":"); out.integer(resource.shutdownThresholdHours)
        out.raw(",\"status\":"); out.string(resource.status)
        out.raw(",\"status_cause\":"); out.cause(resource.statusCause)
        out.raw(",\"status_changed_at\":"); out.time(resource.statusChangedAt)
        out.raw(",\"tariff_number\":"); out.integer(resource.tariffNumber)
        out.raw(",\"updated_at\":"); out.time(resource.updatedAt)
        out.raw("}")
    }
}

/// JSON text built up piece by piece, escaped the way `JSONEncoder` escapes.
struct JSONText {
    private var bytes: [UInt8] = []

    init(capacity: Int = 640) { bytes.reserveCapacity(capacity) }

    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// The text as bytes, for a response body.
    var data: Data { Data(bytes) }

    /// Appends JSON text already written.
    mutating func json(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    mutating func boolean(_ value: Bool) {
        value ? raw("true") : raw("false")
    }

    mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String?) {
        guard let value else { return raw("null") }
        bytes.append(UInt8(ascii: "\""))
        // Most strings (ids, digits, times, statuses) need no escape: those are copied whole,
        // which is many times faster than byte by byte.
        if value.utf8.allSatisfy({ $0 >= 0x20 && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
            bytes.append(contentsOf: value.utf8)
            bytes.append(UInt8(ascii: "\""))
            return
        }
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0a: raw("\\n")
            case 0x0d: raw("\\r")
            case 0x09: raw("\\t")
            case 0x08: raw("\\b")
            case 0x0c: raw("\\f")
            case 0..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                raw("\\u00")
                bytes.append(digits[Int(byte >> 4)])
                bytes.append(digits[Int(byte & 0x0f)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    mutating func integer(_ value: Int?) {
        guard let value else { return raw("null") }
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Whether ``value(_:)`` writes `value` as `JSONEncoder` would: not when it holds a
    /// fractional number (the encoder's own formatting) or an object key beyond ASCII (whose
    /// sorted order would need the encoder's comparison).
    static func writesDirectly(_ value: JSONValue) -> Bool {
        switch value {
        case .null, .bool, .integer, .string: true
        case .number: false
        case .array(let items): items.allSatisfy(writesDirectly)
        case .object(let members): members.allSatisfy { key, member in key.utf8.allSatisfy { $0 < 0x80 } && writesDirectly(member) }
        }
    }

    /// Appends `value`, object keys sorted; see ``writesDirectly(_:)`` for what it covers.
    mutating func value(_ value: JSONValue) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): boolean(flag)
        case .integer(let number): bytes.append(contentsOf: String(number).utf8)
        // Not reached from a SIM: `writesDirectly` sends those through the encoder.
        case .number(let number): bytes.append(contentsOf: String(number).utf8)
        case .string(let text): string(text)
        case .array(let items):
            raw("[")
            for (index, item) in items.enumerated() {
                if index > 0 { raw(",") }
                self.value(item)
            }
            raw("]")
        case .object(let members):
            raw("{")
            for (index, key) in members.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }).enumerated() {
                if index > 0 { raw(",") }
                string(key)
                raw(":")
                self.value(members[key]!)
            }
            raw("}")
        }
    }

    /// `value`'s members, written by `members`, between braces; `null` when there is none.
    mutating func object<Value>(_ value: Value?, _ members: (inout JSONText, Value) -> Void) {
        guard let value else { return raw("null") }
        raw("{")
        members(&self, value)
        raw("}")
    }

    mutating func unsigned(_ value: UInt64) {
        bytes.append(contentsOf: String(value).utf8)
    }

    mutating func time(_ value: Date?) {
        guard let value else { return raw("null") }
        string(RFC3339.string(from: value))
    }

    /// A ``CauseResource``: an absent id or reason is left out, as `JSONEncoder` leaves it.
    mutating func cause(_ cause: CauseResource) {
        raw("{\"actor\":{")
        if let id = cause.actor.id {
            raw("\"id\":"); string(id); raw(",")
        }
        raw("\"type\":"); string(cause.actor.type)
        raw("}")
        if let reason = cause.reason {
            raw(",\"reason\":"); string(reason)
        }
        raw("}")
    }
}
