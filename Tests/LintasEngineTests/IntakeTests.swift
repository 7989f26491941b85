import LintasCore
import LintasEngine
import TestSupport
import Testing

@Suite("Intake: command lines are queued whole or not at all, each bad line named")
struct IntakeTests {
    @Test("every malformed line is refused with its number; blank lines and CRLF are fine")
    func lineNumbers() {
        let text = """
        {"id":"c1","request":"PML-1","action":"submit","actor":"\(Pemalang.kabidP2P)","workflow":"w","data":{}}\r

        {"id":"c2","request":"PML-1","action":"recommend","actor":"\(Pemalang.kadisKominfo)"
        {"id":"c3","request":"PML-1","action":"recommend","actor":"1975"}
        ["not", "an", "object"]
        {"id":"c5","request":"PML-1","action":"recommend","actor":"\(Pemalang.kadisKominfo)","at":"yesterday","data":[],"extra":1}
        """
        let (commands, problems) = Intake.parse(Array(text.utf8))
        #expect(commands.map(\.line) == [1])
        #expect(problems.map(\.line) == [3, 4, 5, 6])
        #expect(problems[0].message.contains("not valid JSON"))
        #expect(problems[1].message.contains("a NIP has 18 digits"))
        #expect(problems[2].message.contains("expected a JSON object"))
        #expect(problems[3].message.contains("\"at\""))
        #expect(problems[3].message.contains("\"data\" must be an object"))
        #expect(problems[3].message.contains("unknown member \"extra\""))
    }

    @Test("a command id beginning with timer: is refused: it is kept for the timers' own events")
    func timerShapedID() {
        let text = """
        {"id":"timer:PML-1:2","request":"PML-1","action":"recommend","actor":"\(Pemalang.kadisKominfo)"}
        {"id":"timers-1","request":"PML-1","action":"recommend","actor":"\(Pemalang.kadisKominfo)"}
        """
        let (commands, problems) = Intake.parse(Array(text.utf8))
        #expect(commands.map(\.line) == [2])
        #expect(problems.map(\.line) == [1])
        #expect(problems.first?.message.contains("\"id\": \"timer:PML-1:2\" begins with \"timer:\"") == true, "\(problems)")
    }

    @Test("invalid UTF-8 and oversized lines are refused, not truncated")
    func hostileBytes() {
        var bytes = Array(#"{"id":"c1","request":"PML-"#.utf8) + [0xFF, 0xFE] + Array(#"","action":"x","actor":"\#(Pemalang.kabidP2P)"}"#.utf8)
        bytes += [0x0A] + Array(repeating: UInt8(ascii: " "), count: 10) + Array("{\"id\":\"".utf8)
            + Array(repeating: UInt8(ascii: "a"), count: Intake.maximumLineBytes) + Array("\"}".utf8)
        let (commands, problems) = Intake.parse(bytes)
        #expect(commands.isEmpty)
        #expect(problems.map(\.line) == [1, 2])
        #expect(problems[0].message.contains("UTF-8"))
        #expect(problems[1].message.contains("longer than"))
    }

    @Test("a file with one bad line queues nothing; resubmitting the same file queues nothing twice")
    func allOrNothing() throws {
        let harness = try Harness()
        let good = Lines.accepted("PML-1")
        #expect(throws: Intake.Refused.self) { try harness.submit([good[0], "{oops", good[1]]) }
        #expect(try harness.store.queueSummary().queued == 0)
        let first = try harness.submit(good)
        let second = try harness.submit(good)
        #expect(first.queuedIDs.count == 6)
        #expect(second.queuedIDs.isEmpty)
        #expect(second.duplicateLines == [1, 2, 3, 4, 5, 6])
        let changed = good[0].replacingOccurrences(of: "Dasbor surveilans", with: "Lain")
        #expect { try harness.submit([changed]) } throws: { error in
            (error as? Intake.Refused)?.problems.first?.message.contains("already used for a different command") == true
        }
    }
}
