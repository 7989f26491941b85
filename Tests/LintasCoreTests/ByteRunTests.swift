@testable import LintasCore
import Testing

/// The encoders that return `[UInt8]` write into a `ByteRun` made with room beforehand and hand
/// its bytes over (`finish`): what they return must be the bytes written, no more, whatever the
/// room they started with and however often it grew.
@Suite("a byte run written piece by piece gives the bytes an array appended piece by piece gets")
struct ByteRunTests {
    /// The same pieces into an array and into a run: keys, strings (escaped, not ASCII, long),
    /// integers, bytes, arrays of strings.
    static func write<Output: CanonicalOutput>(_ round: Int, into output: inout Output) {
        output.writeKey("first", first: true)
        output.writeString("plain \(round)")
        output.writeKey("escaped", first: false)
        output.writeString("a \"quote\", a \\ and a\nnewline, Pasal 11 ayat (4) huruf \(round) — é")
        output.writeKey("long", first: false)
        output.writeString(String(repeating: "panjang ", count: round * 40))
        output.writeKey("number", first: false)
        output.writeInteger(Int64(round) * -1_234_567_890_123)
        output.writeKey("raw", first: false)
        [UInt8]("{\"as\":\"stored\"}".utf8).withUnsafeBytes { output.writeBytes($0) }
        output.writeKey("list", first: false)
        output.writeStrings((0..<round).map { "nip-\($0)" })
        output.writeText("}")
    }

    @Test("from no room, a little room or more than is needed, grown many times or not at all; the run left empty to be used again", arguments: [0, 1, 16, 100_000])
    func finishGivesTheBytesWritten(capacity: Int) {
        var expected: [UInt8] = []
        var run = ByteRun(capacity: capacity)
        for round in 0..<12 {
            Self.write(round, into: &expected)
            Self.write(round, into: &run)
        }
        #expect(run.finish() == expected)
        #expect(run.count == 0 && run.bytes.isEmpty)
        Self.write(3, into: &run)
        var again: [UInt8] = []
        Self.write(3, into: &again)
        #expect(run.finish() == again)
    }
}

/// `ByteRun.put(integer:)` counts the digits and writes them in place from the last, two at a
/// time: every length, every pair, each side of each power of ten, and the ends of `Int64`, as
/// `JSONWriter` writes them.
@Suite("a byte run writes an integer's digits as JSONWriter does")
struct ByteRunIntegerTests {
    @Test("0 to 10,000 and their negatives, each side of each power of ten, Int64.min and Int64.max")
    func integersAsJSONWriterWritesThem() {
        var numbers: [Int64] = [Int64.min, Int64.max, Int64.min + 1, Int64.max - 1, 1_772_416_800_123, -1_772_416_800_123]
        numbers += (-10_000...10_000).map { Int64($0) }
        var power: Int64 = 10
        while true {
            numbers += [power - 1, power, power + 1, -(power - 1), -power, -(power + 1)]
            guard power <= Int64.max / 10 else { break }
            power *= 10
        }
        for number in numbers {
            var expected: [UInt8] = []
            JSONWriter.writeInteger(number, into: &expected)
            // Both share `ByteCursor.put(integer:)` now: checked against the decimal form too.
            #expect(expected == Array(String(number).utf8), "\(number)")
            var run = ByteRun()
            run.put(UInt8(ascii: "["))
            run.put(integer: number)
            run.put(UInt8(ascii: "]"))
            #expect(run.finish() == [UInt8(ascii: "[")] + expected + [UInt8(ascii: "]")], "\(number)")
        }
    }
}

/// `JSONWriter.needsEscape` and `isPlainASCII` read sixteen and eight bytes at a time, the last
/// eight again, and shorter text as a word padded with spaces: each byte that matters, at every
/// position of text of every length up to past two runs of sixteen, is found.
@Suite("the escape scan finds a quote, backslash, control byte or non-ASCII byte wherever it stands")
struct EscapeScanTests {
    static func needsEscape(_ bytes: [UInt8]) -> Bool { bytes.contains { $0 == 0x22 || $0 == 0x5C || $0 < 0x20 } }
    static func isPlainASCII(_ bytes: [UInt8]) -> Bool { !needsEscape(bytes) && !bytes.contains { $0 >= 0x80 } }

