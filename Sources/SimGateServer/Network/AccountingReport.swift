import Foundation
import SimGateCore
import SimGateRADIUS
import SimGateStore

/// What an Accounting-Request says, read from its attributes.
struct AccountingReport: Sendable {
    /// Acct-Status-Type (Start, Stop, Interim-Update, Accounting-On/-Off); nil if absent or unknown.
    let status: AccountingStatusType?
    /// Acct-Status-Type as sent, for the log when it is not one SimGate records.
    let statusValue: UInt32?
    /// The gateway the session belongs to: NAS-IP-Address, else NAS-Identifier, else the client's name.
    let nas: String
    /// Where the gateway takes Disconnect-Requests: NAS-IP-Address, else the datagram's source.
    let clientAddress: String
    /// Acct-Session-Id; nil if the gateway sent none (a session report without one is not stored).
    let sessionID: String?
    /// The User-Name the session was opened with, named again in a Disconnect-Request.
    let userName: String?
    /// The address the gateway gave the device (Framed-IP-Address), if it said.
    let framedIPAddress: String?
    /// Event-Timestamp: when the gateway says the reported event happened (Unix seconds).
    let eventTimestamp: UInt32?
    /// Acct-Session-Time: how long the session had run at this report, in seconds.
    let sessionTime: UInt32?
    /// Acct-Delay-Time: how long the gateway had held the report before this send, in seconds.
    let delayTime: UInt32?
    /// Cumulative totals for the session, gigawords included.
    let inputBytes: UInt64
    /// Bytes sent to the device so far (Acct-Output-Octets with -Gigawords).
    let outputBytes: UInt64
    /// From 3GPP-SGSN-MCC-MNC, else 3GPP-User-Location-Info.
    let network: ServingNetwork?
    /// Radio access technology from 3GPP-RAT-Type (`EUTRAN`, `NR`, ...); nil if not sent.
    let rat: String?
    /// The device, from 3GPP-IMEISV; nil if absent or unreadable.
    let imei: IMEI?
    /// The IMSI the SIM is named by (nearly always a 3GPP-IMSI; else User-Name read as one).
    /// Nil when the report names none, and when its 3GPP-IMSI cannot be read: then no other
    /// way is tried either (see ``RADIUSSimLookup``).
    let imsi: IMSI?
    /// The other ways the report names its SIM (User-Name as an MSISDN or an ICCID), tried in
    /// order when no SIM has ``imsi``; empty when the report carries a 3GPP-IMSI or a malformed
    /// 3GPP attribute, or no User-Name.
    let otherSimFilters: [SimFilter]
    /// Whether text this report stores or looks up by holds a NUL octet: the NAS-Identifier
    /// that names the gateway, and for a session report its Acct-Session-Id.
    /// PostgreSQL stores no NUL in text: such a report failed its whole batch, was never
    /// answered, and its gateway sent it again for ever, each copy failing another batch. It is
    /// refused on both engines alike (answered, not stored). An Accounting-On or -Off is judged
    /// by its gateway's name alone, the one text it is acted on by.
    let hasNULInText: Bool

