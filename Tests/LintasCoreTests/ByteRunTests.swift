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
