/// Bytes written piece by piece into a buffer that grows (doubling) and is reused, each piece
/// copied into place: `Array.append(contentsOf:)` costs about 100 instructions a call whatever
/// its length (a uniqueness check, a generic copy), and a request's state is written from some
/// hundred pieces. `bytes` holds `count` bytes written, then room.
struct ByteRun {
    private(set) var bytes: [UInt8] = []
    /// How many of `bytes` are written; set to 0 to start again.
    var count = 0

    init() {}

    /// Room for `capacity` bytes made at once (an encoder's usual size), instead of growing to it
    /// by doubling from the first piece.
    init(capacity: Int) { bytes = Self.room(capacity) }

    /// An array of `size` bytes left as the allocator gave them, not zeroed: no byte of a run
    /// is read before it is written (only the first `count` are, and each piece writes its
    /// room before `count` covers it).
    private static func room(_ size: Int) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: size) { _, initialized in initialized = size }
    }

    /// The bytes written, as an array of their own; the run is left empty. For an encoder that
    /// returns `[UInt8]` and writes its pieces here: the room after them cut off once.
    mutating func finish() -> [UInt8] {
        var written: [UInt8] = []
        swap(&written, &bytes)
        written.removeLast(written.count - count)
        count = 0
        return written
    }

    /// Runs `body` with the bytes written, read in place.
    func withWritten<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[..<count])) }
    }

    @inline(__always)
    mutating func put(_ piece: UnsafeRawBufferPointer) {
        guard let source = piece.baseAddress else { return }
        write(piece.count) { $0.copyMemory(from: source, byteCount: piece.count) }
    }

    @inline(__always)
    mutating func put(_ text: StaticString) { put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }

    @inline(__always)
    mutating func put(_ byte: UInt8) { write(1) { $0.storeBytes(of: byte, as: UInt8.self) } }

    /// As `JSONWriter.writeInteger` writes it (`ByteCursor.put(integer:)`).
    mutating func put(integer: Int64) { write(atMost: 20) { $0.put(integer: integer) } }

    /// Room for at most `length` more bytes, grown to fit, which `body` writes one piece after the
    /// other with the cursor it is given: one check of the room (and of the buffer's uniqueness)
    /// for many small pieces, where each `put` checks both.
    @inline(__always)
    mutating func write(atMost length: Int, _ body: (inout ByteCursor) -> Void) {
        let start = count
        var written = 0
        write(length) { base in
            var cursor = ByteCursor(at: base)
            body(&cursor)
            written = base.distance(to: cursor.position)
        }
        // A caller's bound too small has already written past the room: caught in debug builds (the tests).
        assert(written <= length, "ByteRun.write(atMost: \(length)) wrote \(written) bytes")
        count = start + written
    }

    /// Room for `length` more bytes, grown to fit, which `body` writes from the pointer it is given.
    @inline(__always)
    private mutating func write(_ length: Int, _ body: (UnsafeMutableRawPointer) -> Void) {
        let start = count
        count += length
        if bytes.count < count { grow(to: max(count, 2 * bytes.count)) }
        bytes.withUnsafeMutableBytes { body($0.baseAddress! + start) }
    }

    /// A buffer of `size` bytes (`room`) with what is written copied in: appending
    /// `repeatElement(0, ...)` to the array went through a generic loop, byte by byte.
    @inline(never)
    private mutating func grow(to size: Int) {
        var grown = Self.room(size)
        grown.withUnsafeMutableBytes { target in bytes.withUnsafeBytes { target.copyMemory(from: $0) } }
        bytes = grown
    }
}

/// Where the next piece goes in room made beforehand (`ByteRun.write(atMost:)`); nothing is checked.
struct ByteCursor {
    fileprivate(set) var position: UnsafeMutableRawPointer

    /// A cursor at `position`, with room after it that the caller made.
    init(at position: UnsafeMutableRawPointer) { self.position = position }

    @inline(__always)
    mutating func put(_ piece: UnsafeRawBufferPointer) {
        guard let source = piece.baseAddress else { return }
        position.copyMemory(from: source, byteCount: piece.count)
        position += piece.count
    }

