import Foundation
import NIOCore
import NIOPosix
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Keeps deliveries away from the machine and its private networks: customers choose the
/// URLs, so by default a URL whose host resolves to a loopback, private, link-local,
/// shared-address, multicast or unspecified address (cloud metadata at 169.254.169.254 is
/// link-local) is refused. The operator may allow networks (`webhooks.allow_networks`).
///
/// The check runs when a delivery connects: the host is resolved, every address checked, and
/// the connection pinned to a checked address, so DNS cannot answer differently in between.
struct WebhookTargetGuard: Sendable {
    /// Networks allowed despite being private (the operator's, from configuration).
    let allowed: [IPNetwork]

    /// The address to connect to for `host`: the first it resolves to, if every address it
    /// resolves to may be reached. Throws ``WebhookTargetRefused`` otherwise.
    func resolve(host: String, port: Int) async throws -> String {
        let addresses = try await Self.lookUp(host: host, port: port)
        guard let first = addresses.first else { throw WebhookTargetRefused(reason: "\(host) does not resolve") }
        for address in addresses where !mayReach(address) {
            throw WebhookTargetRefused(reason: "\(host) resolves to \(address), a private or reserved address SimGate does not deliver to")
        }
        return first
    }

    /// Whether `address` (textual IPv4 or IPv6) may be reached.
    func mayReach(_ address: String) -> Bool {
        guard let ip = IPAddressBytes(address) else { return false }
        if allowed.contains(where: { $0.contains(ip) }) { return true }
        return !IPNetwork.reserved.contains { $0.contains(ip) }
    }

    /// Every address `host` resolves to, as text; a literal address is itself.
    static func lookUp(host: String, port: Int) async throws -> [String] {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        if IPAddressBytes(bare) != nil { return [bare] }
        return try await NIOThreadPool.singleton.runIfActive {
            var hints = addrinfo()
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var result: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(bare, String(port), &hints, &result) == 0, let first = result else {
                throw WebhookTargetRefused(reason: "\(host) does not resolve")
            }
            defer { freeaddrinfo(first) }
            var found: [String] = []
            var cursor: UnsafeMutablePointer<addrinfo>? = first
            while let entry = cursor {
                if let socketAddress = entry.pointee.ai_addr {
                    var buffer = [CChar](repeating: 0, count: Int(NI_MAXHOST))
                    if getnameinfo(socketAddress, entry.pointee.ai_addrlen, &buffer, socklen_t(buffer.count), nil, 0, NI_NUMERICHOST) == 0 {
                        found.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
                    }
                }
                cursor = entry.pointee.ai_next
            }
            var seen = Set<String>()
            return found.filter { seen.insert($0).inserted }
        }
    }
}

/// A delivery target SimGate will not connect to, and why.
struct WebhookTargetRefused: Error, CustomStringConvertible {
    /// Why, for the attempt log.
    let reason: String
    var description: String { reason }
}

/// An IPv4 or IPv6 address as its bytes (4 or 16).
struct IPAddressBytes: Equatable, Sendable {
    /// The address in network order; an IPv4-mapped IPv6 address is kept as its IPv4 bytes.
    let bytes: [UInt8]

    /// Parses textual IPv4 (`10.0.0.1`) or IPv6 (`::1`); `nil` for anything else.
    init?(_ text: String) {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            bytes = withUnsafeBytes(of: &v4) { Array($0) }
            return
        }
        var v6 = in6_addr()
        let zoneless = text.split(separator: "%", maxSplits: 1).first.map(String.init) ?? text
        guard inet_pton(AF_INET6, zoneless, &v6) == 1 else { return nil }
        let raw = withUnsafeBytes(of: &v6) { Array($0) }
        // ::ffff:a.b.c.d reaches the IPv4 address a.b.c.d, and is judged as it.
        if raw[0..<10].allSatisfy({ $0 == 0 }) && raw[10] == 0xFF && raw[11] == 0xFF {
            bytes = Array(raw[12..<16])
        } else {
            bytes = raw
        }
    }
}

extension IPAddressBytes {
    /// `text` as dotted IPv4 if `inet_aton` reads it as an address: the older forms
    /// (`127.1`, `2130706433`, `0x7f000001`, `0177.0.0.1`) that `getaddrinfo` takes as literals
    /// and ``init(_:)`` does not. `nil` for a host name.
    static func legacyIPv4Text(_ text: String) -> String? {
        var address = in_addr()
        guard !text.isEmpty, inet_aton(text, &address) != 0 else { return nil }
        var buffer = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &address, &buffer, socklen_t(buffer.count)) != nil else { return nil }
        return String(cString: buffer)
    }
}

/// An IPv4 or IPv6 network: an address and a prefix length.
struct IPNetwork: Equatable, Sendable {
    /// The network's address bytes.
    let base: IPAddressBytes
    /// How many leading bits must match.
    let prefixLength: Int

    /// Parses `10.0.0.0/8`, `fc00::/7` or a single address; `nil` for anything else.
    init?(_ text: String) {
        let parts = text.split(separator: "/", maxSplits: 1).map(String.init)
        guard let base = IPAddressBytes(parts[0]) else { return nil }
        let bits = base.bytes.count * 8
        if parts.count == 2 {
            guard let length = Int(parts[1]), (0...bits).contains(length) else { return nil }
            prefixLength = length
        } else {
            prefixLength = bits
        }
        self.base = base
    }

    /// Whether `address` lies in this network (an IPv4 address never lies in an IPv6 network).
    func contains(_ address: IPAddressBytes) -> Bool {
        guard address.bytes.count == base.bytes.count else { return false }
        var remaining = prefixLength
        for (a, b) in zip(address.bytes, base.bytes) where remaining > 0 {
            let mask: UInt8 = remaining >= 8 ? 0xFF : ~(0xFF >> UInt8(remaining))
            if a & mask != b & mask { return false }
            remaining -= 8
        }
        return true
    }

    /// Addresses deliveries never reach unless allowed: unspecified, loopback, private,
    /// shared (CGNAT), link-local (cloud metadata), benchmarking, multicast and reserved
    /// ranges of IPv4, and their IPv6 kin (unique-local, link-local, site-local, documentation),
    /// with every IPv6 form that carries an IPv4 address inside it (IPv4-compatible, SIIT,
    /// NAT64 both well-known and local-use, 6to4, Teredo): through a translator or relay,
    /// `[64:ff9b:1::a9fe:a9fe]` or `[2002:a9fe:a9fe::]` reached 169.254.169.254.
    static let reserved: [IPNetwork] = [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12", "192.0.0.0/24",
        "192.0.2.0/24", "192.168.0.0/16", "198.18.0.0/15", "198.51.100.0/24", "203.0.113.0/24", "224.0.0.0/4", "240.0.0.0/4",
        "::/96", "::1/128", "::ffff:0:0:0/96", "64:ff9b::/96", "64:ff9b:1::/48", "100::/64", "2001::/32", "2001:db8::/32", "2002::/16",
        "fc00::/7", "fe80::/10", "fec0::/10", "ff00::/8",
    ].compactMap(IPNetwork.init)
}
