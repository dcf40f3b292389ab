/// A RADIUS packet (RFC 2865 section 3): code, identifier, 16-octet authenticator, attributes.
public struct RADIUSPacket: Equatable, Sendable {
    /// Smallest and largest packet lengths the RFC allows, in octets.
    public static let minimumLength = 20
    /// The largest Length a packet may have, in octets (RFC 2865 section 3).
    public static let maximumLength = 4_096

    /// What kind of packet this is.
    public var code: RADIUSCode
    /// Matches a reply to its request; a retransmitted request keeps the same one.
    public var identifier: UInt8
    /// The 16-octet Request or Response Authenticator; see ``RADIUSAuthenticators``.
    public var authenticator: [UInt8]
    /// The attributes in the order they appear on the wire.
    public var attributes: [RADIUSAttribute]

    /// A packet from its parts; nothing is checked or signed here.
    public init(code: RADIUSCode, identifier: UInt8, authenticator: [UInt8], attributes: [RADIUSAttribute]) {
        self.code = code
        self.identifier = identifier
        self.authenticator = authenticator
        self.attributes = attributes
    }

    /// Reads a datagram. Octets past the Length field are padding and ignored (RFC 2865
    /// section 3); anything shorter than it says, or whose attributes do not fit exactly, is
    /// refused so the server can drop it.
    public init(decoding datagram: some Collection<UInt8>) throws(RADIUSDecodingError) {
        let bytes = Array(datagram)
        guard bytes.count >= Self.minimumLength else { throw .truncated }
        guard let code = RADIUSCode(rawValue: bytes[0]) else { throw .unknownCode(bytes[0]) }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length >= Self.minimumLength, length <= Self.maximumLength else { throw .badLength(length) }
        guard bytes.count >= length else { throw .truncated }
        var attributes: [RADIUSAttribute] = []
        var index = 20
        while index < length {
            guard index + 2 <= length else { throw .badAttribute(offset: index) }
            let attributeLength = Int(bytes[index + 1])
            guard attributeLength >= 2, index + attributeLength <= length else { throw .badAttribute(offset: index) }
            attributes.append(RADIUSAttribute(type: bytes[index], value: Array(bytes[(index + 2)..<(index + attributeLength)])))
            index += attributeLength
        }
        self.init(code: code, identifier: bytes[1], authenticator: Array(bytes[4..<20]), attributes: attributes)
    }

    /// The packet on the wire, with the authenticator as it stands.
    public func encoded() -> [UInt8] {
        var body: [UInt8] = []
        for attribute in attributes {
            body.append(attribute.type)
            body.append(UInt8(attribute.value.count + 2))
            body += attribute.value
        }
        let length = 20 + body.count
        return [code.rawValue, identifier, UInt8(length >> 8), UInt8(length & 0xFF)] + authenticator + body
    }

    /// The first attribute of `type`.
    public func attribute(_ type: UInt8) -> RADIUSAttribute? { attributes.first { $0.type == type } }

    /// The first sub-attribute of `type` from `vendor`'s Vendor-Specific attributes.
    public func vendorAttribute(vendor: UInt32, type: UInt8) -> RADIUSAttribute? {
        for attribute in attributes where attribute.type == RADIUSAttributeType.vendorSpecific && attribute.wellFormedVendorID == vendor {
            if let match = attribute.firstSubAttribute(type) { return match }
        }
        return nil
    }
}

/// Why a datagram is not a RADIUS packet.
public enum RADIUSDecodingError: Error, Equatable, Sendable {
    /// Shorter than 20 octets, or than its Length field says.
    case truncated
    /// A Code octet SimGate does not know (the octet is attached).
    case unknownCode(UInt8)
    /// A Length field outside 20...4096 (the length is attached).
    case badLength(Int)
    /// An attribute shorter than 2 octets or running past the packet's end, at this offset.
    case badAttribute(offset: Int)
}
