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

    /// Three requests through to their letter, each with a command refused on the way.
    static let commitEachLines = (1...3).flatMap { number -> [String] in
        let request = "PML-\(number)"
        return [Pemalang.submit(request, Pemalang.inForce),
                Pemalang.line("\(request)-r", request, "recommend", Pemalang.kadisKominfo, day: 3),
                Pemalang.line("\(request)-bad", request, "recommend", Pemalang.kadisKominfo, day: 3),   // refused: done already
                Pemalang.line("\(request)-a", request, "approve", Pemalang.kabidAptika, day: 4, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
                Pemalang.line("\(request)-i", request, "issue_letter", Pemalang.kadisKominfo, day: 5)]
    }

    /// `commitEachLines` submitted and processed by `lintas daemon --until-idle` with `options`.
    static func processed(_ options: [String]) throws -> (Lintas, String) {
        let lintas = try Lintas.prepared()
        try lintas.expectSuccess(["submit", "-"], stdin: commitEachLines.joined(separator: "\n") + "\n")
        let log = try lintas.expectSuccess(["daemon", "--until-idle"] + options).stderr
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean: 12 events in 3 requests"))
        return (lintas, log)
    }

    /// The outcomes, states and letters of `commitEachLines` in `each` are those one command a batch gives (`one`).
    static func expectSame(_ each: Lintas, as one: Lintas) throws {
        #expect(try each.refusals() == one.refusals())
        #expect(try each.refusals().count == 3)
        for request in ["PML-1", "PML-2", "PML-3"] {
            let (stateOne, stateEach) = (try one.status(request), try each.status(request))
            #expect(stateEach["state"] == stateOne["state"] && stateEach["state"]?.stringValue == "letter_issued", "\(request)")
            #expect(stateEach["letters"] == stateOne["letters"], "\(request)")
        }
    }

    @Test("--commit-each: every command committed apart takes the outcomes, states and letters one command a batch gives, and the audit is clean")
    func commitEach() throws {
        let (one, _) = try Self.processed(["--batch", "1"])
        let (each, log) = try Self.processed(["--commit-each"])
        #expect(log.contains("\"commit_each\":true"))
        try Self.expectSame(each, as: one)
    }

    @Test("--commit-each, or batches of 3 claimed 22 at a time: a store error mid-claim is logged after a batch line of the commands committed before it, whole commits only; run again, nothing is lost or applied twice",
          arguments: [["--commit-each"], ["--batch", "3", "--claim-batches", "22"]])
    func commitEachStoreError(_ options: [String]) throws {
        let lintas = try Lintas.prepared()
        try lintas.expectSuccess(["submit", "-"], stdin: Self.commitEachLines.joined(separator: "\n") + "\n")
        // The file refuses the letters (a trigger of its own, as a damaged disk would refuse a write): PML-1's fifth command fails.
        // Committed alone, the four before it stay; in batches of three, the first three, PML-1's approval rolled back with the letter.
        let committed = options == ["--commit-each"] ? 4 : 3
        #expect(lintas.sql("CREATE TRIGGER refuse_letter BEFORE INSERT ON events WHEN NEW.action = 'issue_letter' BEGIN SELECT RAISE(ABORT, 'letters refused'); END") == nil)
        let failed = try lintas.run(["daemon", "--until-idle"] + options)
        #expect(failed.status == 1)
        let lines = failed.stderr.split(separator: "\n").map(String.init)
        let batches = lines.compactMap { try? JSONValue.parse($0) }.filter { $0["event"] == "batch" }
        #expect(batches.count == 1)
        #expect(batches.first?["commands"] == .int(Int64(committed)) && batches.first?["done"] == .int(Int64(committed - 1)) && batches.first?["refused"] == .int(1))
        #expect(batches.first?["events"] == .int(Int64(committed - 1)))
        #expect(lines.contains { $0.contains("\"event\":\"refused\"") && $0.contains("PML-1-bad") })
        #expect(lines.last?.hasPrefix("Error: the store failed") == true, "\(failed.stderr)")
        #expect(try lintas.query("SELECT count(*) FROM events") == [["\(committed - 1)"]])
        #expect(try lintas.query("SELECT count(*) FROM commands WHERE status = 'queued'") == [["\(15 - committed)"]])
        #expect(try lintas.status("PML-1")["state"]?.stringValue == (committed == 4 ? "approved" : "recommended"))

        #expect(lintas.sql("DROP TRIGGER refuse_letter") == nil)
        let log = try lintas.expectSuccess(["daemon", "--until-idle"] + options).stderr
        let rest = log.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }.filter { $0["event"] == "batch" }
        #expect(rest.compactMap { $0["commands"]?.intValue }.reduce(0, +) == Int64(15 - committed))
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean: 12 events in 3 requests"))
        try Self.expectSame(lintas, as: try Self.processed(["--batch", "1"]).0)
    }

    @Test("--commit-each, the daemon's WAL written through GatheredWAL: each command its log counts processed is read at once by lintas status in another process, and a SIGKILL mid-run loses none of them")
    func acknowledgedIsReadElsewhere() throws {
        let lintas = try Lintas.prepared()
        let daemon = try RunningDaemon(lintas, ["--commit-each", "--batch", "4", "--poll-ms", "5"])
        /// The commands the daemon's batch lines count (done or refused): what it has acknowledged, after their commits.
        func acknowledged() -> Int64 {
            daemon.log.filter { $0["event"] == "batch" }.compactMap { $0["commands"]?.intValue }.reduce(0, +)
        }
        // One command at a time: the request's state after each, a refused one leaving it as it was.
        let states = ["requested", "recommended", "recommended", "approved", "letter_issued"]
        for (index, line) in Self.commitEachLines.enumerated() {
            try lintas.expectSuccess(["submit", "-"], stdin: line + "\n")
            #expect(eventually { acknowledged() == Int64(index + 1) })
            #expect(try lintas.status("PML-\(index / 5 + 1)")["state"]?.stringValue == states[index % 5], "\(line)")
        }
        // Two hundred more at once, in batches of four committed each: the daemon killed once it has acknowledged some.
        let more = (4...203).map { Pemalang.submit("PML-\($0)", Pemalang.inForce) }
        try lintas.expectSuccess(["submit", "-"], stdin: more.joined(separator: "\n") + "\n")
        #expect(eventually { acknowledged() > 15 })
        #expect(daemon.stop(SIGKILL) == SIGKILL)
        let processed = Int64(try lintas.query("SELECT count(*) FROM commands WHERE status <> 'queued'")[0][0]) ?? -1
        #expect(processed >= acknowledged(), "acknowledged \(acknowledged()), in the file \(processed)")
        print("killed with \(acknowledged()) commands acknowledged, \(processed) of 215 processed in the file")
        try lintas.expectSuccess(["daemon", "--until-idle", "--commit-each"])
        #expect(try lintas.query("SELECT count(*) FROM commands WHERE status = 'queued'") == [["0"]])
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean: 212 events in 203 requests"))
    }
}
