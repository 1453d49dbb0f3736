import Foundation
import RapportCore
import Testing

/// A stand-in hash for pure tests (the real chain uses SHA-256): FNV-1a, 64 bits, hex.
func testHash(_ bytes: [UInt8]) -> String {
    var hash: UInt64 = 0xcbf2_9ce4_8422_2325
    for byte in bytes {
        hash ^= UInt64(byte)
        hash = hash &* 0x0000_0100_0000_01B3
    }
    return String(hash, radix: 16)
}

func makeChain(_ count: Int) -> [AuditEntry] {
    var entries: [AuditEntry] = []
    var previous = AuditChain.genesis
    for seq in 1...Int64(count) {
        let id = RecordID.make(.audit, millis: UInt64(seq), entropy: (0, UInt64(seq)))
        let at = Date(timeIntervalSince1970: 1_767_603_600 + Double(seq))
        let details = ["n": String(seq)]
        let bytes = AuditChain.canonicalBytes(seq: seq, id: id, at: at, actorID: nil, action: "test.event", objectKind: "user", objectID: "usr_\(seq)", address: nil, details: details, previousHash: previous)
        let entry = AuditEntry(seq: seq, id: id, at: at, actorID: nil, action: "test.event", objectKind: "user", objectID: "usr_\(seq)", address: nil, details: details, previousHash: previous, hash: testHash(bytes))
        entries.append(entry)
        previous = entry.hash
    }
    return entries
}

@Suite struct AuditChainTests {
    @Test func anIntactChainVerifies() throws {
        let chain = makeChain(5)
        let result = AuditChain.verify(chain, after: (0, AuditChain.genesis), hash: testHash)
        let last = try result.get()
        #expect(last.seq == 5)
        #expect(AuditChain.verifyHead(last: last, head: (5, chain[4].hash)) == nil)
    }

    @Test func anEditedEntryIsNamed() {
        var chain = makeChain(5)
        chain[2].details["n"] = "tampered"
        guard case .failure(let broken) = AuditChain.verify(chain, after: (0, AuditChain.genesis), hash: testHash) else {
            Issue.record("tampering was not detected")
            return
        }
        #expect(broken == AuditChain.Break(seq: 3, reason: .hashMismatch))
    }

    @Test func aDeletedEntryIsNamed() {
        var chain = makeChain(5)
        chain.remove(at: 1)
        guard case .failure(let broken) = AuditChain.verify(chain, after: (0, AuditChain.genesis), hash: testHash) else {
            Issue.record("deletion was not detected")
            return
        }
        #expect(broken == AuditChain.Break(seq: 2, reason: .missing))
    }

    @Test func aRehashedButRelinkedEntryIsCaught() {
        // An attacker edits entry 3 and recomputes its hash: entry 4 no longer links to it.
        var chain = makeChain(5)
        chain[2].action = "forged"
        chain[2].hash = testHash(AuditChain.canonicalBytes(of: chain[2]))
        guard case .failure(let broken) = AuditChain.verify(chain, after: (0, AuditChain.genesis), hash: testHash) else {
            Issue.record("forgery was not detected")
            return
        }
        #expect(broken == AuditChain.Break(seq: 4, reason: .linkMismatch))
    }

    @Test func aDeletedTailIsCaughtByTheHead() throws {
        let chain = makeChain(5)
        let last = try AuditChain.verify(Array(chain.prefix(4)), after: (0, AuditChain.genesis), hash: testHash).get()
        #expect(AuditChain.verifyHead(last: last, head: (5, chain[4].hash)) == AuditChain.Break(seq: 5, reason: .missing))
    }

    @Test func fieldBoundariesCannotBeShifted() {
        // "ab" + "c" and "a" + "bc" must hash differently: fields are length-prefixed.
        let id = RecordID(trusted: "aud_X")
        let at = Date(timeIntervalSince1970: 0)
        let one = AuditChain.canonicalBytes(seq: 1, id: id, at: at, actorID: nil, action: "ab", objectKind: "c", objectID: nil, address: nil, details: [:], previousHash: "")
        let two = AuditChain.canonicalBytes(seq: 1, id: id, at: at, actorID: nil, action: "a", objectKind: "bc", objectID: nil, address: nil, details: [:], previousHash: "")
        #expect(one != two)
    }
}
