import LintasStore
import Testing

@Suite("SHA-256: the hash chain's digest")
struct DigestTests {
    @Test("known digests (FIPS 180-2), in one part or several, and the incremental hasher agrees")
    func knownDigests() {
        #expect(Digest.sha256([]).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(Digest.sha256(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        let message = Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)
        #expect(Digest.sha256(message).hex == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        #expect(Digest.sha256(Array(message[..<7]), [], Array(message[7...])).hex == Digest.sha256(message).hex)
        let hasher = SHA256Hasher()
        hasher.update(Array(message[..<20]))
        hasher.update(Array(message[20...]))
        #expect(hasher.finish() == Digest.sha256(message))
        #expect(hasher.finish() == Digest.sha256([]), "the hasher starts again after finishing")
    }

    @Test("hex digits read back as bytes in either case; an odd count or any other character is refused")
    func hexDigits() {
        let digest = Digest.sha256(Array("abc".utf8))
        #expect(Digest(hex: digest.hex) == digest)
        #expect(Digest(hex: digest.hex.uppercased()) == digest)
        #expect(Digest.bytes(hex: "00aF7f") == [0x00, 0xAF, 0x7F])
        #expect(Digest.bytes(hex: "") == [])
        #expect(Digest.bytes(hex: "abc") == nil, "an odd count")
        #expect(Digest.bytes(hex: "0g") == nil && Digest.bytes(hex: "g0") == nil && Digest.bytes(hex: "é0") == nil)
        #expect(Digest(hex: String(digest.hex.dropLast(2))) == nil, "31 bytes are not a digest")
    }

    @Test("every ASCII character as either digit of a byte: only 0-9, a-f and A-F are read, as their values")
    func everyHexDigit() {
        for code in UInt8(0)...UInt8(127) {
            let character = Character(Unicode.Scalar(code))
            let value: UInt8? = switch character {
            case "0"..."9": code - UInt8(ascii: "0")
            case "a"..."f": code - UInt8(ascii: "a") + 10
            case "A"..."F": code - UInt8(ascii: "A") + 10
            default: nil
            }
            #expect(Digest.bytes(hex: "\(character)1") == value.map { [$0 << 4 | 1] }, "\(code) first")
            #expect(Digest.bytes(hex: "e\(character)") == value.map { [0xE0 | $0] }, "\(code) second")
        }
    }
}
