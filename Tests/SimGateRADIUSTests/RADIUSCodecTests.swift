import Foundation
import Crypto
@testable import SimGateRADIUS
import Testing
import SimGateTestSupport

/// Hex text (spaces allowed) as bytes.
func hex(_ text: String) -> [UInt8] {
    let digits = Array(text.replacingOccurrences(of: " ", with: ""))
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

@Suite("RADIUS codec")
struct RADIUSCodecTests {
    // RFC 2865 section 7.1: user "nemo", password "arctangent", shared secret "xyzzy5461".
    static let secret = Array("xyzzy5461".utf8)
    static let rfcRequest = hex("01 00 00 38 0f 40 3f 94 73 97 80 57 bd 83 d5 cb 98 f4 22 7a 01 06 6e 65 6d 6f 02 12 0d be 70 8d 93 d4 13 ce 31 96 e4 3f 78 2a 0a ee 04 06 c0 a8 01 10 05 06 00 00 00 03")
    static let rfcResponseAuthenticator = hex("86 fe 22 0e 76 24 ba 2a 10 05 f6 bf 9b 55 e0 b2")

    @Test("the RFC 2865 section 7.1 Access-Request decodes and re-encodes byte for byte")
    func rfcRequestRoundTrip() throws {
        let packet = try RADIUSPacket(decoding: Self.rfcRequest)
        #expect(packet.code == .accessRequest)
        #expect(packet.identifier == 0)
        #expect(packet.attribute(RADIUSAttributeType.userName)?.textValue == "nemo")
        #expect(packet.attribute(RADIUSAttributeType.nasIPAddress)?.value == [192, 168, 1, 16])
        #expect(packet.attribute(RADIUSAttributeType.nasPort)?.integerValue == 3)
        #expect(packet.encoded() == Self.rfcRequest)
    }

    @Test("the RFC 2865 section 7.1 password hides and reveals as published")
    func rfcPassword() throws {
        let packet = try RADIUSPacket(decoding: Self.rfcRequest)
        let hidden = try #require(packet.attribute(RADIUSAttributeType.userPassword)).value
        #expect(RADIUSAuthenticators.hidePassword(Array("arctangent".utf8), authenticator: packet.authenticator, secret: Self.secret) == hidden)
        #expect(RADIUSAuthenticators.revealPassword(hidden, authenticator: packet.authenticator, secret: Self.secret) == Array("arctangent".utf8))
        let long = Array("a password longer than sixteen octets".utf8)
        let hiddenLong = RADIUSAuthenticators.hidePassword(long, authenticator: packet.authenticator, secret: Self.secret)
        #expect(hiddenLong.count == 48)
        #expect(RADIUSAuthenticators.revealPassword(hiddenLong, authenticator: packet.authenticator, secret: Self.secret) == long)
    }

    @Test("the RFC 2865 section 7.1 Access-Accept gets the published Response Authenticator")
    func rfcResponseAuthenticator() throws {
        let request = try RADIUSPacket(decoding: Self.rfcRequest)
        let accept = RADIUSPacket(code: .accessAccept, identifier: 0, authenticator: request.authenticator, attributes: [
            .integer(RADIUSAttributeType.serviceType, 1),  // Login-User
            .integer(15, 0),                               // Login-Service = Telnet
            RADIUSAttribute(type: 14, value: [192, 168, 1, 3]),  // Login-IP-Host
        ])
        #expect(RADIUSAuthenticators.md5Authenticator(of: accept, over: request.authenticator, secret: Self.secret) == Self.rfcResponseAuthenticator)
    }

    @Test("a signed reply carries a valid Message-Authenticator first and a valid Response Authenticator")
    func signedReply() throws {
        let request = try RADIUSPacket(decoding: Self.rfcRequest)
        let reply = RADIUSAuthenticators.signReply(
            RADIUSPacket(code: .accessReject, identifier: 0, authenticator: [], attributes: [.text(RADIUSAttributeType.replyMessage, "SIM is OFFLINE")]),
            to: request, secret: Self.secret
        )
        #expect(reply.attributes.first?.type == RADIUSAttributeType.messageAuthenticator)
        #expect(RADIUSAuthenticators.hasValidMessageAuthenticator(reply, authenticator: request.authenticator, secret: Self.secret))
        #expect(reply.authenticator == RADIUSAuthenticators.md5Authenticator(of: reply, over: request.authenticator, secret: Self.secret))
        var tampered = reply
        tampered.attributes[1] = .text(RADIUSAttributeType.replyMessage, "SIM is LIVE!!")
        #expect(!RADIUSAuthenticators.hasValidMessageAuthenticator(tampered, authenticator: request.authenticator, secret: Self.secret))
        #expect(!RADIUSAuthenticators.hasValidMessageAuthenticator(reply, authenticator: request.authenticator, secret: Array("other".utf8)))
    }

    @Test("an Accounting-Request authenticator is MD5 over the packet with zeros, then the secret")
    func accountingAuthenticator() throws {
        var packet = RADIUSPacket(code: .accountingRequest, identifier: 7, authenticator: [UInt8](repeating: 0, count: 16), attributes: [
            .integer(RADIUSAttributeType.acctStatusType, AccountingStatusType.start.rawValue),
            .text(RADIUSAttributeType.acctSessionID, "session-1"),
            .vendorSpecific(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi, value: Array("001010000000001".utf8)),
        ])
        packet.authenticator = RADIUSAuthenticators.md5Authenticator(of: packet, over: [UInt8](repeating: 0, count: 16), secret: Self.secret)
        #expect(RADIUSAuthenticators.signRequest(packet, secret: Self.secret) == packet)
        let decoded = try RADIUSPacket(decoding: packet.encoded())
        #expect(RADIUSAuthenticators.hasValidRequestAuthenticator(decoded, secret: Self.secret))
        #expect(!RADIUSAuthenticators.hasValidRequestAuthenticator(decoded, secret: Array("wrong".utf8)))
        #expect(decoded.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi)?.textValue == "001010000000001")
    }

    @Test("vendor sub-attributes: a malformed Vendor-Specific attribute is skipped whole, the first match among well-formed ones of the vendor is found, other vendors' are not")
    func vendorSubAttributes() throws {
        let threeGPP = ThreeGPPAttribute.vendorID
        func vendorHeader(_ vendor: UInt32) -> [UInt8] { [UInt8(vendor >> 24), UInt8(vendor >> 16 & 0xFF), UInt8(vendor >> 8 & 0xFF), UInt8(vendor & 0xFF)] }
        let packet = RADIUSPacket(code: .accountingRequest, identifier: 1, authenticator: [UInt8](repeating: 0, count: 16), attributes: [
            // An IMSI whose declared length runs past the attribute: the whole attribute is unreadable.
            RADIUSAttribute(type: RADIUSAttributeType.vendorSpecific, value: vendorHeader(threeGPP) + [ThreeGPPAttribute.imsi, 20] + Array("001010000000009".utf8)),
            .vendorSpecific(vendor: 9, type: ThreeGPPAttribute.imsi, value: Array("cisco".utf8)),
            // Two sub-attributes in one attribute; the IMSI second.
            RADIUSAttribute(type: RADIUSAttributeType.vendorSpecific, value: vendorHeader(threeGPP)
                + [ThreeGPPAttribute.sgsnMCCMNC, 7] + Array("26201".utf8) + [ThreeGPPAttribute.imsi, 17] + Array("001010000000001".utf8)),
            .vendorSpecific(vendor: threeGPP, type: ThreeGPPAttribute.imsi, value: Array("001010000000002".utf8)),
            RADIUSAttribute(type: RADIUSAttributeType.vendorSpecific, value: [0, 0]),
        ])
        let decoded = try RADIUSPacket(decoding: packet.encoded())
        #expect(decoded.vendorAttribute(vendor: threeGPP, type: ThreeGPPAttribute.imsi)?.textValue == "001010000000001")
        #expect(decoded.vendorAttribute(vendor: threeGPP, type: ThreeGPPAttribute.sgsnMCCMNC)?.textValue == "26201")
        #expect(decoded.vendorAttribute(vendor: 9, type: ThreeGPPAttribute.imsi)?.textValue == "cisco")
        #expect(decoded.vendorAttribute(vendor: threeGPP, type: ThreeGPPAttribute.ratType) == nil)
        #expect(decoded.attributes.map(\.wellFormedVendorID) == [nil, 9, threeGPP, threeGPP, nil])
        // The in-place reading agrees with the sub-attributes copied out.
        #expect(decoded.attributes.map(\.wellFormedVendorID) == decoded.attributes.map { $0.vendorSubAttributes?.vendor })
        #expect(decoded.attributes[2].vendorSubAttributes?.attributes.map(\.type) == [ThreeGPPAttribute.sgsnMCCMNC, ThreeGPPAttribute.imsi])
    }

    @Test("a Disconnect-Request: Message-Authenticator over a zero authenticator, then the MD5 Request Authenticator (RFC 5176 section 3.3)")
    func disconnectRequestSigning() throws {
        let zero = [UInt8](repeating: 0, count: 16)
        let request = RADIUSAuthenticators.signRequest(RADIUSPacket(code: .disconnectRequest, identifier: 7, authenticator: zero, attributes: [
            .text(RADIUSAttributeType.userName, "001010000000001"),
            .text(RADIUSAttributeType.acctSessionID, "s-1"),
        ]), secret: Self.secret)
        let decoded = try RADIUSPacket(decoding: request.encoded())
        #expect(decoded.attributes.first?.type == RADIUSAttributeType.messageAuthenticator)
        // Computed independently: HMAC-MD5 with the attribute and the authenticator zeroed.
        var blank = decoded
        blank.authenticator = zero
        blank.attributes[0] = RADIUSAttribute(type: RADIUSAttributeType.messageAuthenticator, value: zero)
        let mac = Array(HMAC<Insecure.MD5>.authenticationCode(for: blank.encoded(), using: SymmetricKey(data: Self.secret)))
        #expect(decoded.attributes[0].value == mac)
        var withMAC = decoded
        withMAC.authenticator = zero
        #expect(decoded.authenticator == Array(Insecure.MD5.hash(data: withMAC.encoded() + Self.secret)))
        #expect(RADIUSAuthenticators.hasValidRequestAuthenticator(decoded, secret: Self.secret))
        #expect(RADIUSAuthenticators.hasValidMessageAuthenticator(decoded, authenticator: zero, secret: Self.secret))

        // The gateway's ACK answers this request only: a reply signed over another request, or
        // with another secret, or tampered with, is not taken.
        let ack = RADIUSAuthenticators.signReply(RADIUSPacket(code: .disconnectACK, identifier: 7, authenticator: [], attributes: []), to: decoded, secret: Self.secret)
        #expect(RADIUSAuthenticators.isAuthenticReply(try RADIUSPacket(decoding: ack.encoded()), to: decoded, secret: Self.secret))
        #expect(!RADIUSAuthenticators.isAuthenticReply(ack, to: decoded, secret: Array("wrong".utf8)))
        var other = decoded
        other.authenticator = [UInt8](repeating: 1, count: 16)
        #expect(!RADIUSAuthenticators.isAuthenticReply(ack, to: other, secret: Self.secret))
        var nak = ack
        nak.code = .disconnectNAK
        #expect(!RADIUSAuthenticators.isAuthenticReply(nak, to: decoded, secret: Self.secret))
    }

    @Test("malformed datagrams are refused, never trapped on", arguments: [
        ([UInt8](), RADIUSDecodingError.truncated),
        (hex("01 00 00 14") + [UInt8](repeating: 0, count: 15), .truncated),
        (hex("63 00 00 14") + [UInt8](repeating: 0, count: 16), .unknownCode(0x63)),
        (hex("01 00 00 13") + [UInt8](repeating: 0, count: 16), .badLength(19)),
        (hex("01 00 10 01") + [UInt8](repeating: 0, count: 16), .badLength(4_097)),
        (hex("01 00 00 20") + [UInt8](repeating: 0, count: 16), .truncated),
        (hex("01 00 00 16") + [UInt8](repeating: 0, count: 16) + hex("01 01"), .badAttribute(offset: 20)),
        (hex("01 00 00 17") + [UInt8](repeating: 0, count: 16) + hex("01 05 41"), .badAttribute(offset: 20)),
    ])
    func malformed(datagram: [UInt8], expected: RADIUSDecodingError) {
        #expect(throws: expected) { try RADIUSPacket(decoding: datagram) }
    }

    @Test("octets past the Length field are padding and ignored")
    func padding() throws {
        let packet = try RADIUSPacket(decoding: Self.rfcRequest + [0, 0, 0, 0])
        #expect(packet.encoded() == Self.rfcRequest)
    }

    @Test("every random datagram is either decoded faithfully or refused for a reason that holds")
    func fuzz() {
        var generator = SeededGenerator.fromEnvironment()
        let seed = generator.seed
        var decoded = 0
        for round in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count >= 4, Bool.random(using: &generator) {
                // Make the header plausible more often, to reach the attribute parser.
                bytes[0] = RADIUSCode.allCases.randomElement(using: &generator)!.rawValue
                bytes[2] = 0
                bytes[3] = UInt8(bytes.count)
            }
            let context = Comment(rawValue: "round \(round), seed \(seed) (SIMGATE_FUZZ_SEED=\(seed) replays it), bytes \(bytes)")
            do {
                let packet = try RADIUSPacket(decoding: bytes)
                decoded += 1
                let length = Int(bytes[2]) << 8 | Int(bytes[3])
                #expect(packet.encoded() == Array(bytes.prefix(length)), context)
                #expect(packet.code.rawValue == bytes[0] && packet.identifier == bytes[1], context)
                // Attributes that share the datagram's octets read and sign like copies.
                let copied = Self.copyingValues(packet)
                #expect(copied == packet, context)
                #expect(
                    RADIUSAuthenticators.messageAuthenticator(of: packet, authenticator: packet.authenticator, secret: Self.secret)
                        == RADIUSAuthenticators.messageAuthenticator(of: copied, authenticator: copied.authenticator, secret: Self.secret), context
                )
            } catch {
                #expect(Self.refusalHolds(error, for: bytes), context)
            }
        }
        // The plausible headers must have reached the attribute parser and passed it often.
        #expect(decoded > 50, "seed \(seed)")
    }

    /// `packet` with each attribute's value copied into an attribute of its own.
    static func copyingValues(_ packet: RADIUSPacket) -> RADIUSPacket {
        RADIUSPacket(
            code: packet.code, identifier: packet.identifier, authenticator: packet.authenticator,
            attributes: packet.attributes.map { RADIUSAttribute(type: $0.type, value: $0.value) }
        )
    }

    @Test("a decoded 3GPP report's attributes, which share its octets, read, compare and sign like attributes built from their values")
    func decodedAttributesShareTheDatagram() throws {
        var report = GatewayAccountingRequest(
            .interimUpdate, nas: .address([10, 0, 0, 7]), sessionID: "a-session-id-longer-than-fifteen", imsi: "262019876543210",
            mccMNC: "26201", imeisv: "3520990017614823", ratType: 6, inputBytes: 5_000_000_000, outputBytes: 42
        )
        report.framedIPAddress = [100, 64, 0, 9]
        let sent = report.signed(identifier: 7, secret: Self.secret)
        let wire = sent.encoded()
        let decoded = try RADIUSPacket(decoding: wire + [0, 0, 0])
        #expect(decoded == sent)
        #expect(decoded.encoded() == wire)
        // The octets the attributes share end at the Length field: padding, which a client may
        // stretch to 64 KiB a datagram, is not kept while the request waits for its answer.
        #expect(decoded.attributes.allSatisfy { $0.octets.count == wire.count })
        let padded = try RADIUSPacket(decoding: wire + [UInt8](repeating: 0, count: 60_000))
        #expect(padded == decoded && padded.attributes.allSatisfy { $0.octets.count == wire.count })
        #expect(RADIUSAuthenticators.hasValidRequestAuthenticator(decoded, secret: Self.secret))
        #expect(!RADIUSAuthenticators.hasValidRequestAuthenticator(decoded, secret: Array("other".utf8)))
        for (received, built) in zip(decoded.attributes, sent.attributes) {
            #expect(received.value == built.value)
            #expect(received.valueCount == built.value.count)
            #expect(received.firstOctet == built.value.first)
            #expect(received.textValue == built.textValue)
            #expect(received.integerValue == built.integerValue)
        }
        #expect(decoded.attribute(RADIUSAttributeType.acctSessionID)?.textValue == "a-session-id-longer-than-fifteen")
        #expect(decoded.attribute(RADIUSAttributeType.nasIPAddress)?.ipv4AddressText == "10.0.0.7")
        #expect(decoded.attribute(RADIUSAttributeType.framedIPAddress)?.ipv4AddressText == "100.64.0.9")
        #expect(decoded.attribute(RADIUSAttributeType.acctSessionID)?.ipv4AddressText == nil)
        let imsi = try #require(decoded.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.imsi))
        #expect(imsi.textValue == "262019876543210" && imsi.value == Array("262019876543210".utf8))
        #expect(imsi == RADIUSAttribute(type: ThreeGPPAttribute.imsi, value: Array("262019876543210".utf8)))
        #expect(decoded.vendorAttribute(vendor: ThreeGPPAttribute.vendorID, type: ThreeGPPAttribute.ratType)?.firstOctet == 6)
        let vendorSpecific = try #require(decoded.attribute(RADIUSAttributeType.vendorSpecific))
        #expect(vendorSpecific.valueStarts(with: [0, 0, 0x28, 0xAF]))
        #expect(!vendorSpecific.valueStarts(with: [0, 0, 0x28, 0xAE]))
        #expect(!RADIUSAttribute(type: 26, value: [0, 0]).valueStarts(with: [0, 0, 0x28, 0xAF]))
        // Signing a reply over the decoded request gives what it gives over the request as built.
        let reply = RADIUSPacket(code: .accountingResponse, identifier: 7, authenticator: [], attributes: [])
        #expect(
            RADIUSAuthenticators.md5Authenticator(of: reply, over: decoded.authenticator, secret: Self.secret)
                == RADIUSAuthenticators.md5Authenticator(of: reply, over: sent.authenticator, secret: Self.secret)
        )
        let accept = RADIUSAuthenticators.signReply(
            RADIUSPacket(code: .accessAccept, identifier: 7, authenticator: [], attributes: [.text(RADIUSAttributeType.replyMessage, "welcome")]),
            to: decoded, secret: Self.secret
        )
        let acceptDecoded = try RADIUSPacket(decoding: accept.encoded())
        #expect(RADIUSAuthenticators.isAuthenticReply(acceptDecoded, to: sent, secret: Self.secret))
        #expect(RADIUSAuthenticators.hasValidMessageAuthenticator(acceptDecoded, authenticator: decoded.authenticator, secret: Self.secret))
    }

    /// Whether `error` is a true statement about `bytes`.
    static func refusalHolds(_ error: RADIUSDecodingError, for bytes: [UInt8]) -> Bool {
        let length = bytes.count >= 4 ? Int(bytes[2]) << 8 | Int(bytes[3]) : 0
        switch error {
        case .truncated:
            return bytes.count < RADIUSPacket.minimumLength || bytes.count < length
        case .unknownCode(let code):
            return code == bytes[0] && RADIUSCode(rawValue: code) == nil
        case .badLength(let claimed):
            return claimed == length && (claimed < RADIUSPacket.minimumLength || claimed > RADIUSPacket.maximumLength)
        case .badAttribute(let offset):
            guard offset >= 20, offset < length else { return false }
            guard offset + 2 <= length else { return true }
            let attributeLength = Int(bytes[offset + 1])
            return attributeLength < 2 || offset + attributeLength > length
        }
    }
}
