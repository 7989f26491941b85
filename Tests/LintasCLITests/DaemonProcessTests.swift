import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("lintas daemon as a long-running process")
struct DaemonProcessTests {
    @Test("processes commands submitted while it runs, and exits 0 on SIGTERM", arguments: [SIGTERM, SIGINT])
    func stopsCleanlyOnSignal(_ signal: Int32) throws {
        let lintas = try Lintas.prepared()
        let (daemon, _, stderr) = try lintas.start(["daemon", "--poll-ms", "20"])
        defer { if daemon.isRunning { daemon.terminate() } }
        try lintas.expectSuccess(["submit", "-"], stdin: Pemalang.submit("PML-1"))
        #expect(try eventually { try lintas.run(["status", "PML-1"]).status == 0 })
        try lintas.expectSuccess(["submit", "-"], stdin: Pemalang.line("r", "PML-1", "recommend", Pemalang.kadisKominfo, day: 3))
        #expect(try eventually { try lintas.status("PML-1")["state"]?.stringValue == "recommended" })

        kill(daemon.processIdentifier, signal)
        #expect(eventually { !daemon.isRunning })
        daemon.waitUntilExit()
        #expect(daemon.terminationReason == .exit)
        #expect(daemon.terminationStatus == 0)
        let log = String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let events = log.split(separator: "\n").compactMap { try? JSONValue.parse(String($0))["event"]?.stringValue }
        #expect(events.first == "daemon_started")
        #expect(events.last == "daemon_stopped")
        #expect(events.contains("batch"))
    }

    @Test("--commit-each: every command committed apart takes the outcomes, states and letters one command a batch gives, and the audit is clean")
    func commitEach() throws {
        let lines = (1...3).flatMap { number -> [String] in
            let request = "PML-\(number)"
            return [Pemalang.submit(request, Pemalang.inForce),
                    Pemalang.line("\(request)-r", request, "recommend", Pemalang.kadisKominfo, day: 3),
                    Pemalang.line("\(request)-bad", request, "recommend", Pemalang.kadisKominfo, day: 3),   // refused: done already
                    Pemalang.line("\(request)-a", request, "approve", Pemalang.kabidAptika, day: 4, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
                    Pemalang.line("\(request)-i", request, "issue_letter", Pemalang.kadisKominfo, day: 5)]
        }
        func processed(_ options: [String]) throws -> (Lintas, String) {
            let lintas = try Lintas.prepared()
            try lintas.expectSuccess(["submit", "-"], stdin: lines.joined(separator: "\n") + "\n")
            let log = try lintas.expectSuccess(["daemon", "--until-idle"] + options).stderr
            #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean: 12 events in 3 requests"))
            return (lintas, log)
        }
        let (one, _) = try processed(["--batch", "1"])
        let (each, log) = try processed(["--commit-each"])
        #expect(log.contains("\"commit_each\":true"))
        #expect(try each.refusals() == one.refusals())
        #expect(try each.refusals().count == 3)
        for request in ["PML-1", "PML-2", "PML-3"] {
            let (stateOne, stateEach) = (try one.status(request), try each.status(request))
            #expect(stateEach["state"] == stateOne["state"] && stateEach["state"]?.stringValue == "letter_issued", "\(request)")
            #expect(stateEach["letters"] == stateOne["letters"], "\(request)")
        }
    }
}
