import Foundation

/// Which peers may say who the client is. Behind a load balancer every connection comes from the
/// balancer; its `X-Forwarded-For` is believed only when the peer is a trusted proxy, and then the
/// client is the right-most address in the chain that is not itself a trusted proxy.
///
/// ```swift
/// let proxies = try TrustedProxies(["10.0.0.0/8", "192.168.1.7"])
/// proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "203.0.113.9, 10.0.0.5") // "203.0.113.9"
/// ```
public struct TrustedProxies: Sendable, Equatable {
    struct Network: Sendable, Equatable {
        var bytes: [UInt8]
        var prefixLength: Int

        func contains(_ address: [UInt8]) -> Bool {
            guard address.count == bytes.count else { return false }
            var remaining = prefixLength
            for index in bytes.indices where remaining > 0 {
                let bits = min(8, remaining)
                let mask = UInt8(truncatingIfNeeded: 0xFF << (8 - bits))
                if address[index] & mask != bytes[index] & mask { return false }
                remaining -= bits
            }
            return true
        }
    }

    let networks: [Network]

    /// No proxy is trusted: the peer is the client.
    public static let none = TrustedProxies(networks: [])

    init(networks: [Network]) { self.networks = networks }

    /// Parses addresses and CIDR ranges (IPv4 or IPv6); throws naming the first bad entry.
    public init(_ entries: [String]) throws {
        var networks: [Network] = []
        for entry in entries.map({ $0.trimmingCharacters(in: .whitespaces) }) where !entry.isEmpty {
            let parts = entry.split(separator: "/", maxSplits: 1).map(String.init)
            guard let bytes = Self.parse(parts[0]) else { throw Invalid(entry: entry) }
            var prefix = bytes.count * 8
            if parts.count == 2 {
                guard let length = Int(parts[1]), (0...bytes.count * 8).contains(length) else { throw Invalid(entry: entry) }
                prefix = length
            }
            networks.append(Network(bytes: bytes, prefixLength: prefix))
        }
        self.networks = networks
    }

    /// An entry that is neither an IP address nor a CIDR range.
    public struct Invalid: Error, Equatable {
        public var entry: String
        public init(entry: String) { self.entry = entry }
    }

    /// Whether `address` is a trusted proxy.
    public func trusts(_ address: String) -> Bool {
        guard let bytes = Self.parse(address) else { return false }
        return networks.contains { $0.contains(bytes) }
    }

    /// The client's address for a connection from `peer` carrying `forwardedFor`.
    public func clientAddress(peer: String?, forwardedFor: String?) -> String? {
        guard let peer, !networks.isEmpty, trusts(peer), let forwardedFor else { return peer }
        let chain = forwardedFor.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        var client = peer
        for hop in chain.reversed() {
            guard Self.parse(hop) != nil else { return client }  // a malformed hop ends what we can believe
            client = hop
            if !trusts(hop) { return hop }
        }
        return client
    }

    /// The bytes of an IPv4 or IPv6 address, or nil.
    static func parse(_ text: String) -> [UInt8]? {
        var v4 = in_addr()
        if inet_pton(AF_INET, text, &v4) == 1 {
            return withUnsafeBytes(of: &v4) { Array($0) }
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, text, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { Array($0) }
        }
        return nil
    }
}
