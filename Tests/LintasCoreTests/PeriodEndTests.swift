import LintasCore
import Testing

@Suite("PeriodEnd: a period's end read from its bytes as from its tree")
struct PeriodEndTests {
    @Test("a period as lintas writes it gives its end from its bytes, as the tree does; any other value, a member named twice among them, is left to the tree")
    func plainPeriod() throws {
        let read: [(String, CivilDate?)] = [
            (#"{"end":"2026-09-28","start":"2026-04-01"}"#, CivilDate(iso: "2026-09-28")),
            (#"{"end":"2026-09-28","start":"2026-04-01","text":"1 April 2026 s.d. 28 September 2026"}"#, CivilDate(iso: "2026-09-28")),
            (#"{ "end" : "2026-09-28" , "start" : 1 }"#, CivilDate(iso: "2026-09-28")),
            (#"{"start":"2026-04-01"}"#, nil),
            (#"{"end":7,"start":"2026-04-01"}"#, nil),
            (#"{"end":null}"#, nil),
            (#"{"end":"28 September 2026"}"#, nil),
            (#"{"end":"2026-02-30"}"#, CivilDate(iso: "2026-02-30")),
            (#"{"end":"2026-9-28"}"#, nil),
            ("{}", nil),
        ]
        let leftToTree = [
            #"{"end":"2026-09-28","end":"2026-10-01"}"#,
            #"{"start":"2026-04-01","end":"2026-09-28"}"#,
            #"{"end":"2026-09-28","x":{"a":1,"a":2}}"#,
            #"{"end":"2026-09-28","x":[1]}"#,
            #"{"\u0065nd":"2026-09-28"}"#,
            #"{"end":"2026\u002d09-28"}"#,
            #""2026-09-28""#,
            "[1]",
            "7",
        ]
        for (text, end) in read {
            let bytes = Array(text.utf8)
            let plain = bytes.withUnsafeBufferPointer { PeriodEnd.of(plainPeriod: $0) }
            #expect(plain == .some(end), "\(text)")
            #expect(plain == .some(PeriodEnd.of(period: try JSONValue.parse(bytes))), "\(text)")
        }
        for text in leftToTree {
            #expect(Array(text.utf8).withUnsafeBufferPointer { PeriodEnd.of(plainPeriod: $0) } == .none, "\(text)")
        }
    }

    @Test("a period's end from its tree is its end member's date whatever else the object holds, read in place or looked up")
    func periodFromTree() throws {
        let read: [(String, CivilDate?)] = [
            (#"{"end":"2026-09-28","start":"2026-04-01"}"#, CivilDate(iso: "2026-09-28")),
            (#"{"start":"2026-04-01","end":"2026-09-28"}"#, CivilDate(iso: "2026-09-28")),
            (#"{"end":"2026-09-28"}"#, CivilDate(iso: "2026-09-28")),
            (#"{"ends":"2026-09-28","start":"2026-04-01"}"#, nil),
            (#"{"end":"2026-09-28","start":"2026-04-01","text":"x"}"#, CivilDate(iso: "2026-09-28")),
            (#"{"a":1,"b":2,"end":"2026-09-28"}"#, CivilDate(iso: "2026-09-28")),
            (#"{"end":7}"#, nil),
            (#""2026-09-28""#, nil),
            ("{}", nil),
        ]
        for (text, end) in read {
            #expect(PeriodEnd.of(period: try JSONValue.parse(text)) == end, "\(text)")
        }
        #expect(PeriodEnd.of(period: nil) == nil)
    }
}
