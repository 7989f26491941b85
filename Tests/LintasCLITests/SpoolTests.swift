import Foundation
import LintasCore
import TestSupport
import Testing

/// The five steps that take a request to `accepted` (Pasal 11 ayat (4) huruf a, b, c, e).
/// - Parameter expired: an assignment that ran in April 2026 and has ended since.
func acceptedProcedure(_ request: String, expired: Bool = false) -> [String] {
    var contents = Pemalang.inForce
    if expired { contents["duration"] = .object(["start": "2026-04-01", "end": "2026-04-30"]) }
    return [
        Pemalang.submit(request, contents),
        Pemalang.line("\(request)-recommend", request, "recommend", Pemalang.kadisKominfo, day: 3),
        Pemalang.line("\(request)-approve", request, "approve", Pemalang.kabidAptika, day: 4, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
        Pemalang.line("\(request)-letter", request, "issue_letter", Pemalang.kadisKominfo, day: 5),
        Pemalang.line("\(request)-accept", request, "accept", Pemalang.prakomMuda, day: 6),
    ]
}

@Suite("lintas daemon --spool: files dropped by other systems")
struct SpoolTests {
    func files(_ folder: URL) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
    }

    @Test("a good file is queued and moved to done/; a bad one to failed/ with every problem by line; files still being written are left alone")
    func goodBadAndUnfinished() throws {
        let lintas = try Lintas.prepared()
        let spool = lintas.folder.appendingPathComponent("spool")
        try lintas.drop(acceptedProcedure("PML-1"), as: "eoffice-001.jsonl", into: spool)
        try lintas.drop([Pemalang.submit("PML-2"), #"{"id": "b-2", "request": "PML-2", "action": "recommend"}"#, "{not json"],
                        as: "eoffice-002.jsonl", into: spool)
        let inbox = spool.appendingPathComponent("inbox")
        for unfinished in ["eoffice-003.jsonl.tmp", "eoffice-004.jsonl.part", ".eoffice-005.jsonl"] {
            try Data(Pemalang.submit("PML-9").utf8).write(to: inbox.appendingPathComponent(unfinished))
        }

        let run = try lintas.run(["daemon", "--until-idle", "--spool", spool.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(files(spool.appendingPathComponent("done")) == ["eoffice-001.jsonl"])
        #expect(files(spool.appendingPathComponent("failed")) == ["eoffice-002.jsonl", "eoffice-002.jsonl.errors.json"])
        #expect(files(inbox) == [".eoffice-005.jsonl", "eoffice-003.jsonl.tmp", "eoffice-004.jsonl.part"])
        #expect(files(spool.appendingPathComponent("processing")).isEmpty)
        #expect(try lintas.status("PML-1")["state"]?.stringValue == "accepted")

        let errors = try JSONValue.parse([UInt8](Data(contentsOf: spool.appendingPathComponent("failed/eoffice-002.jsonl.errors.json"))))
        let problems = errors["problems"]?.arrayValue ?? []
        #expect(problems.map { $0["line"] } == [.int(2), .int(3)])
        #expect(problems.first?["message"]?.stringValue?.contains("\"actor\" is missing") == true)
        #expect(problems.last?["message"]?.stringValue?.contains("not valid JSON") == true)
        // Whole or nothing: the good first line of the refused file was not queued either.
        #expect(try lintas.query("SELECT count(*) FROM commands WHERE request = 'PML-2'") == [["0"]])
        #expect(run.stderr.contains("\"event\":\"spool_failed\""))
    }

    @Test("a file claimed by a daemon that was killed is queued on restart, once", arguments: [false, true])
    func crashBetweenClaimAndMove(alreadyQueued: Bool) throws {
        let lintas = try Lintas.prepared()
        let spool = lintas.folder.appendingPathComponent("spool")
        let lines = acceptedProcedure("PML-1")
        if alreadyQueued {
            // Killed after the queue committed, before the file was moved on.
            try lintas.expectSuccess(["submit", "-"], stdin: lines.joined(separator: "\n"))
        }
        let processing = spool.appendingPathComponent("processing")
        try FileManager.default.createDirectory(at: processing, withIntermediateDirectories: true)
        try Data(lines.joined(separator: "\n").utf8).write(to: processing.appendingPathComponent("left.jsonl"))

        let run = try lintas.run(["daemon", "--until-idle", "--spool", spool.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(files(spool.appendingPathComponent("done")) == ["left.jsonl"])
        #expect(files(processing).isEmpty)
        let log = run.stderr.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        let moved = log.first { $0["event"]?.stringValue == "spool_done" }
        #expect(moved?["recovered"] == .bool(true))
        #expect(moved?["duplicates"] == .int(alreadyQueued ? 5 : 0))
        #expect(try lintas.query("SELECT count(*), count(DISTINCT command) FROM events") == [["5", "5"]])
        #expect(try lintas.status("PML-1")["state"]?.stringValue == "accepted")
    }

    @Test("a file over 64 MB is moved to failed/ unread, also when the inbox holds a symbolic link to it")
    func oversizedFileUnread() throws {
        let lintas = try Lintas.prepared()
        let spool = lintas.folder.appendingPathComponent("spool")
        try lintas.drop([Pemalang.submit("PML-1")], as: "eoffice-001.jsonl", into: spool)
        let inbox = spool.appendingPathComponent("inbox")
        let limit = 64 << 20  // the most a spool file may have (operations.md)
        // Sparse: one byte more than a spool file may have, none of it written to the disk.
        func oversized(at url: URL) throws {
            try #require(FileManager.default.createFile(atPath: url.path, contents: nil))
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: UInt64(limit + 1))
            try handle.close()
        }
        try oversized(at: inbox.appendingPathComponent("eoffice-002.jsonl"))
        let elsewhere = lintas.folder.appendingPathComponent("export.jsonl")
        try oversized(at: elsewhere)
        try FileManager.default.createSymbolicLink(atPath: inbox.appendingPathComponent("eoffice-003.jsonl").path, withDestinationPath: elsewhere.path)

        let run = try lintas.run(["daemon", "--until-idle", "--spool", spool.path])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(files(spool.appendingPathComponent("done")) == ["eoffice-001.jsonl"])
        let failed = spool.appendingPathComponent("failed")
        #expect(files(failed) == ["eoffice-002.jsonl", "eoffice-002.jsonl.errors.json", "eoffice-003.jsonl", "eoffice-003.jsonl.errors.json"])
        for name in ["eoffice-002.jsonl", "eoffice-003.jsonl"] {
            let errors = try JSONValue.parse([UInt8](Data(contentsOf: failed.appendingPathComponent(name + ".errors.json"))))
            let message = errors["problems"]?.arrayValue?.first?["message"]?.stringValue ?? ""
            #expect(message.contains("has \(limit + 1) bytes, more than the \(limit)"), "\(name): \(message)")
        }
        #expect(try lintas.query("SELECT count(*) FROM commands") == [["1"]])
    }
}

@Suite("Operating the daemon: one per database, status, backup, a locked database")
struct OperationsTests {
    @Test("a second daemon on the same database is refused, naming the first one's pid")
    func oneDaemonPerDatabase() throws {
        let lintas = try Lintas.prepared()
        let daemon = try RunningDaemon(lintas, ["--poll-ms", "20"])
        #expect(eventually { daemon.events.contains("daemon_started") })
        let second = try lintas.run(["daemon", "--until-idle"])
        #expect(second.status == 1)
        #expect(second.stderr.contains("another lintas daemon (pid \(daemon.pid)) is running"), "\(second.stderr)")
        #expect(daemon.stop() == 0)
    }

    @Test("daemon status: running or not, queue depth, the oldest waiting command, the last batch")
    func status() throws {
        let lintas = try Lintas.prepared()
        var status = try lintas.expectSuccess(["daemon", "status", "--json"]).json()
        #expect(status["daemon"]?["running"] == .bool(false))
        #expect(status["queue"]?["queued"] == .int(0))
        #expect(status["last_batch"] == nil)

        try lintas.expectSuccess(["submit", "-"], stdin: acceptedProcedure("PML-1").joined(separator: "\n"))
        status = try lintas.expectSuccess(["daemon", "status", "--json"]).json()
        #expect(status["queue"]?["queued"] == .int(5))
        #expect(status["queue"]?["oldest"]?["id"] == .string("PML-1-submit"))
        #expect(try lintas.expectSuccess(["daemon", "status"]).stdout.contains("5 commands waiting; oldest PML-1-submit"))

        let daemon = try RunningDaemon(lintas, ["--poll-ms", "20"])
        #expect(try eventually { try lintas.expectSuccess(["daemon", "status", "--json"]).json()["queue"]?["queued"] == .int(0) })
        status = try lintas.expectSuccess(["daemon", "status", "--json"]).json()
        #expect(status["daemon"]?["running"] == .bool(true))
        #expect(status["daemon"]?["heartbeat"]?["pid"] == .int(Int64(daemon.pid)))
        #expect(status["last_batch"] != nil)
        #expect(try lintas.expectSuccess(["daemon", "status"]).stdout.contains("running (pid \(daemon.pid)"))
        #expect(daemon.stop() == 0)
        #expect(try lintas.expectSuccess(["daemon", "status", "--json"]).json()["daemon"]?["running"] == .bool(false))
    }

    @Test("daemon status and the daemon's start warn when the working-day calendar ends within 60 days, and not while it runs further")
    func calendarRunningOut() throws {
        let lintas = try Lintas.prepared()
        let thisYear = Calendar(identifier: .gregorian).dateComponents(in: TimeZone(identifier: "Asia/Jakarta")!, from: Date()).year!
        func calendar(_ year: Int) throws -> String {
            let file = lintas.folder.appendingPathComponent("libur-\(year).json")
            try """
                {"format": "lintas.calendar/1", "id": "libur-\(year)", "title": "Hari libur \(year) (uji)", "years": [\(year)],
                 "sources": [{"year": \(year), "decree": "SKB (uji)"}], "days": [{"date": "\(year)-01-01", "kind": "libur_nasional", "name": "Tahun Baru"}]}
                """.write(to: file, atomically: true, encoding: .utf8)
            return file.path
        }
        let ended = try calendar(thisYear - 1), ahead = try calendar(thisYear + 2)

        let warned = try lintas.expectSuccess(["daemon", "status", "--calendar", ended])
        #expect(warned.stdout.contains("WARNING: The working-day calendar libur-\(thisYear - 1) ended on \(thisYear - 1)-12-31"), "\(warned.stdout)")
        #expect(warned.stdout.contains("deadline_uncounted") && warned.stdout.contains("docs/operations.md"), "\(warned.stdout)")
        let json = try lintas.expectSuccess(["daemon", "status", "--json", "--calendar", ended]).json()
        #expect(json["calendar"]?["last_day"] == .string("\(thisYear - 1)-12-31"))
        #expect(json["calendar"]?["warning"] != nil)
        let run = try lintas.expectSuccess(["daemon", "--until-idle", "--calendar", ended])
        let log = run.stderr.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        #expect(log.contains { $0["event"] == "calendar_ends" && $0["calendar"] == .string("libur-\(thisYear - 1)") }, "\(run.stderr)")

        let quiet = try lintas.expectSuccess(["daemon", "status", "--calendar", ahead])
        #expect(quiet.stdout.contains("Calendar   libur-\(thisYear + 2), \(thisYear + 2)"), "\(quiet.stdout)")
        #expect(!quiet.stdout.contains("WARNING"), "\(quiet.stdout)")
        #expect(try lintas.expectSuccess(["daemon", "status", "--json", "--calendar", ahead]).json()["calendar"]?["warning"] == nil)
        let calm = try lintas.expectSuccess(["daemon", "--until-idle", "--calendar", ahead])
        #expect(!calm.stderr.contains("calendar_ends"), "\(calm.stderr)")
    }

    @Test("backup while the daemon writes: the copy is consistent and audits clean")
    func backupWhileRunning() throws {
        let lintas = try Lintas.prepared()
        let daemon = try RunningDaemon(lintas, ["--poll-ms", "10", "--batch", "3"])
        var backups: [String] = []
        for round in 0..<4 {
            try lintas.expectSuccess(["submit", "-"], stdin: (0..<5).flatMap { acceptedProcedure("PML-\(round)-\($0)") }.joined(separator: "\n"))
            let path = lintas.folder.appendingPathComponent("backup-\(round).db").path
            let result = try lintas.expectSuccess(["backup", path])
            #expect(result.stdout.contains("integrity check ok"))
            backups.append(path)
        }
        #expect(daemon.stop() == 0)
        for path in backups {
            let audit = try lintas.run(["audit", "--db", path, "--json"], database: false)
            #expect(audit.status == 0, "\(path): \(audit.stderr)")
            #expect(try audit.json()["clean"] == .bool(true))
        }
        let again = try lintas.run(["backup", backups[0]])
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists already"))
    }

    @Test("a second SIGTERM cancels at once, even while the daemon waits for a lock; nothing is half-applied")
    func secondSignalCancels() throws {
        let lintas = try Lintas.prepared()
        try lintas.expectSuccess(["submit", "-"], stdin: acceptedProcedure("PML-1").joined(separator: "\n"))
        let lock = try WriteLock(lintas)
        // The daemon will wait up to a minute inside its first batch for the lock.
        let daemon = try RunningDaemon(lintas, ["--busy-ms", "60000"])
        #expect(eventually { daemon.events.contains("daemon_started") })
        usleep(100_000)
        kill(daemon.pid, SIGTERM)
        usleep(100_000)
        #expect(daemon.process.isRunning, "the first signal waits for the batch in hand")
        #expect(daemon.stop(SIGTERM) == 130)
        lock.release()
        #expect(try lintas.query("SELECT count(*) FROM commands WHERE status = 'queued'") == [["5"]])
        try lintas.expectSuccess(["daemon", "--until-idle"])
        #expect(try lintas.status("PML-1")["state"] == "accepted")
        try lintas.expectSuccess(["audit"])
    }

    @Test("a database locked by another process: commands stay queued, the daemon logs retries with backoff, then catches up")
    func lockedDatabase() throws {
        let lintas = try Lintas.prepared()
        try lintas.expectSuccess(["submit", "-"], stdin: acceptedProcedure("PML-1").joined(separator: "\n"))
        let lock = try WriteLock(lintas)

        let daemon = try RunningDaemon(lintas, ["--poll-ms", "20", "--busy-ms", "50", "--log-level", "warning"])
        #expect(eventually { daemon.log.filter { $0["event"]?.stringValue == "retry" }.count >= 3 })
        #expect(try lintas.query("SELECT count(*) FROM commands WHERE status = 'queued'") == [["5"]])
        lock.release()
        #expect(try eventually { try lintas.query("SELECT count(*) FROM commands WHERE status = 'queued'") == [["0"]] })
        #expect(daemon.stop() == 0)

        let retries = daemon.log.filter { $0["event"]?.stringValue == "retry" }
        #expect(retries.allSatisfy { $0["code"] == .string("busy") })
        let waits = retries.compactMap { $0["wait_ms"]?.intValue }
        #expect(waits.prefix(3) == [100, 200, 400])
        // --log-level warning: the retries, not the batches.
        #expect(!daemon.events.contains("batch"))
        #expect(try lintas.status("PML-1")["state"]?.stringValue == "accepted")
        #expect(try lintas.expectSuccess(["audit"]).status == 0)
    }

    @Test("submit, workflows load and org import wait --busy-ms for another process's write lock, then fail naming the process that holds it and --busy-ms; nothing is written")
    func writersWaitBusyMilliseconds() throws {
        let lintas = try Lintas()
        try lintas.expectSuccess(["submit", "-"], stdin: Pemalang.submit("PML-1"))
        // Held by this test's process (another process to lintas), as a sqlite3 shell or a second writer would.
        let lock = try WriteLock(lintas)
        let writers: [(arguments: [String], stdin: String?)] = [
            (["submit", "-"], Pemalang.submit("PML-2")), (["workflows", "load", Lintas.workflows], nil), (["org", "import", Lintas.directory], nil),
        ]
        for writer in writers {
            let result = try lintas.run(writer.arguments + ["--busy-ms", "50"], stdin: writer.stdin)
            #expect(result.status == 1, "\(writer.arguments)")
            #expect(result.stderr.contains("the database is locked: another process held its write lock longer than the 50 ms this command waits"),
                    "\(writer.arguments): \(result.stderr)")
            #expect(result.stderr.contains("It is held by process \(getpid())."), "\(result.stderr)")
            #expect(result.stderr.contains("give --busy-ms N to wait up to N ms"), "\(result.stderr)")
        }
        #expect(try lintas.run(["submit", "-", "--busy-ms", "0"], stdin: Pemalang.submit("PML-2")).status == 64, "a positive number of milliseconds")
        lock.release()
        #expect(try lintas.query("SELECT count(*) FROM commands") == [["1"]])
        #expect(try lintas.query("SELECT count(*) FROM definitions") == [["0"]])
        for writer in writers { try lintas.expectSuccess(writer.arguments + ["--busy-ms", "50"], stdin: writer.stdin) }
        #expect(try lintas.query("SELECT count(*) FROM commands") == [["2"]])
    }
}

@Suite("A command sent again is answered with its first outcome")
struct ResentCommandTests {
    @Test("resent after processing: not applied again; submit names the first outcome, done or refused")
    func resentAfterProcessing() throws {
        let lintas = try Lintas.prepared()
        let lines = [Pemalang.submit("PML-1"), Pemalang.line("wrong", "PML-1", "recommend", Pemalang.kabagOrganisasi, day: 3)]
        try lintas.process(lines)
        let again = try lintas.expectSuccess(["submit", "-"], stdin: lines.joined(separator: "\n"))
        #expect(again.stdout.contains("line 1: PML-1-submit: done, event #1"), "\(again.stdout)")
        #expect(again.stdout.contains("line 2: wrong: refused (wrong_actor)"), "\(again.stdout)")
        let json = try lintas.expectSuccess(["submit", "-", "--json"], stdin: lines.joined(separator: "\n")).json()
        let duplicates = json["duplicates"]?.arrayValue ?? []
        #expect(duplicates.map { $0["status"] } == [.string("done"), .string("refused")])
        #expect(duplicates.first?["outcome"]?["first_event"] == .int(1))
        #expect(duplicates.last?["outcome"]?["refusal"]?["code"] == .string("wrong_actor"))
        try lintas.expectSuccess(["daemon", "--until-idle"])
        #expect(try lintas.query("SELECT count(*) FROM events") == [["1"]])
    }
}

@Suite("Deadlines and ends through the real daemon")
struct DeadlineProcessTests {
    /// The shipped workflows, with the request letter due within 5 working days and escalated
    /// to the Pejabat yang Berwenang; loaded by `lintas workflows load`.
    func lintasWithDeadline() throws -> Lintas {
        let lintas = try Lintas()
        let folder = lintas.folder.appendingPathComponent("workflows")
        try FileManager.default.copyItem(atPath: Lintas.workflows, toPath: folder.path)
        let file = folder.appendingPathComponent("pemalang/penunjukan-lintas-pd.json")
        var text = try String(contentsOf: file, encoding: .utf8)
        let requested = #"{"id": "requested", "label": "Surat permohonan pelibatan diterima"}"#
        #expect(text.contains(requested))
        text = text.replacingOccurrences(of: requested, with: #"""
            {"id": "requested", "label": "Surat permohonan pelibatan diterima",
             "deadline": {"working_days": 5, "article": "SOP layanan penugasan (contoh)", "escalate_to": "pyb"}}
            """#)
        text = text.replacingOccurrences(of: #""roles": {"#, with: #""roles": {"pyb": {"label": "Pejabat yang Berwenang", "resolve": "authorized_official(target_unit)"},"#)
        try text.write(to: file, atomically: true, encoding: .utf8)
        try lintas.expectSuccess(["workflows", "load", folder.path])
        try lintas.expectSuccess(["org", "import", Lintas.directory])
        return lintas
    }

    @Test("a passed deadline is reminded of and escalated, an expired assignment ends; once each, shown by status, history, daemon status and the worklist")
    func remindersAndEnds() throws {
        let lintas = try lintasWithDeadline()
        try lintas.expectSuccess(["submit", "-"], stdin: ([Pemalang.submit("PML-1")] + acceptedProcedure("PML-2", expired: true)).joined(separator: "\n"))
        let run = try lintas.expectSuccess(["daemon", "--until-idle"])
        let log = run.stderr.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
        let timers = log.filter { ["deadline", "ended"].contains($0["event"]?.stringValue ?? "") }
        #expect(timers.map { "\($0["request"]?.stringValue ?? "") \($0["action"]?.stringValue ?? "")" }
                == ["PML-1 reminder", "PML-1 escalated", "PML-2 ended"], "\(run.stderr)")
        // Submitted Monday 2 March 2026: five working days end on Monday 9 March.
        #expect(timers.first?["due"] == "2026-03-09")

        let ended = try lintas.status("PML-2")
        #expect(ended["state"] == "ended")
        #expect(ended["final"] == .bool(true))
        #expect(try lintas.status("PML-1")["state"] == "requested")
        let history = try lintas.expectSuccess(["history", "PML-1"]).stdout
        #expect(history.contains("reminder · Pengingat: tenggat langkah berikutnya terlewati"), "\(history)")
        #expect(history.contains("SOP layanan penugasan (contoh) Perbup Pemalang 38/2023"))
        #expect(try lintas.expectSuccess(["history", "PML-2"]).stdout.contains("Pasal 11 ayat (6) huruf d Perbup Pemalang 38/2023"))

        let status = try lintas.expectSuccess(["daemon", "status", "--json"]).json()
        #expect(status["overdue"]?.arrayValue?.map { $0["request"] } == ["PML-1"])
        #expect(try lintas.expectSuccess(["daemon", "status"]).stdout.contains("Overdue    1 request past the deadline"))
        let worklist = try lintas.expectSuccess(["requests", "--json"]).json()["requests"]?.arrayValue ?? []
        #expect(worklist.map { [$0["request"], $0["overdue"]] } == [["PML-1", .bool(true)]])
        #expect(try lintas.expectSuccess(["requests"]).stdout.contains("PML-1  requested · Surat permohonan pelibatan diterima  OVERDUE"))

        let events = try lintas.query("SELECT count(*) FROM events")
        try lintas.expectSuccess(["daemon", "--until-idle"])
        #expect(try lintas.query("SELECT count(*) FROM events") == events)
        #expect(events == [["9"]]) // 1 + 5 commands, 2 for the deadline, 1 end
        try lintas.expectSuccess(["audit"])
    }
}
