import Crypto
import Foundation

/// The authenticator rules of RADIUS, each a pure function of the packet and the shared secret.
public enum RADIUSAuthenticators {
    /// MD5(Code + Identifier + Length + RequestAuthenticator + Attributes + Secret): the
    /// Response Authenticator of a reply to a request (RFC 2865 section 3), and with 16 zero
    /// octets in place of the request's, the Request Authenticator of an Accounting-Request
    /// or Disconnect-Request (RFC 2866 section 3, RFC 5176 section 2.3).
    public static func md5Authenticator(of packet: RADIUSPacket, over authenticator: [UInt8], secret: [UInt8]) -> [UInt8] {
        var md5 = Insecure.MD5()
        packet.withWireImage(authenticator: authenticator, zeroingMessageAuthenticator: false) { md5.update(bufferPointer: $0) }
        md5.update(data: secret)
        return Array(md5.finalize())
    }

    /// The 16 zero octets that stand in for an authenticator not yet known.
    private static let zeroAuthenticator = [UInt8](repeating: 0, count: 16)

    /// Whether an Accounting-Request (or Disconnect/CoA request) carries a valid Request Authenticator.
    public static func hasValidRequestAuthenticator(_ packet: RADIUSPacket, secret: [UInt8]) -> Bool {
        constantTimeEqual(md5Authenticator(of: packet, over: zeroAuthenticator, secret: secret), packet.authenticator)
    }

    /// HMAC-MD5 over the packet with the Message-Authenticator value zeroed (RFC 3579 section
    /// 3.2). For replies, `authenticator` is the request's authenticator. Each value is zeroed
    /// at its own length; a valid one has 16 octets (``hasValidMessageAuthenticator`` refuses
    /// any other).
    public static func messageAuthenticator(of packet: RADIUSPacket, authenticator: [UInt8], secret: [UInt8]) -> [UInt8] {
        packet.withWireImage(authenticator: authenticator, zeroingMessageAuthenticator: true) { image in
            Array(HMAC<Insecure.MD5>.authenticationCode(for: image, using: SymmetricKey(data: secret)))
        }
    }

    /// Whether the packet carries exactly one Message-Authenticator and it is valid.
    public static func hasValidMessageAuthenticator(_ packet: RADIUSPacket, authenticator: [UInt8], secret: [UInt8]) -> Bool {
        let present = packet.attributes.filter { $0.type == RADIUSAttributeType.messageAuthenticator }
        guard present.count == 1, present[0].valueCount == 16 else { return false }
        return constantTimeEqual(messageAuthenticator(of: packet, authenticator: authenticator, secret: secret), present[0].value)
    }

    /// Signs a reply: puts the Message-Authenticator first (the 2024 BlastRADIUS advice),
    /// then computes the Response Authenticator over the result.
    public static func signReply(_ reply: RADIUSPacket, to request: RADIUSPacket, secret: [UInt8]) -> RADIUSPacket {
        var signed = reply
        signed.attributes = [RADIUSAttribute(type: RADIUSAttributeType.messageAuthenticator, value: [UInt8](repeating: 0, count: 16))]
            + reply.attributes.filter { $0.type != RADIUSAttributeType.messageAuthenticator }
        let mac = messageAuthenticator(of: signed, authenticator: request.authenticator, secret: secret)
        signed.attributes[0] = RADIUSAttribute(type: RADIUSAttributeType.messageAuthenticator, value: mac)
        signed.authenticator = md5Authenticator(of: signed, over: request.authenticator, secret: secret)
        return signed
    }

    /// Whether a reply (Access-Accept, Accounting-Response, Disconnect-ACK, ...) really answers
    /// `request`: its Response Authenticator, and its Message-Authenticator when it has one.
    public static func isAuthenticReply(_ reply: RADIUSPacket, to request: RADIUSPacket, secret: [UInt8]) -> Bool {
        guard constantTimeEqual(md5Authenticator(of: reply, over: request.authenticator, secret: secret), reply.authenticator) else { return false }
        guard reply.attribute(RADIUSAttributeType.messageAuthenticator) != nil else { return true }
        return hasValidMessageAuthenticator(reply, authenticator: request.authenticator, secret: secret)
    }

    /// Signs a request the way a gateway does, for clients, tests and load generators:
    /// an Access-Request or Status-Server gets a Message-Authenticator first (over its own
    /// random authenticator); an Accounting-Request gets its MD5 Request Authenticator; a
    /// Disconnect- or CoA-Request gets both, the Message-Authenticator computed over a zero
    /// authenticator first (RFC 5176 section 3.3).
    public static func signRequest(_ request: RADIUSPacket, secret: [UInt8]) -> RADIUSPacket {
        var signed = request
        let zero = [UInt8](repeating: 0, count: 16)
        if request.code == .disconnectRequest || request.code == .coaRequest {
            signed.attributes = [RADIUSAttribute(type: RADIUSAttributeType.messageAuthenticator, value: zero)]
                + request.attributes.filter { $0.type != RADIUSAttributeType.messageAuthenticator }
            signed.attributes[0] = RADIUSAttribute(
                type: RADIUSAttributeType.messageAuthenticator, value: messageAuthenticator(of: signed, authenticator: zero, secret: secret)
            )
            signed.authenticator = md5Authenticator(of: signed, over: zero, secret: secret)
        } else if request.code == .accessRequest || request.code == .statusServer {
            signed.attributes = [RADIUSAttribute(type: RADIUSAttributeType.messageAuthenticator, value: [UInt8](repeating: 0, count: 16))]
                + request.attributes.filter { $0.type != RADIUSAttributeType.messageAuthenticator }
            signed.attributes[0] = RADIUSAttribute(
                type: RADIUSAttributeType.messageAuthenticator,
                value: messageAuthenticator(of: signed, authenticator: signed.authenticator, secret: secret)
            )
        } else {
            signed.authenticator = md5Authenticator(of: signed, over: [UInt8](repeating: 0, count: 16), secret: secret)
        }
        return signed
    }

    /// Hides a User-Password (RFC 2865 section 5.2): pad to 16-octet blocks with zeros, then
    /// XOR each block with MD5(secret + previous ciphertext block, the authenticator first).
    public static func hidePassword(_ password: [UInt8], authenticator: [UInt8], secret: [UInt8]) -> [UInt8] {
        var padded = password
        if padded.isEmpty || padded.count % 16 != 0 { padded += [UInt8](repeating: 0, count: 16 - padded.count % 16) }
        var output: [UInt8] = []
        var previous = authenticator
        for start in stride(from: 0, to: padded.count, by: 16) {
            let mask = Array(Insecure.MD5.hash(data: secret + previous))
            let block = (0..<16).map { padded[start + $0] ^ mask[$0] }
            output += block
            previous = block
        }
        return output
    }

    /// Recovers a hidden User-Password; trailing zero padding is removed.
    public static func revealPassword(_ hidden: [UInt8], authenticator: [UInt8], secret: [UInt8]) -> [UInt8]? {
        guard !hidden.isEmpty, hidden.count % 16 == 0, hidden.count <= 128 else { return nil }
        var output: [UInt8] = []
        var previous = authenticator
        for start in stride(from: 0, to: hidden.count, by: 16) {
            let mask = Array(Insecure.MD5.hash(data: secret + previous))
            let block = Array(hidden[start..<(start + 16)])
            output += (0..<16).map { block[$0] ^ mask[$0] }
            previous = block
        }
        while output.last == 0 { output.removeLast() }
        return output
    }

    /// Compares without stopping at the first difference, so timing does not leak how much matched.
    static func constantTimeEqual(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return zip(lhs, rhs).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