    /// Reads `packet` from `client`; `sourceIP` is the address the datagram came from.
    init(_ packet: RADIUSPacket, client: RADIUSClient, sourceIP: String) {
        statusValue = packet.attribute(RADIUSAttributeType.acctStatusType)?.integerValue
        status = statusValue.flatMap(AccountingStatusType.init(rawValue:))
        // The NAS-Identifier, where it names the gateway (read for nothing else).
        var nasIdentifier: String?
        if let address = packet.attribute(RADIUSAttributeType.nasIPAddress)?.ipv4AddressText {
            nas = address
            clientAddress = address
        } else {
            // Read even when it is not UTF-8, as Latin-1, one character a byte, so that no two
            // names read alike: taken for absent, an Accounting-On of `pgw-münchen` fell back
            // to the client's address and stopped the sessions of the gateway named by that
            // address. Empty names none.
            nasIdentifier = packet.attribute(RADIUSAttributeType.nasIdentifier).flatMap { attribute in
                attribute.textValue ?? String(String.UnicodeScalarView(attribute.value.map(Unicode.Scalar.init)))
            }.flatMap { $0.isEmpty ? nil : $0 }
            nas = nasIdentifier ?? client.name
            clientAddress = sourceIP
        }
        // An empty Acct-Session-Id names no session: read as one, it joined every report of
        // its gateway that sent one into a single session, whatever their SIMs.
        let sessionIDText = packet.attribute(RADIUSAttributeType.acctSessionID)?.textValue
        sessionID = sessionIDText.flatMap { $0.isEmpty ? nil : $0 }
        // Kept only to be sent back in a Disconnect-Request, and so only as RFC 2865 text can
        // be: 1 to 253 octets, here without NUL. An empty one went back as a zero-length
        // attribute a strict gateway drops; one ending in a C string's NUL refused the whole
        // report. Without it, the Disconnect-Request names the SIM by its IMSI.
        userName = packet.attribute(RADIUSAttributeType.userName)?.textValue.flatMap { $0.isEmpty || $0.utf8.contains(0) ? nil : $0 }
        // On the strings already read, which every report makes: no copy of the octets.
        let isGatewayReport = status == .accountingOn || status == .accountingOff
        hasNULInText = (nasIdentifier?.utf8.contains(0) ?? false) || !isGatewayReport && (sessionIDText?.utf8.contains(0) ?? false)
        framedIPAddress = packet.attribute(RADIUSAttributeType.framedIPAddress)?.ipv4AddressText
        eventTimestamp = packet.attribute(RADIUSAttributeType.eventTimestamp)?.integerValue
        sessionTime = packet.attribute(RADIUSAttributeType.acctSessionTime)?.integerValue
        delayTime = packet.attribute(RADIUSAttributeType.acctDelayTime)?.integerValue
        func total(_ octets: UInt8, _ gigawords: UInt8) -> UInt64 {
            SessionCounters.total(octets: packet.attribute(octets)?.integerValue ?? 0, gigawords: packet.attribute(gigawords)?.integerValue ?? 0)
        }
        inputBytes = total(RADIUSAttributeType.acctInputOctets, RADIUSAttributeType.acctInputGigawords)
        outputBytes = total(RADIUSAttributeType.acctOutputOctets, RADIUSAttributeType.acctOutputGigawords)
        func threeGPP(_ type: UInt8) -> RADIUSAttribute? { packet.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: type) }
        network = threeGPP(ThreeGPPAttribute.sgsnMCCMNC)?.textValue.flatMap { ServingNetwork(mccMNC: $0) }
            ?? threeGPP(ThreeGPPAttribute.userLocationInfo).flatMap { ServingNetwork(userLocationInfo: $0.value) }
        rat = threeGPP(ThreeGPPAttribute.ratType).flatMap { $0.valueCount == 1 ? $0.firstOctet.flatMap(RadioAccessTechnology.name(forRATType:)) : nil }
        imei = threeGPP(ThreeGPPAttribute.imeisv)?.textValue.flatMap { try? IMEI(fromNetwork: $0) }
        (imsi, otherSimFilters) = RADIUSSimLookup.names(for: packet)
    }

    /// The session the report is about; nil without an Acct-Session-Id.
    var sessionKey: SessionKey? { sessionID.map { SessionKey(nas: nas, sessionID: $0) } }

    /// A session's byte total is stored as a signed 64-bit integer, like every byte count: a
    /// report past that (only a broken or hostile gateway sends 2^63 bytes) stores nothing.
    var countersFit: Bool { inputBytes <= UInt64(Int64.max) && outputBytes <= UInt64(Int64.max) }

    /// When the reported event happened: the gateway's Event-Timestamp when it is plausible
    /// (after 2000, at most a day ahead of `arrival`), else the arrival less Acct-Delay-Time
    /// (how long the gateway held the report, by its own count), else the arrival time. Not
    /// cut to the arrival: a gateway's clock a few seconds ahead then dated a Start sent again
    /// seconds after the first at its own arrival, and it was taken for a new session.
    func eventTime(arrival: Date) -> Date {
        if let time = gatewayTime(arrival: arrival) { return time }
        guard let delayTime else { return arrival }
        let time = arrival.addingTimeInterval(-TimeInterval(delayTime))
        return UsageTimeBounds.isPlausible(time, now: arrival) ? time : arrival
    }

    /// The report's Event-Timestamp when it is plausible (after 2000, at most a day ahead of
    /// `arrival`): its time by the gateway's clock, which ``eventTime(arrival:)`` prefers.
    func gatewayTime(arrival: Date) -> Date? {
        guard let eventTimestamp else { return nil }
        let time = Date(timeIntervalSince1970: TimeInterval(eventTimestamp))
        return UsageTimeBounds.isPlausible(time, now: arrival) ? time : nil
    }

    /// When the report was made by SimGate's clock: its arrival less Acct-Delay-Time (the
    /// gateway's own count of how long it held the report, whatever its clock says), when that
    /// is at most ``maximumLag``; else its arrival.
    func madeAt(arrival: Date) -> Date {
        arrival.addingTimeInterval(-(heldFor ?? 0))
    }

    /// When the usage this report adds was used up to, never later than its arrival. A gateway
    /// that held its reports through an outage sends them days later, and their bytes belong
    /// to the day and month they were used in, not the ones they came in. Arrival less
    /// Acct-Delay-Time first, which the gateway counts on its own timer, whatever its clock
    /// says; else Event-Timestamp, within ``maximumLag`` of arrival (a gateway whose clock
    /// booted into 2020 would have billed its usage there); else the arrival.
    func usageTime(arrival: Date) -> Date {
        if heldFor != nil { return madeAt(arrival: arrival) }
        if let eventTimestamp {
            let time = Date(timeIntervalSince1970: TimeInterval(eventTimestamp))
            if time <= arrival, arrival.timeIntervalSince(time) <= Self.maximumLag { return time }
        }
        return arrival
    }

    /// How long ago a report may date its usage, in seconds: 31 days.
    static let maximumLag: TimeInterval = 31 * 86_400

    /// When the session began, as far as this report tells: a Start's event time, or for a
    /// later report its event time less Acct-Session-Time. A new session's row is stamped with
    /// it, so it always gives a time: the report's event time when nothing better is known.
    func sessionStart(arrival: Date) -> Date {
        knownSessionStart(arrival: arrival) ?? eventTime(arrival: arrival)
    }

    /// When the session began, if this report can tell: a Start is sent as its session begins;
    /// a later report tells only with Acct-Session-Time, since its Event-Timestamp is the
    /// report's own time, not the session's start.
    func knownSessionStart(arrival: Date) -> Date? {
        let time = eventTime(arrival: arrival)
        if status == .start { return time }
        guard let sessionTime else { return nil }
        let start = time.addingTimeInterval(-TimeInterval(sessionTime))
        return UsageTimeBounds.isPlausible(start, now: arrival) ? start : nil
    }

    /// When a later report's session began by each clock it gives: the gateway's
    /// (Event-Timestamp less Acct-Session-Time) and SimGate's (arrival less Acct-Delay-Time
    /// less Acct-Session-Time). Nil for a Start, and without both attributes. A session's
    /// stored start may come from either clock (a Start without Event-Timestamp is dated by
    /// its arrival), so a report is judged older or newer than it only where both agree.
    func sessionStartByBothClocks(arrival: Date) -> (gateway: Date, arrival: Date)? {
        guard status != .start, let eventTimestamp, let sessionTime else { return nil }
        let held = heldFor ?? 0
        return (Date(timeIntervalSince1970: TimeInterval(eventTimestamp) - TimeInterval(sessionTime)),
                arrival.addingTimeInterval(-held - TimeInterval(sessionTime)))
    }

    /// Whether the report was made before `limit` by every clock that tells: its
    /// Event-Timestamp, and its arrival less Acct-Delay-Time (the arrival itself beside an
    /// Event-Timestamp). False when neither tells (no Event-Timestamp, Acct-Delay-Time absent
    /// or 0): an undated report was made when it arrived, as far as SimGate knows. Checked for
    /// nearly every report, so without building a list.
    /// An Acct-Delay-Time past ``maximumLag`` tells nothing (``heldFor``): read as
    /// 31 days, a gateway sending 2^32 - 1 on every report had each report after its Start (dated
    /// by its arrival) taken for an older session's, and the session counted nothing.
    func wasMade(before limit: Date, arrival: Date) -> Bool {
        let held = heldFor ?? 0
        guard eventTimestamp != nil || held > 0 else { return false }
        if let eventTimestamp, !(Date(timeIntervalSince1970: TimeInterval(eventTimestamp)) < limit) { return false }
        return arrival.addingTimeInterval(-held) < limit
    }

    /// How long the gateway says it held the report (Acct-Delay-Time), when that is at most
    /// ``maximumLag``.
    private var heldFor: TimeInterval? {
        guard let delayTime, TimeInterval(delayTime) <= Self.maximumLag else { return nil }
        return TimeInterval(delayTime)
    }

    /// Whether the report says when it was made by the gateway's own account: an
    /// Event-Timestamp, or an Acct-Delay-Time a gateway raises as it resends. Without either,
    /// its time is only when it arrived.
    var isDated: Bool { eventTimestamp != nil || (delayTime ?? 0) > 0 }
}
