/// A network access server (packet gateway) allowed to talk to SimGate, and its shared secret.
public struct RADIUSClient: Sendable, Equatable {
    /// A name for logs and the API (`pgw-berlin-1`).
    public let name: String
    /// An IPv4 or IPv6 address, or an IPv4 network in CIDR form (`10.20.0.0/16`).
    public let address: String
    /// The shared secret as UTF-8 octets; every packet to or from this client is signed with it.
    public let secret: [UInt8]
    /// Drop Access-Requests without a valid Message-Authenticator (RFC 3579; the 2024
    /// BlastRADIUS advice). Only turn off for gateways that cannot send one.
    public let requireMessageAuthenticator: Bool
    /// Where this gateway listens for Disconnect-Requests (RFC 5176).
    public let coaPort: Int

    /// `secret` is stored as UTF-8; 3799 is the Disconnect/CoA port RFC 5176 assigns.
    public init(name: String, address: String, secret: String, requireMessageAuthenticator: Bool = true, coaPort: Int = 3_799) {
        self.name = name
        self.address = address
        self.secret = Array(secret.utf8)
        self.requireMessageAuthenticator = requireMessageAuthenticator
        self.coaPort = coaPort
    }
}

/// Finds the client a datagram came from; unknown sources are dropped.
public struct RADIUSClientTable: Sendable {
    private let clients: [RADIUSClient]

    /// A table of `clients`, sorted so the most specific entry for an address wins.
    public init(_ clients: [RADIUSClient]) {
        // Most specific first, so a host entry wins over the network that contains it.
        self.clients = clients.sorted { Self.prefixLength($0.address) > Self.prefixLength($1.address) }
    }

    /// The client for a source IP address, if configured.
    public func client(for ip: String) -> RADIUSClient? {
        clients.first { Self.matches($0.address, ip) }
    }

    /// Whether `ip` is `pattern` itself or, for an IPv4 CIDR pattern, lies inside that network.
    static func matches(_ pattern: String, _ ip: String) -> Bool {
        guard let slash = pattern.firstIndex(of: "/") else { return pattern == ip }
        guard let network = ipv4(String(pattern[..<slash])), let length = Int(pattern[pattern.index(after: slash)...]),
              (0...32).contains(length), let address = ipv4(ip)
        else { return false }
        let mask: UInt32 = length == 0 ? 0 : ~UInt32(0) << (32 - length)
        return network & mask == address & mask
    }

    /// The pattern's prefix length, or 129 for a single address so it sorts ahead of any network.
    static func prefixLength(_ pattern: String) -> Int {
        guard let slash = pattern.firstIndex(of: "/") else { return 129 }
        return Int(pattern[pattern.index(after: slash)...]) ?? 0
    }

    /// A dotted IPv4 address as a 32-bit number, or `nil` if `text` is not one.
    static func ipv4(_ text: String) -> UInt32? {
        ipv4Octets(text).map { $0.reduce(0) { $0 << 8 | UInt32($1) } }
    }

    /// The four octets of a dotted IPv4 address (`10.64.0.17`), or `nil` for anything else.
    public static func ipv4Octets(_ text: some StringProtocol) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let octets = parts.compactMap { UInt8($0) }
        return parts.count == 4 && octets.count == 4 ? octets : nil
    }

    /// Whether `pattern` can name clients: an IPv4 or IPv6 address, or an IPv4 network with a
    /// prefix length of 0 to 32.
    public static func accepts(_ pattern: String) -> Bool {
        let parts = pattern.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...32).contains(length) else { return false }
            return ipv4Octets(parts[0]) != nil
        }
        return ipv4Octets(parts[0]) != nil || (parts[0].contains(":") && parts[0].allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." })
    }
}