    @Test("every length from 0 to 40, each byte at each position, in plain text and among other bytes",
          arguments: [0x22, 0x5C, 0x00, 0x0A, 0x1F, 0x20, 0x21, 0x7F, 0x80, 0xC3, 0xFF] as [UInt8])
    func findsEachByte(_ byte: UInt8) {
        for length in 0...40 {
            for position in 0..<max(length, 1) {
                for filler in [UInt8(ascii: "a"), 0xA0] {
                    var text = [UInt8](repeating: filler, count: length)
                    if length > 0 { text[position] = byte }
                    text.withUnsafeBufferPointer { bytes in
                        #expect(JSONWriter.needsEscape(bytes) == Self.needsEscape(text), "\(text)")
                        #expect(JSONWriter.isPlainASCII(UnsafeRawBufferPointer(bytes)) == Self.isPlainASCII(text), "\(text)")
                    }
                }
            }
        }
    }

    @Test("a scan reads only the text: a quote just before or after it is not found")
    func readsOnlyTheText() {
        let around = [UInt8](repeating: 0x22, count: 8) + [UInt8](repeating: UInt8(ascii: "a"), count: 40) + [UInt8](repeating: 0x22, count: 8)
        around.withUnsafeBufferPointer { all in
            for length in 0...40 {
                let text = UnsafeBufferPointer(rebasing: all[8..<(8 + length)])
                #expect(!JSONWriter.needsEscape(text))
                #expect(JSONWriter.isPlainASCII(UnsafeRawBufferPointer(text)))
            }
        }
    }
}

/// `ByteRun.writeString` copies a string between quotes and checks it for bytes to escape in one
/// pass (`JSONWriter.copyPlain`: sixteen bytes at a time, the last sixteen overlapping, two overlapping
/// words, or three bytes), dropping what it copied when one needs an escape: every byte value at
/// every position of strings of every length up to past two runs of sixteen, small strings and
/// large, gives the bytes `JSONWriter.writeString` appends to an array.
@Suite("a byte run writes each string as JSONWriter.writeString writes it")
struct ByteRunStringTests {
    static func check(_ text: String, after prefix: String) {
        var expected: [UInt8] = []
        JSONWriter.writeString(prefix, into: &expected)
        JSONWriter.writeString(text, into: &expected)
        expected.append(UInt8(ascii: "]"))
        var run = ByteRun()
        run.writeString(prefix)
        run.writeString(text)
        run.put(UInt8(ascii: "]"))
        #expect(run.finish() == expected, "\(Array(text.utf8))")
    }

    @Test("every ASCII byte (quotes, backslashes and control bytes among them) at every position, lengths 0 to 40, after plain and escaped text")
    func everyByteAtEveryPosition() {
        for length in 0...40 {
            for position in 0..<max(length, 1) {
                for byte in UInt8(0)..<0x80 {
                    var text = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                    if length > 0 { text[position] = byte }
                    Self.check(String(decoding: text, as: UTF8.self), after: byte % 2 == 0 ? "nip" : "a \"quote\"")
                }
            }
        }
    }

    @Test("text not ASCII (two, three and four bytes a character) at every position, with and without a quote after it")
    func notASCIIAtEveryPosition() {
        for character in ["é", "—", "😀"] {
            for length in 0...40 {
                for position in 0...length {
                    let plain = String(repeating: "a", count: position) + character + String(repeating: "b", count: length - position)
                    Self.check(plain, after: "")
                    Self.check(plain + "\"", after: "")
                    Self.check(plain + "\n" + plain, after: "panjang")
                }
            }
        }
    }
}
