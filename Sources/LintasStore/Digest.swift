internal import CLibCrypto
import Glibc

/// A SHA-256 digest, computed by OpenSSL's libcrypto.
public struct Digest: Sendable, Hashable, CustomStringConvertible {
    public static let byteCount = 32
    /// The previous hash of a request's first event.
    public static let zero = Digest(unchecked: [UInt8](repeating: 0, count: byteCount))

    public let bytes: [UInt8]

    /// A digest from 32 stored bytes, or `nil` for any other length.
    public init?(bytes: [UInt8]) {
        guard bytes.count == Digest.byteCount else { return nil }
        self.bytes = bytes
    }

    private init(unchecked bytes: [UInt8]) { self.bytes = bytes }

    /// A digest from 64 hex digits (either case), or `nil` for anything else.
    public init?(hex: String) {
        guard let bytes = Digest.bytes(hex: hex) else { return nil }
        self.init(bytes: bytes)
    }

    /// The bytes hex digits (either case) spell, or `nil` for an odd count or any other character.
    public static func bytes(hex: String) -> [UInt8]? {
        // Over the text's UTF-8 in place, into a buffer of its final size (iterating `utf8` and
        // appending cost about 2,700 instructions for a digest's 64 digits).
        var hex = hex
        return hex.withUTF8 { digits -> [UInt8]? in
            guard digits.count % 2 == 0 else { return nil }
            var bytes = [UInt8](repeating: 0, count: digits.count / 2)
            let valid = bytes.withUnsafeMutableBytes { decode(hexDigits: UnsafeRawBufferPointer(digits), into: $0) }
            return valid ? bytes : nil
        }
    }

    /// Writes the bytes hex digits (either case) spell into `bytes`, which has room for exactly half as
    /// many: false for any other character (what `bytes` holds then is not to be used).
    static func decode(hexDigits digits: UnsafeRawBufferPointer, into bytes: UnsafeMutableRawBufferPointer) -> Bool {
        precondition(digits.count == 2 * bytes.count)
        guard let source = digits.baseAddress, let target = bytes.baseAddress else { return true }
        // Eight digits a word (`decodeWord`), the rest one byte at a time. Without a branch a digit
        // (`nibble`'s, on digits and letters met at random, mispredicted about every third one):
        // each digit's value as if it were one, whether it is one gathered in one flag tested at
        // the end. Audit decodes the name of every letter part it looks up (about 1,160
        // instructions a name a byte at a time).
        var invalid: UInt64 = 0
        let words = bytes.count / 4
        for word in 0..<words {
            let eight = UInt64(littleEndian: source.loadUnaligned(fromByteOffset: 8 * word, as: UInt64.self))
            let (four, wrong) = decodeWord(eight)
            invalid |= wrong
            target.storeBytes(of: four.littleEndian, toByteOffset: 4 * word, as: UInt32.self)
        }
        for index in (4 * words)..<bytes.count {
            let high = source.load(fromByteOffset: 2 * index, as: UInt8.self)
            let low = source.load(fromByteOffset: 2 * index + 1, as: UInt8.self)
            invalid |= (isHexDigit(high) ? 0 : 1) | (isHexDigit(low) ? 0 : 1)
            target.storeBytes(of: hexValue(high) << 4 | hexValue(low), toByteOffset: index, as: UInt8.self)
        }
        return invalid == 0
    }

    /// The four bytes eight hex digits spell (the first digit in the word's low byte, the first
    /// byte in the result's), and a value other than 0 when any of them is not a hex digit: each
    /// byte's test and value as in `isHexDigit` and `hexValue`, all eight at once. A byte below
    /// 0x80 plus at most 0x50 does not carry into the next, so its top bit says whether it reached
    /// a bound.
    @inline(__always)
    static func decodeWord(_ digits: UInt64) -> (bytes: UInt32, invalid: UInt64) {
        let top: UInt64 = 0x8080_8080_8080_8080, ones: UInt64 = 0x0101_0101_0101_0101
        let ascii = digits & ~top
        let letters = ascii | 0x2020_2020_2020_2020
        // "0"…"9": at least 0x30 (plus 0x50 reaches 0x80), below 0x3A (plus 0x46 does not).
        let digit = (ascii &+ 0x50 &* ones) & ~(ascii &+ 0x46 &* ones)
        // "a"…"f" (either case): at least 0x61 (plus 0x1F), below 0x67 (plus 0x19).
        let letter = (letters &+ 0x1F &* ones) & ~(letters &+ 0x19 &* ones)
        let invalid = (digits & top) | (~(digit | letter) & top)
        let values = (digits & 0x0F0F_0F0F_0F0F_0F0F) &+ 9 &* ((digits >> 6) & ones)
        // Each pair's first value shifted up beside its second, the pairs' bytes then moved together.
        var packed = ((values << 4) | (values >> 8)) & 0x00FF_00FF_00FF_00FF
        packed = (packed | (packed >> 8)) & 0x0000_FFFF_0000_FFFF
        packed = (packed | (packed >> 16)) & 0xFFFF_FFFF
        return (UInt32(truncatingIfNeeded: packed), invalid)
    }