    @inline(__always)
    mutating func put(_ text: StaticString) { put(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }

    @inline(__always)
    mutating func put(_ byte: UInt8) {
        position.storeBytes(of: byte, as: UInt8.self)
        position += 1
    }

    /// An integer's decimal digits, after a `-` when it is negative (every integer lintas writes
    /// goes through here: `JSONWriter.withDigits`): at most 20 bytes. The digits counted first, then
    /// written in place from the last two at a time (`digitPairs`): no run on the stack, no
    /// closure, no copy, half the divisions.
    mutating func put(integer: Int64) {
        if integer < 0 { put(UInt8(ascii: "-")) }
        var magnitude = integer.magnitude
        // Nineteen digits at most (`Int64.min`'s magnitude): counted two at a time, 10^18 the
        // largest bound multiplied (10^20 would overflow).
        var length = 2, bound: UInt64 = 100
        while magnitude >= bound && length < 18 {
            length += 2
            bound &*= 100
        }
        if magnitude < bound / 10 { length -= 1 } else if magnitude >= bound { length += 1 }
        position += length
        var end = position
        let pairs = UnsafeRawPointer(Self.digitPairs.utf8Start)
        while magnitude >= 10 {
            end -= 2
            end.copyMemory(from: pairs + 2 * Int(magnitude % 100), byteCount: 2)
            magnitude /= 100
        }
        if end > position - length { (end - 1).storeBytes(of: UInt8(ascii: "0") &+ UInt8(truncatingIfNeeded: magnitude), as: UInt8.self) }
    }

    /// "00" to "99": the two digits of each number below 100.
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """
}

/// Where `RequestState.writeCanonical` writes a state's canonical bytes, each piece as
/// `JSONWriter` writes it: an array (`RequestState.canonicalBytes`), or a `ByteRun` written in
/// place (`RequestFold.writeCanonical`, some thirty pieces a request that would each be an append).
protocol CanonicalOutput {
    /// `{"key":` for the first member, `,"key":` after it (`JSONWriter.writeKey`).
    mutating func writeKey(_ key: StaticString, first: Bool)
    mutating func writeString(_ text: String)
    mutating func writeInteger(_ number: Int64)
    mutating func writeByte(_ byte: UInt8)
    /// Bytes as they are (canonical JSON already).
    mutating func writeBytes(_ bytes: UnsafeRawBufferPointer)
    /// An array of strings (`JSONWriter.writeStrings`).
    mutating func writeStrings(_ items: some Sequence<String>)
}

extension CanonicalOutput {
    mutating func writeText(_ text: StaticString) { writeBytes(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)) }

    /// An array of strings, as `JSONWriter.writeStrings` writes it, piece by piece.
    mutating func writeStrings(_ items: some Sequence<String>) {
        writeByte(UInt8(ascii: "["))
        for (index, item) in items.enumerated() {
            if index > 0 { writeByte(UInt8(ascii: ",")) }
            writeString(item)
        }
        writeByte(UInt8(ascii: "]"))
    }
}

extension Array: CanonicalOutput where Element == UInt8 {
    mutating func writeKey(_ key: StaticString, first: Bool) { JSONWriter.writeKey(key, first: first, into: &self) }
    mutating func writeString(_ text: String) { JSONWriter.writeString(text, into: &self) }
    mutating func writeInteger(_ number: Int64) { JSONWriter.writeInteger(number, into: &self) }
    mutating func writeByte(_ byte: UInt8) { append(byte) }
    mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self)) }
    mutating func writeStrings(_ items: some Sequence<String>) { JSONWriter.writeStrings(items, into: &self) }
}

extension ByteRun: CanonicalOutput {
    /// Inlined where it is written: the key's length is known there, and its copy is a move or
    /// two, not a call to `memcpy`.
    @inline(__always)
    mutating func writeKey(_ key: StaticString, first: Bool) {
        let length = key.utf8CodeUnitCount
        write(length + 4) { run in
            run.storeBytes(of: first ? UInt8(ascii: "{") : UInt8(ascii: ","), as: UInt8.self)
            run.storeBytes(of: UInt8(ascii: "\""), toByteOffset: 1, as: UInt8.self)
            (run + 2).copyMemory(from: key.utf8Start, byteCount: length)
            run.storeBytes(of: UInt8(ascii: "\""), toByteOffset: length + 2, as: UInt8.self)
            run.storeBytes(of: UInt8(ascii: ":"), toByteOffset: length + 3, as: UInt8.self)
        }
    }

    @inline(__always)
    mutating func writeString(_ text: String) {
        // Most strings need no escape: quoted as they stand, read where they are (no copy of the
        // string to make contiguous, which `withUTF8` takes; every native string is), copied and
        // checked in one pass (`JSONWriter.copyPlain`). One that needs an escape is dropped again.
        let start = count
        let quoted: Bool? = text.utf8.withContiguousStorageIfAvailable { bytes in
            var plain = true
            write(bytes.count + 2) { run in
                run.storeBytes(of: UInt8(ascii: "\""), as: UInt8.self)
                if let source = bytes.baseAddress {
                    plain = JSONWriter.copyPlain(UnsafeRawPointer(source), count: bytes.count, to: run + 1)
                }
                run.storeBytes(of: UInt8(ascii: "\""), toByteOffset: bytes.count + 1, as: UInt8.self)
            }
            return plain
        }
        if quoted == true { return }
        count = start
        var escaped: [UInt8] = []
        JSONWriter.writeString(text, into: &escaped)
        escaped.withUnsafeBytes { put($0) }
    }

    mutating func writeInteger(_ number: Int64) { put(integer: number) }
    @inline(__always)
    mutating func writeByte(_ byte: UInt8) { put(byte) }
    mutating func writeBytes(_ bytes: UnsafeRawBufferPointer) { put(bytes) }
}

/// Room reused for one state's canonical bytes after another (`RequestState.withCanonicalBytes(in:_:)`).
public struct CanonicalBuffer {
    /// Made at its first use (`withCanonicalBytes`).
    var run = ByteRun()

    public init() {}
}
