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
        // Without a branch a digit (`nibble`'s, on digits and letters met at random, mispredicted
        // about every third one): each digit's value as if it were one, whether it is one gathered
        // in one flag tested at the end. Audit decodes the name of every letter part it looks up.
        var invalid: UInt8 = 0
        for index in 0..<bytes.count {
            let high = source.load(fromByteOffset: 2 * index, as: UInt8.self)
            let low = source.load(fromByteOffset: 2 * index + 1, as: UInt8.self)
            invalid |= (isHexDigit(high) ? 0 : 1) | (isHexDigit(low) ? 0 : 1)
            target.storeBytes(of: hexValue(high) << 4 | hexValue(low), toByteOffset: index, as: UInt8.self)
        }
        return invalid == 0
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

    /// Any bytes as lowercase hex.
    public static func hex(of bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
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
        // Most digits are lowercase, as `hex` writes them: the digest written so, compared in one run.
        let same = withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Digest.byteCount * 2) { written in
            let table = lowercaseDigits.utf8Start
            for index in 0..<Digest.byteCount {
                written[2 * index] = table[Int(bytes[index] >> 4)]
                written[2 * index + 1] = table[Int(bytes[index] & 0x0F)]
            }
            return memcmp(written.baseAddress!, digits.baseAddress!, Digest.byteCount * 2) == 0
        }
        if same || lowercase { return same }
        for index in 0..<Digest.byteCount {
            guard let high = Digest.nibble(digits[2 * index]), let low = Digest.nibble(digits[2 * index + 1]),
                  high << 4 | low == bytes[index] else { return false }
        }
        return true
    }

    private static let lowercaseDigits: StaticString = "0123456789abcdef"

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