    /// The value of a hex digit (either case): its low four bits, plus 9 for a letter (`a`…`f`
    /// and `A`…`F` are 0x41… and 0x61…, the digits 0x30…); anything for another byte.
    @inline(__always)
    private static func hexValue(_ character: UInt8) -> UInt8 {
        (character & 0x0F) &+ 9 &* (character >> 6)
    }

    /// Whether a byte is a hex digit (either case), compared without a branch.
    @inline(__always)
    private static func isHexDigit(_ character: UInt8) -> Bool {
        // Either case: `a`…`f` and `A`…`F` differ only in the bit 0x20.
        (character &- UInt8(ascii: "0") < 10) != ((character | 0x20) &- UInt8(ascii: "a") < 6)
    }

    /// The value of one hex digit (either case), or `nil` for any other byte.
    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// Lowercase hex.
    public var hex: String { Digest.hex(of: bytes) }

    /// Any bytes as lowercase hex, written straight into the string's own storage: no array of the
    /// sixteen digits and none of the text first (about 1,630 instructions a digest, 6,000 digests
    /// a batched run of W1 at N = 2,000).
    public static func hex(of bytes: [UInt8]) -> String {
        String(unsafeUninitializedCapacity: bytes.count * 2) { text in
            for index in bytes.indices {
                let byte = bytes[index]
                text[2 * index] = hexDigit(byte >> 4)
                text[2 * index + 1] = hexDigit(byte & 0x0F)
            }
            return bytes.count * 2
        }
    }

    /// The lowercase hex digit of a value under 16. (`lowercaseWord` writes the same digits four bytes
    /// at a time, for `equals`; here, gathering the bytes into words cost more than it saved: the
    /// daemon +0.5 %.)
    @inline(__always)
    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") &+ value : UInt8(ascii: "a") &+ (value &- 10)
    }

    public var description: String { hex }

    /// SHA-256 of the concatenation of the parts, with a context on the stack (libcrypto's
    /// SHA256_* functions): no allocation or algorithm fetch per digest, as EVP has.
    public static func sha256(_ parts: [UInt8]...) -> Digest {
        var context = SHA256_CTX()
        SHA256_Init(&context)
        for part in parts {
            part.withUnsafeBytes { buffer in _ = SHA256_Update(&context, buffer.baseAddress, buffer.count) }
        }
        var output = [UInt8](repeating: 0, count: byteCount)
        output.withUnsafeMutableBufferPointer { buffer in _ = SHA256_Final(buffer.baseAddress, &context) }
        return Digest(unchecked: output)
    }
}

extension Digest {
    /// SHA-256 of borrowed bytes (a column as SQLite holds it).
    public static func sha256(_ bytes: UnsafeRawBufferPointer) -> Digest {
        var stream = SHA256Stream()
        stream.update(bytes)
        return stream.finish()
    }

    /// Whether the digest is written by these 64 hex digits (either case; only lowercase, as
    /// `hex` writes them, when `lowercase`), without decoding them or writing its own.
    public func equals(hex text: String, lowercase: Bool = false) -> Bool {
        bytes.withUnsafeBytes { Digest.equals($0, hex: text, lowercase: lowercase) }
    }

    /// `equals(hex:lowercase:)` of a digest's 32 bytes held elsewhere (`SHA256Stream.finish(into:)`).
    public static func equals(_ bytes: UnsafeRawBufferPointer, hex text: String, lowercase: Bool = false) -> Bool {
        var text = text
        return text.withUTF8 { equals(bytes, hexDigits: UnsafeRawBufferPointer($0), lowercase: lowercase) }
    }

