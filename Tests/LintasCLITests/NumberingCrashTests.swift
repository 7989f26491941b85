import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("letter numbers through kill -9: allocated in the event's transaction, so a crash leaves neither a gap nor a duplicate")
struct NumberingCrashTests {
    @Test("Pasal 11 ayat (4) huruf c for 40 requests, the daemon killed with SIGKILL mid-batch five times: the register runs 1…40, one letter per request, audit clean", arguments: CommitMode.allCases)
    func killNineWhileIssuing(_ mode: CommitMode) throws {
        let lintas = try Lintas.prepared()
        let requests = (1...40).map { "PML-N\($0)" }
        var lines: [String] = []
        for request in requests {
            lines += [
                Pemalang.submit(request),
                Pemalang.line("\(request)-r", request, "recommend", Pemalang.kadisKominfo, day: 3),
                Pemalang.line("\(request)-a", request, "approve", Pemalang.kabidAptika, day: 4, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
                Pemalang.line("\(request)-i", request, "issue_letter", Pemalang.kadisKominfo, day: 5),
            ]
        }
        try lintas.expectSuccess(["submit", "-"], stdin: lines.joined(separator: "\n"))
        var killedWithWork = 0
        for _ in 0..<5 {
            let daemon = try RunningDaemon(lintas, ["--batch", "3", "--poll-ms", "5"] + mode.arguments)
            _ = eventually(seconds: 5) { !daemon.events.isEmpty }
            usleep(UInt32.random(in: 0..<60_000))
            #expect(daemon.stop(SIGKILL) == SIGKILL)
            let queued = Int(try lintas.query("SELECT count(*) FROM commands WHERE status = 'queued'")[0][0]) ?? 0
            if queued > 0 { killedWithWork += 1 }
        }
        #expect(killedWithWork > 0, "at least one kill came while commands were still queued")
        try lintas.expectSuccess(["daemon", "--until-idle"] + mode.arguments)

        #expect(try lintas.refusals().isEmpty)
        // Each request issues the surat permohonan pelibatan (huruf a) and the surat penugasan (huruf c).
        let all = try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? []
        for type in ["surat_permohonan_pelibatan", "surat_penugasan"] {
            let letters = all.filter { $0["type"]?.stringValue == type }
            let sequences = letters.compactMap { $0["id"]?.stringValue?.split(separator: "/").last.flatMap { Int($0) } }
            #expect(sequences == Array(1...40), "\(type): no gap, no duplicate")
            #expect(letters.compactMap { $0["request"]?.stringValue }.sorted() == requests.sorted(), "\(type): one per request")
        }
        #expect(try lintas.query("SELECT last FROM letter_registers WHERE register = 'diskominfo/800.1.11.1/2026'") == [["40"]])
        #expect(try lintas.query("SELECT count(*) FROM events WHERE action = 'issue_letter'") == [["40"]])
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean"))
    }
}
