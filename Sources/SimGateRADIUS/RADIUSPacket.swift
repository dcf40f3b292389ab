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
    /// refused so the server can drop it. The packet is copied once, and its attributes
    /// share that copy, which holds no padding: the attributes live as long as the request
    /// waits for its answer, and a client may pad each datagram to 64 KiB.
    public init(decoding datagram: some Collection<UInt8>) throws(RADIUSDecodingError) {
        var bytes = Array(datagram)
        guard bytes.count >= Self.minimumLength else { throw .truncated }
        guard let code = RADIUSCode(rawValue: bytes[0]) else { throw .unknownCode(bytes[0]) }
        let length = Int(bytes[2]) << 8 | Int(bytes[3])
        guard length >= Self.minimumLength, length <= Self.maximumLength else { throw .badLength(length) }
        guard bytes.count >= length else { throw .truncated }
        if bytes.count > length { bytes = Array(bytes[0..<length]) }
        // Checked and counted first, so that the array is allocated once at its size.
        var count = 0
        var index = 20
        while index < length {
            guard index + 2 <= length else { throw .badAttribute(offset: index) }
            let attributeLength = Int(bytes[index + 1])
            guard attributeLength >= 2, index + attributeLength <= length else { throw .badAttribute(offset: index) }
            count += 1
            index += attributeLength
        }
        var attributes: [RADIUSAttribute] = []
        attributes.reserveCapacity(count)
        index = 20
        while index < length {
            let attributeLength = Int(bytes[index + 1])
            attributes.append(RADIUSAttribute(type: bytes[index], sharing: bytes, range: (index + 2)..<(index + attributeLength)))
            index += attributeLength
        }
        self.init(code: code, identifier: bytes[1], authenticator: Array(bytes[4..<20]), attributes: attributes)
    }

    /// The packet on the wire, with the authenticator as it stands.
    public func encoded() -> [UInt8] {
        let body = bodyLength
        return [UInt8](unsafeUninitializedCapacity: 4 + authenticator.count + body) { buffer, initialized in
            initialized = write(into: UnsafeMutableRawBufferPointer(buffer), bodyLength: body, authenticator: authenticator, zeroingMessageAuthenticator: false)
        }
    }

    /// Hands `body` the packet as on the wire, but with `authenticator` in place of its own and,
    /// if asked, every Message-Authenticator's value zeroed: what the authenticators are
    /// computed over (RFC 2865 section 3, RFC 3579 section 3.2). The octets are written to a
    /// scratch buffer (on the stack at a RADIUS packet's size), not to a new array.
    func withWireImage<Result>(
        authenticator: [UInt8], zeroingMessageAuthenticator: Bool, _ body: (UnsafeRawBufferPointer) -> Result
    ) -> Result {
        let bodyLength = bodyLength
        return withUnsafeTemporaryAllocation(byteCount: 4 + authenticator.count + bodyLength, alignment: 1) { buffer in
            let written = write(into: buffer, bodyLength: bodyLength, authenticator: authenticator, zeroingMessageAuthenticator: zeroingMessageAuthenticator)
            return body(UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
        }
    }

    /// Octets the attributes take on the wire, each with its type and length octets.
    private var bodyLength: Int {
        attributes.reduce(0) { $0 + 2 + $1.valueCount }
    }

    /// Writes the packet into `buffer`, which has room for it; returns the octets written. The
    /// Length field counts a 16-octet authenticator, whatever `authenticator` holds (a reply
    /// is encoded unsigned before its authenticator is known).
    private func write(
        into buffer: UnsafeMutableRawBufferPointer, bodyLength: Int, authenticator: [UInt8], zeroingMessageAuthenticator: Bool
    ) -> Int {
        let length = 20 + bodyLength
        buffer[0] = code.rawValue
        buffer[1] = identifier
        buffer[2] = UInt8(length >> 8)
        buffer[3] = UInt8(length & 0xFF)
        var offset = 4
        for octet in authenticator {
            buffer[offset] = octet
            offset += 1
        }
        for attribute in attributes {
            let zero = zeroingMessageAuthenticator && attribute.type == RADIUSAttributeType.messageAuthenticator
            offset = attribute.write(into: buffer, at: offset, zeroingValue: zero)
        }
        return offset
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

    /// The vendor's sub-attribute `type` when the packet carries it with one value only (as
    /// often as it likes); `nil` when it is absent, and ``Conflict`` when two values differ.
    public func soleVendorAttribute(vendor: UInt32, type: UInt8) -> Result<RADIUSAttribute, Conflict>? {
        guard let first = vendorAttribute(vendor: vendor, type: type) else { return nil }
        for attribute in attributes where attribute.type == RADIUSAttributeType.vendorSpecific && attribute.wellFormedVendorID == vendor {
            if !attribute.subAttributes(type, allEqual: first) { return .failure(Conflict()) }
        }
        return .success(first)
    }

    /// A packet naming one thing twice, with two values.
    public struct Conflict: Error {}
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
