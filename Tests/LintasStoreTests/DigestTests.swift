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
        #expect(Digest.bytes(hex: "0123456789abcdEF7f") == [0x01, 0x23, 0x45, 0x67, 0x89, 0xAB, 0xCD, 0xEF, 0x7F], "a word and a byte")
        #expect(Digest.bytes(hex: "abc") == nil, "an odd count")
        #expect(Digest.bytes(hex: "0g") == nil && Digest.bytes(hex: "g0") == nil && Digest.bytes(hex: "é0") == nil)
        #expect(Digest(hex: String(digest.hex.dropLast(2))) == nil, "31 bytes are not a digest")
    }

    @Test("every byte written as two lowercase digits, in order, read back as itself; no bytes as no digits")
    func hexOfEveryByte() {
        let bytes = (0...255).map(UInt8.init)
        let text = Digest.hex(of: bytes)
        #expect(text.utf8.count == 512)
        for (index, byte) in bytes.enumerated() {
            let digits = Array(text.utf8)[(2 * index)..<(2 * index + 2)]
            let expected = Array((byte < 16 ? "0" : "") + String(byte, radix: 16))
            #expect(digits.map { Character(UnicodeScalar($0)) } == expected, "byte \(byte)")
        }
        #expect(Digest.bytes(hex: text) == bytes)
        #expect(Digest.hex(of: []) == "")
        #expect(Digest.sha256(Array("abc".utf8)).hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
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

    @Test("every ASCII character, and a two-byte one, at every place of 64 digits (decoded eight a word): only 0-9, a-f and A-F are read")
    func everyHexDigitInWords() {
        let digits = Array("0123456789abcdefABCDEF9876543210fedcbaFEDCBA0a1B2c3D4e5F6a7b8c9d".utf8)
        func expected(_ text: [UInt8]) -> [UInt8]? {
            func nibble(_ code: UInt8) -> UInt8? {
                switch code {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): code - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): code - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): code - UInt8(ascii: "A") + 10
                default: nil
                }
            }
            var bytes: [UInt8] = []
            for index in stride(from: 0, to: text.count, by: 2) {
                guard let high = nibble(text[index]), let low = nibble(text[index + 1]) else { return nil }
                bytes.append(high << 4 | low)
            }
            return bytes
        }
        #expect(Digest.bytes(hex: String(decoding: digits, as: UTF8.self)) == expected(digits))
        for place in digits.indices {
            for code in UInt8(0)...UInt8(127) {
                var text = digits
                text[place] = code
                #expect(Digest.bytes(hex: String(decoding: text, as: UTF8.self)) == expected(text), "\(code) at \(place)")
            }
            guard place + 1 < digits.count else { continue }
            var text = digits
            text.replaceSubrange(place...(place + 1), with: "é".utf8)
            #expect(Digest.bytes(hex: String(decoding: text, as: UTF8.self)) == nil, "é at \(place)")
        }
    }

    @Test("a digest equals its hex digits (written eight a word), in either case unless lowercase only, and no digits with one changed")
    func equalsHexDigits() {
        for seed in 0..<64 {
            let digest = Digest.sha256(Array("seed \(seed)".utf8))
            let hex = digest.hex
            #expect(digest.equals(hex: hex) && digest.equals(hex: hex, lowercase: true), "\(seed)")
            #expect(digest.equals(hex: hex.uppercased()), "\(seed) uppercase")
            #expect(!digest.equals(hex: hex.uppercased(), lowercase: true) || hex.uppercased() == hex, "\(seed) uppercase, lowercase only")
            #expect(!digest.equals(hex: String(hex.dropLast(2))), "\(seed) 31 bytes")
            var digits = Array(hex.utf8)
            let place = seed, original = digits[seed]
            for other in Array("0123456789abcdef".utf8) where other != original {
                digits[place] = other
                #expect(!digest.equals(hex: String(decoding: digits, as: UTF8.self)), "\(seed): \(other) at \(place)")
            }
        }
        #expect(Digest.zero.equals(hex: String(repeating: "0", count: 64)))
        #expect(Digest(bytes: [UInt8](repeating: 0xFF, count: 32))!.equals(hex: String(repeating: "f", count: 64), lowercase: true))
        #expect(Digest(bytes: Array(0..<32))!.equals(hex: "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f", lowercase: true))
    }
}
