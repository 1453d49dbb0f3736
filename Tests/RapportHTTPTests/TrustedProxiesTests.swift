import Foundation
import RapportHTTP
import RapportServer
import Testing

@Suite struct TrustedProxiesTests {
    @Test func withoutTrustedProxiesThePeerIsTheClient() {
        #expect(TrustedProxies.none.clientAddress(peer: "10.0.0.5", forwardedFor: "203.0.113.9") == "10.0.0.5")
    }

    @Test func aTrustedBalancerNamesTheClient() throws {
        let proxies = try TrustedProxies(["10.0.0.0/8", "2001:db8::/32"])
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "203.0.113.9") == "203.0.113.9")
        // A client cannot smuggle an address in front: the right-most untrusted hop counts.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "1.1.1.1, 203.0.113.9, 10.0.0.7") == "203.0.113.9")
        #expect(proxies.clientAddress(peer: "2001:db8::1", forwardedFor: "2001:db9::5") == "2001:db9::5")
        // An untrusted peer is the client whatever it claims.
        #expect(proxies.clientAddress(peer: "198.51.100.4", forwardedFor: "203.0.113.9") == "198.51.100.4")
        // Garbage ends what can be believed.
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: "not-an-ip") == "10.1.2.3")
        #expect(proxies.clientAddress(peer: "10.1.2.3", forwardedFor: nil) == "10.1.2.3")
    }

    @Test func prefixesAreExact() throws {
        let proxies = try TrustedProxies(["192.168.1.0/25"])
        #expect(proxies.trusts("192.168.1.127"))
        #expect(!proxies.trusts("192.168.1.128"))
        #expect(try TrustedProxies(["0.0.0.0/0"]).trusts("8.8.8.8"))
    }

    @Test(arguments: ["10.0.0.0/33", "10.0.0", "example.com", "::1/129", "10.0.0.0/x"])
    func badEntriesAreRefusedByName(_ entry: String) async throws {
        #expect(throws: TrustedProxies.Invalid(entry: entry)) { try TrustedProxies([entry]) }
        await #expect { try await ServerConfiguration.load(flags: [:], environment: ["RAPPORT_TRUSTED_PROXIES": "10.0.0.1, \(entry)"]) } throws: { error in
            (error as? ServerConfiguration.Invalid)?.key == "trusted_proxies"
        }
    }
}