    /// `equals(_:hex:lowercase:)` of hex digits held as bytes (a stored string's, between its quotes).
    public static func equals(_ bytes: UnsafeRawBufferPointer, hexDigits digits: UnsafeRawBufferPointer, lowercase: Bool = false) -> Bool {
        guard bytes.count == Digest.byteCount, digits.count == Digest.byteCount * 2 else { return false }
        // Most digits are lowercase, as `hex` writes them: the digest written so, eight digits a word
        // (`lowercaseWord`), each compared with the word of digits it stands for.
        var differ: UInt64 = 0
        for word in 0..<(Digest.byteCount / 4) {
            let four = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: 4 * word, as: UInt32.self))
            differ |= lowercaseWord(four) ^ UInt64(littleEndian: digits.loadUnaligned(fromByteOffset: 8 * word, as: UInt64.self))
        }
        let same = differ == 0
        if same || lowercase { return same }
        for index in 0..<Digest.byteCount {
            guard let high = Digest.nibble(digits[2 * index]), let low = Digest.nibble(digits[2 * index + 1]),
                  high << 4 | low == bytes[index] else { return false }
        }
        return true
    }

    /// Four bytes (the first in the low byte) as eight lowercase hex digits (the first in the low
    /// byte), all at once: each byte's two nibbles spread to two bytes, the high one first, then
    /// "0" added to each, and 39 more (to "a") to those of 10 or more (plus 6 they reach 16).
    @inline(__always)
    static func lowercaseWord(_ four: UInt32) -> UInt64 {
        let nibble: UInt64 = 0x000F_000F_000F_000F, ones: UInt64 = 0x0101_0101_0101_0101
        var spread = UInt64(four)
        spread = (spread | spread << 16) & 0x0000_FFFF_0000_FFFF
        spread = (spread | spread << 8) & 0x00FF_00FF_00FF_00FF
        let values = (spread >> 4) & nibble | (spread & nibble) << 8
        let letters = ((values &+ 6 &* ones) >> 4) & ones
        return values &+ 0x30 &* ones &+ 39 &* letters
    }

    /// Whether the digest is these 32 bytes.
    public func equals(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.count == Digest.byteCount && self.bytes.withUnsafeBytes { memcmp($0.baseAddress!, bytes.baseAddress!, Digest.byteCount) == 0 }
    }
}

/// SHA-256 fed in parts, with its context on the stack (libcrypto's `SHA256_*`): for hashing
/// what is stored in pieces without joining them first.
public struct SHA256Stream {
    private var context = SHA256_CTX()

    public init() { SHA256_Init(&context) }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        _ = SHA256_Update(&context, bytes.baseAddress, bytes.count)
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func finish() -> Digest {
        var output = [UInt8](repeating: 0, count: Digest.byteCount)
        output.withUnsafeMutableBytes { finish(into: $0) }
        return Digest(bytes: output)!
    }

    /// The digest written into the first 32 bytes of `output`, which the caller reuses: no
    /// allocation (an array of 32 bytes a digest cost about 800 instructions to make and free).
    public mutating func finish(into output: UnsafeMutableRawBufferPointer) {
        precondition(output.count >= Digest.byteCount)
        _ = SHA256_Final(output.baseAddress?.assumingMemoryBound(to: UInt8.self), &context)
    }
}

/// Incremental SHA-256 over libcrypto's EVP interface. The context is reused across
/// digests, so hashing many events does not allocate a context each time.
///
/// Not `Sendable`: one EVP context, used by one thread at a time.
public final class SHA256Hasher {
    private let context: OpaquePointer

    public init() {
        guard let context = EVP_MD_CTX_new() else { fatalError("libcrypto could not allocate a digest context") }
        self.context = context
        reset()
    }

    deinit { EVP_MD_CTX_free(context) }

    public func reset() {
        guard EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else { fatalError("libcrypto could not start SHA-256") }
    }

    public func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { buffer in
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
    }

    /// The digest of everything since the last reset; the hasher is reset for the next one.
    public func finish() -> Digest {
        var output = [UInt8](repeating: 0, count: Digest.byteCount)
        var length: UInt32 = 0
        output.withUnsafeMutableBufferPointer { buffer in
            _ = EVP_DigestFinal_ex(context, buffer.baseAddress, &length)
        }
        reset()
        return Digest(bytes: output)!
    }
}

extension Array where Element == UInt8 {
    /// Byte for byte, by `memcmp` (`==` on arrays compares element by element): a replayed state
    /// against its stored projection, a cache key against another.
    public func sameBytes(as other: [UInt8]) -> Bool {
        guard count == other.count else { return false }
        guard !isEmpty else { return true }
        return withUnsafeBytes { left in other.withUnsafeBytes { right in memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0 } }
    }
}
