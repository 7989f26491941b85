import Foundation
import LintasCore
import Testing

@Suite("Exactly once through kill -9")
struct CrashTests {
    /// How many times the daemon is killed in each commit mode: 30 in the suite, more with `LINTAS_SOAK_KILLS=500`.
    static let kills = ProcessInfo.processInfo.environment["LINTAS_SOAK_KILLS"].flatMap(Int.init) ?? 30

    @Test("a daemon killed with SIGKILL at random moments under steady load loses no command, applies none twice, ends each expired assignment once, and the audit is clean", arguments: CommitMode.allCases)
    func killNineUnderLoad(_ mode: CommitMode) throws {
        let lintas = try Lintas.prepared()
        let spool = lintas.folder.appendingPathComponent("spool")
        var submitted: Set<String> = []
        var files: [String] = []
        var resent = 0
        var previous: [String] = []
        var killedWithWork = 0
        var killedMidWork = 0
        var doneBefore = 0
        var recovered = 0
        var requests = 0
        let started = Date()

        // Every third assignment ran in April 2026: the daemon ends it (a timer event) as soon as
        // it is accepted, which must happen exactly once too.
        var expired = 0
        func next(_ count: Int) -> [String] {
            (0..<count).flatMap { _ in
                requests += 1
                if requests % 3 == 0 { expired += 1 }
                return acceptedProcedure("PML-K\(requests)", expired: requests % 3 == 0)
            }
        }
        func ids(_ lines: [String]) -> [String] {
            lines.compactMap { try? JSONValue.parse($0)["id"]?.stringValue }
        }

        for round in 0..<CrashTests.kills {
            // Steady load: three requests through `lintas submit` (the daemon finds them queued
            // when it starts), then three through the spool while it runs, and the previous
            // round's lines sent again (as a sender that crashed before it saw the answer would).
            let direct = next(3)
            try lintas.expectSuccess(["submit", "-"], stdin: direct.joined(separator: "\n"))
            let daemon = try RunningDaemon(lintas, ["--spool", spool.path, "--poll-ms", "5", "--batch", "3"] + mode.arguments)
            let spooled = next(3)
            try lintas.drop(spooled, as: "round-\(round).jsonl", into: spool)
            files.append("round-\(round).jsonl")
            if !previous.isEmpty {
                try lintas.drop(previous, as: "resend-\(round).jsonl", into: spool)
                files.append("resend-\(round).jsonl")
                resent += previous.count
            }
            submitted.formUnion(ids(direct + spooled))
            previous = direct
            // Mostly while it works (its first log line means it has opened the store); one
            // round in four at any moment, startup and recovery included.
            if round % 4 != 0 { _ = eventually(seconds: 5) { !daemon.events.isEmpty } }
            usleep(UInt32.random(in: 0..<120_000))
            #expect(daemon.stop(SIGKILL) == SIGKILL)
            recovered += daemon.log.filter { $0["event"]?.stringValue == "spool_done" && $0["recovered"] == .bool(true) }.count
            let pending = Int(try lintas.query("SELECT count(*) FROM commands WHERE status = 'queued'")[0][0]) ?? 0
            let claimed = (try? FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("processing").path).count) ?? 0
            let doneNow = Int(try lintas.query("SELECT count(*) FROM commands WHERE status = 'done'")[0][0]) ?? 0
            if pending > 0 || claimed > 0 { killedWithWork += 1 }
            if (pending > 0 || claimed > 0) && doneNow > doneBefore { killedMidWork += 1 }
            doneBefore = doneNow
        }
        let finalRun = try lintas.expectSuccess(["daemon", "--until-idle", "--spool", spool.path] + mode.arguments)

        let outcomes = Dictionary(uniqueKeysWithValues: try lintas.query("SELECT id, status FROM commands").map { ($0[0], $0[1]) })
        let lost = submitted.filter { outcomes[$0] == nil || outcomes[$0] == "queued" }
        let refused = outcomes.filter { $0.value == "refused" }
        let duplicated = try lintas.query("SELECT command FROM events GROUP BY command HAVING count(*) > 1").map { $0[0] }
            + lintas.query("SELECT request FROM events WHERE action = 'ended' GROUP BY request HAVING count(*) > 1").map { $0[0] }
        let ends = Int(try lintas.query("SELECT count(*) FROM events WHERE action = 'ended'")[0][0]) ?? -1
        let events = Int(try lintas.query("SELECT count(*) FROM events")[0][0]) ?? -1
        let doneEvents = Int(try lintas.query("""
            SELECT count(*) FROM commands c JOIN events e ON e.command = c.id WHERE c.status = 'done'
            """)[0][0]) ?? -1
        let done = outcomes.values.filter { $0 == "done" }.count
        let accepted = Int(try lintas.query("SELECT count(*) FROM requests WHERE state = 'accepted'")[0][0]) ?? -1
        let ended = Int(try lintas.query("SELECT count(*) FROM requests WHERE state = 'ended'")[0][0]) ?? -1
        print("""
            crash test (\(mode.testDescription)): \(CrashTests.kills) kills survived (\(killedWithWork) with commands queued or a file claimed, \(killedMidWork) of them after processing some), \
            \(submitted.count) commands (\(resent) lines resent), \(files.count) spool files (\(recovered) taken again from processing/), \(done) done, \
            \(refused.count) refused, \(events) events (\(ends) of them ended assignments), lost \(lost.count), duplicated \(duplicated.count), \
            \(String(format: "%.1f", Date().timeIntervalSince(started))) s
            """)

        #expect(lost.isEmpty, "lost: \(lost.sorted().prefix(10))")
        #expect(duplicated.isEmpty, "applied twice: \(duplicated.prefix(10))")
        #expect(refused.isEmpty, "refused: \(refused.keys.sorted().prefix(10))")
        #expect(outcomes.count == submitted.count)
        #expect(events == done + ends && doneEvents == done)
        #expect(ends == expired)
        #expect(accepted == requests - expired && ended == expired)
        let remaining = ["inbox", "processing", "failed"].flatMap {
            (try? FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent($0).path)) ?? []
        }
        #expect(remaining.isEmpty, "left in the spool: \(remaining)")
        let moved = Set((try? FileManager.default.contentsOfDirectory(atPath: spool.appendingPathComponent("done").path)) ?? [])
        #expect(moved == Set(files))
        let audit = try lintas.run(["audit"])
        #expect(audit.status == 0, "\(audit.stderr)")
        #expect(finalRun.status == 0)
    }
}
