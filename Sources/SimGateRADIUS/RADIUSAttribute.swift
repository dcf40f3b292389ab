/// One attribute: a type octet and its value (the length octet is implied by the value).
///
/// A decoded packet's attributes all share the datagram's octets, each knowing where its value
/// lies: decoding an accounting report once copied each value out on its own, about twenty
/// allocations a report, and as many frees when it was answered.
public struct RADIUSAttribute: Sendable {
    /// The attribute's type number (see ``RADIUSAttributeType``).
    public let type: UInt8
    /// The octets the value lies in: its own, or the whole packet it was decoded from.
    let octets: [UInt8]
    /// Where in `octets` the value lies.
    private let range: Range<Int>

    /// An attribute from raw octets; nothing checks the value against the 253-octet limit.
    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        octets = value
        range = value.indices
    }

    /// An attribute whose value is `range` of `octets`, which it shares rather than copies.
    init(type: UInt8, sharing octets: [UInt8], range: Range<Int>) {
        self.type = type
        self.octets = octets
        self.range = range
    }

    /// At most 253 octets. A copy when the attribute was decoded; ``valueCount``,
    /// ``textValue``, ``integerValue`` and ``ipv4AddressText`` read it in place.
    public var value: [UInt8] { range == octets.indices ? octets : Array(octets[range]) }

    /// How many octets the value has.
    public var valueCount: Int { range.count }

    /// The value's first octet, if it has one.
    public var firstOctet: UInt8? { range.isEmpty ? nil : octets[range.lowerBound] }

    /// A text attribute (UTF-8).
    public static func text(_ type: UInt8, _ text: String) -> RADIUSAttribute {
        RADIUSAttribute(type: type, value: Array(text.utf8.prefix(253)))
    }

    /// A 32-bit integer attribute, big-endian.
    public static func integer(_ type: UInt8, _ value: UInt32) -> RADIUSAttribute {
        RADIUSAttribute(type: type, value: [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)])
    }

    /// A Vendor-Specific attribute holding one sub-attribute (RFC 2865 section 5.26 layout).
    public static func vendorSpecific(vendor: UInt32, type: UInt8, value: [UInt8]) -> RADIUSAttribute {
        let header: [UInt8] = [UInt8(vendor >> 24), UInt8(vendor >> 16 & 0xFF), UInt8(vendor >> 8 & 0xFF), UInt8(vendor & 0xFF), type, UInt8(value.count + 2)]
        return RADIUSAttribute(type: RADIUSAttributeType.vendorSpecific, value: header + value)
    }

    /// The value read as UTF-8 text, if it is.
    public var textValue: String? { String(validating: octets[range], as: UTF8.self) }

    /// The value read as a 32-bit big-endian integer, if it is four octets.
    public var integerValue: UInt32? {
        guard range.count == 4 else { return nil }
        return octets[range].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The value read as an IPv4 address in dotted-quad text, if it is four octets.
    public var ipv4AddressText: String? {
        guard range.count == 4 else { return nil }
        let start = range.lowerBound
        return "\(octets[start]).\(octets[start + 1]).\(octets[start + 2]).\(octets[start + 3])"
    }

    /// Whether the value begins with `prefix`.
    public func valueStarts(with prefix: [UInt8]) -> Bool {
        guard prefix.count <= range.count else { return false }
        for (offset, octet) in prefix.enumerated() where octets[range.lowerBound + offset] != octet { return false }
        return true
    }

    /// Writes the attribute as on the wire (type, length, value) at `offset`; returns the
    /// offset after it. The caller has made room for ``valueCount`` + 2 octets.
    func write(into buffer: UnsafeMutableRawBufferPointer, at offset: Int, zeroingValue: Bool = false) -> Int {
        buffer[offset] = type
        buffer[offset + 1] = UInt8(range.count + 2)
        let start = offset + 2
        if zeroingValue {
            for index in 0..<range.count { buffer[start + index] = 0 }
        } else {
            octets.withUnsafeBytes { source in
                guard let base = source.baseAddress, !range.isEmpty else { return }
                UnsafeMutableRawBufferPointer(rebasing: buffer[start..<(start + range.count)])
                    .copyMemory(from: UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count))
            }
        }
        return start + range.count
    }

    /// For a Vendor-Specific attribute whose sub-attributes are all well formed: its vendor
    /// id. Read in place, without copying any sub-attribute out.
    public var wellFormedVendorID: UInt32? {
        guard type == RADIUSAttributeType.vendorSpecific, range.count >= 4 else { return nil }
        var index = range.lowerBound + 4
        while index < range.upperBound {
            guard index + 2 <= range.upperBound else { return nil }
            let length = Int(octets[index + 1])
            guard length >= 2, index + length <= range.upperBound else { return nil }
            index += length
        }
        return octets[range.prefix(4)].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The first sub-attribute of `type` in a well-formed Vendor-Specific attribute, sharing
    /// this attribute's octets.
    func firstSubAttribute(_ type: UInt8) -> RADIUSAttribute? {
        guard wellFormedVendorID != nil else { return nil }
        var match: RADIUSAttribute?
        forEachSubAttribute { subType, range in
            guard subType == type else { return false }
            match = RADIUSAttribute(type: type, sharing: octets, range: range)
            return true
        }
        return match
    }

    /// Whether every sub-attribute of `type` in this well-formed Vendor-Specific attribute
    /// equals `expected` (true when there is none).
    func subAttributes(_ type: UInt8, allEqual expected: RADIUSAttribute) -> Bool {
        guard wellFormedVendorID != nil else { return true }
        var agree = true
        forEachSubAttribute { subType, range in
            guard subType == type else { return false }
            agree = RADIUSAttribute(type: type, sharing: octets, range: range) == expected
            return !agree
        }
        return agree
    }

    /// For a Vendor-Specific attribute: its vendor id and sub-attributes, if well formed.
    public var vendorSubAttributes: (vendor: UInt32, attributes: [RADIUSAttribute])? {
        guard let vendor = wellFormedVendorID else { return nil }
        var attributes: [RADIUSAttribute] = []
        forEachSubAttribute { subType, range in
            attributes.append(RADIUSAttribute(type: subType, sharing: octets, range: range))
            return false
        }
        return (vendor, attributes)
    }

    /// Hands each sub-attribute's type and the range of its value in `octets` to `body`, in
    /// order, until `body` returns true. Only for an attribute whose ``wellFormedVendorID`` is
    /// not nil, which has checked every length this trusts.
    private func forEachSubAttribute(_ body: (UInt8, Range<Int>) -> Bool) {
        var index = range.lowerBound + 4
        while index < range.upperBound {
            let length = Int(octets[index + 1])
            if body(octets[index], (index + 2)..<(index + length)) { return }
            index += length
        }
    }
}

extension RADIUSAttribute: Equatable {
    /// Equal when type and value octets are, however each is stored.
    public static func == (lhs: RADIUSAttribute, rhs: RADIUSAttribute) -> Bool {
        lhs.type == rhs.type && lhs.octets[lhs.range].elementsEqual(rhs.octets[rhs.range])
    }
}
