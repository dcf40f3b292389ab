/// One attribute: a type octet and its value (the length octet is implied by the value).
public struct RADIUSAttribute: Equatable, Sendable {
    /// The attribute's type number (see ``RADIUSAttributeType``).
    public let type: UInt8
    /// At most 253 octets.
    public let value: [UInt8]

    /// An attribute from raw octets; nothing checks the value against the 253-octet limit.
    public init(type: UInt8, value: [UInt8]) {
        self.type = type
        self.value = value
    }

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
    public var textValue: String? { String(validating: value, as: UTF8.self) }

    /// The value read as a 32-bit big-endian integer, if it is four octets.
    public var integerValue: UInt32? {
        guard value.count == 4 else { return nil }
        return value.reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// For a Vendor-Specific attribute whose sub-attributes are all well formed: its vendor
    /// id. Read in place, without copying any sub-attribute out.
    public var wellFormedVendorID: UInt32? {
        guard type == RADIUSAttributeType.vendorSpecific, value.count >= 4 else { return nil }
        var index = 4
        while index < value.count {
            guard index + 2 <= value.count else { return nil }
            let length = Int(value[index + 1])
            guard length >= 2, index + length <= value.count else { return nil }
            index += length
        }
        return value[0..<4].reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// The first sub-attribute of `type` in a well-formed Vendor-Specific attribute, the only
    /// one copied out. A report's 3GPP attributes are looked up one by one, and copying out
    /// every sub-attribute for each lookup was dozens of allocations per report.
    func firstSubAttribute(_ type: UInt8) -> RADIUSAttribute? {
        guard wellFormedVendorID != nil else { return nil }
        var match: RADIUSAttribute?
        forEachSubAttribute { subType, range in
            guard subType == type else { return false }
            match = RADIUSAttribute(type: type, value: Array(value[range]))
            return true
        }
        return match
    }

    /// For a Vendor-Specific attribute: its vendor id and sub-attributes, if well formed.
    public var vendorSubAttributes: (vendor: UInt32, attributes: [RADIUSAttribute])? {
        guard let vendor = wellFormedVendorID else { return nil }
        var attributes: [RADIUSAttribute] = []
        forEachSubAttribute { subType, range in
            attributes.append(RADIUSAttribute(type: subType, value: Array(value[range])))
            return false
        }
        return (vendor, attributes)
    }

    /// Hands each sub-attribute's type and the range of its value to `body`, in order, until
    /// `body` returns true. Only for an attribute whose ``wellFormedVendorID`` is not nil,
    /// which has checked every length this trusts.
    private func forEachSubAttribute(_ body: (UInt8, Range<Int>) -> Bool) {
        var index = 4
        while index < value.count {
            let length = Int(value[index + 1])
            if body(value[index], (index + 2)..<(index + length)) { return }
            index += length
        }
    }
}
