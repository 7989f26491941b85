import Foundation
import LintasCore
import LintasEngine
@testable import LintasStore
import TestSupport
import Testing

/// The shipped workflows, with a deadline of five working days on the request letter (an SOP
/// a regency might set; the regulations themselves give no number of days), escalated to the
/// Pejabat yang Berwenang.
func workflowsWithDeadline() throws -> String {
    let folder = try Scratch.folder("lintas-deadline")
    let shipped = Harness.repository.appendingPathComponent("workflows/pemalang")
    try FileManager.default.copyItem(at: shipped.appendingPathComponent("regulation.json"), to: folder.appendingPathComponent("regulation.json"))
    guard case .object(var workflow) = try JSONValue.parse([UInt8](Data(contentsOf: shipped.appendingPathComponent("penunjukan-lintas-pd.json")))),
          case .array(var states) = workflow["states"], case .object(var roles) = workflow["roles"], case .object(var requested) = states[0]
    else { throw TimerTests.Fixture() }
    requested["deadline"] = .object(["working_days": .int(5), "article": "SOP layanan penugasan (contoh)", "escalate_to": "pyb"])
    states[0] = .object(requested)
    roles["pyb"] = .object(["label": "Pejabat yang Berwenang", "resolve": "authorized_official(target_unit)"])
    workflow["states"] = .array(states)
    workflow["roles"] = .object(roles)
    try Data(JSONValue.object(workflow).prettyText.utf8).write(to: folder.appendingPathComponent("penunjukan-lintas-pd.json"))
    return folder.path
}

@Suite("Deadlines and the end of an assignment, on the injected clock")
struct TimerTests {
    struct Fixture: Error {}

    static let calendar: WorkingCalendar = {
        let file = Harness.repository.appendingPathComponent("workflows/calendars")
        return try! Calendars.load(file.path)!
    }()

    static func at(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    /// A request letter sent on Thursday 12 March 2026: five working days run, past Nyepi and
    /// the Idulfitri leave, to the end of Thursday 26 March (WIB).
    func submitted() throws -> Harness {
        let harness = try Harness(now: Self.at("2026-03-12T10:00:00+07:00"), workflows: try workflowsWithDeadline())
        var contents = Lines.contents
        contents["duration"] = .object(["start": "2026-04-01", "end": "2026-06-30"])
        try harness.submit([Harness.line("s", "PML-1", "submit", Pemalang.kabidP2P, at: "2026-03-12T09:00:00+07:00", contents,
                                         workflow: "pemalang.penunjukan.lintas-pd")])
        try harness.drain()
        return harness
    }

    @Test("a passed deadline is reminded of and escalated once; not a millisecond before")
    func reminderOnce() throws {
        let harness = try submitted()
        let due = Self.at("2026-03-27T00:00:00+07:00")
        let before = try harness.processor.runTimers(now: due.adding(milliseconds: -1), calendar: Self.calendar)
        #expect(before.events.isEmpty)
        #expect(before.next == due)

        let fired = try harness.processor.runTimers(now: due, calendar: Self.calendar)
        #expect(fired.events.map(\.action) == ["reminder", "escalated"])
        #expect(fired.events.first?.detail.fields["due"] == "2026-03-26")
        #expect(fired.events.first?.detail.article == "SOP layanan penugasan (contoh) Perbup Pemalang 38/2023")
        let people = fired.events.last?.detail.fields["people"]?.arrayValue ?? []
        #expect(!people.isEmpty, "the Pejabat yang Berwenang is named")

        let again = try harness.processor.runTimers(now: due.adding(milliseconds: 86_400_000 * 30), calendar: Self.calendar)
        #expect(again.events.isEmpty)
        let state = try #require(try harness.state(RequestID("PML-1")))
        #expect(state.state == "requested")
        #expect(state.version == 3)
        #expect(state.remindedFor == state.since)
        #expect(try Audit.run(harness.store).isClean)

        // The step, late, still goes through; the next state has no deadline.
        try harness.submit([Harness.line("r", "PML-1", "recommend", Pemalang.kadisKominfo, at: "2026-03-30T09:00:00+07:00")])
        _ = try harness.processor.runBatch(now: Self.at("2026-03-30T10:00:00+07:00"))
        #expect(try harness.state(RequestID("PML-1"))?.state == "recommended")
    }

    @Test("a deadline that passed while the daemon was down fires once when it comes back")
    func durableAcrossRestarts() throws {
        let harness = try submitted()
        var options = Daemon.Options()
        options.untilIdle = true
        options.calendar = Self.calendar
        let lines = Locked<[String]>([])
        let logger = Logger(level: .info, clock: FixedClock(instant: Harness.now), write: { line in lines.mutate { $0.append(line) } })
        // Down from 12 March; back on 6 April.
        let back = FixedClock(instant: Self.at("2026-04-06T08:00:00+07:00"))
        let first = try Daemon(processor: harness.processor, clock: back, logger: logger, options: options).run()
        #expect(first.timerEvents == 2)
        let second = try Daemon(processor: try Processor(store: harness.store), clock: back, logger: logger, options: options).run()
        #expect(second.timerEvents == 0)
        let deadlines = lines.value.compactMap { try? JSONValue.parse($0) }.filter { $0["event"] == "deadline" }
        #expect(deadlines.map { $0["action"] } == ["reminder", "escalated"])
        #expect(deadlines.first?["request"] == "PML-1")
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("without a calendar covering the dates the deadline is not guessed: the daemon says what is missing")
    func calendarMissing() throws {
        let harness = try submitted()
        let report = try harness.processor.runTimers(now: Self.at("2026-06-01T00:00:00+07:00"), calendar: nil)
        #expect(report.events.isEmpty)
        #expect(report.problems.first?.contains("no working-day calendar") == true)
        let only2025 = WorkingCalendar(id: "2025", years: [2025], daysOff: [:])
        let uncovered = try harness.processor.runTimers(now: Self.at("2026-06-01T00:00:00+07:00"), calendar: only2025)
        #expect(uncovered.problems.first?.contains("does not list every year from 2026") == true)
    }

    @Test("an accepted assignment ends the day after its period, in the regency's zone, once")
    func assignmentEnds() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        try harness.drain()
        #expect(try harness.state(RequestID("PML-1"))?.state == "accepted")
        // Lines.contents runs to 31 December 2025 (WIB).
        let last = try harness.processor.runTimers(now: Self.at("2025-12-31T23:59:59+07:00"), calendar: nil)
        #expect(last.events.isEmpty)
        // Looking at the request itself (as after a batch) also tells when it will end.
        let afterBatch = try harness.processor.runTimers(now: Self.at("2025-12-31T23:59:59+07:00"), calendar: nil, only: [RequestID("PML-1")])
        #expect(afterBatch.events.isEmpty)
        #expect(afterBatch.next == Self.at("2026-01-01T00:00:00+07:00"))
        let ended = try harness.processor.runTimers(now: Self.at("2026-01-01T00:00:00+07:00"), calendar: nil)
        #expect(ended.events.map(\.action) == ["ended"])
        #expect(ended.events.first?.detail.article == "Pasal 11 ayat (6) huruf d Perbup Pemalang 38/2023")
        let state = try #require(try harness.state(RequestID("PML-1")))
        #expect(state.state == "ended")
        #expect(state.ended == Self.at("2026-01-01T00:00:00+07:00"))
        #expect(try harness.processor.runTimers(now: Self.at("2026-02-01T00:00:00+07:00"), calendar: nil).events.isEmpty)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("Pasal 11 ayat (6) huruf d: an assignment accepted after its period ran out ends in the batch that accepted it, in its transaction")
    func endsInTheAcceptingBatch() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        // Lines.contents runs to 31 December 2025; the daemon takes the commands on 2 January 2026.
        let report = try harness.processor.runBatch(now: Self.at("2026-01-02T08:00:00+07:00"), timers: Processor.TimerLook(calendar: nil))
        #expect(report.done == Lines.accepted("PML-1").count)
        #expect(report.timers?.events.map(\.action) == ["ended"])
        let state = try #require(try harness.state(RequestID("PML-1")))
        #expect(state.state == "ended")
        #expect(try harness.store.events(of: RequestID("PML-1")).last?.action == "ended")
        // Nothing is left for the next look, and the log and the projection agree.
        #expect(try harness.processor.runTimers(now: Self.at("2026-01-02T08:00:01+07:00"), calendar: nil).events.isEmpty)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("a batch's own look at its requests tells when their next timer falls, and records nothing before it")
    func batchLookTellsNext() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        let report = try harness.processor.runBatch(now: Harness.now, timers: Processor.TimerLook(calendar: nil))
        #expect(report.timers?.events.isEmpty == true)
        #expect(report.timers?.next == Self.at("2026-01-01T00:00:00+07:00"))
        #expect(try harness.state(RequestID("PML-1"))?.state == "accepted")
    }

    /// The end of PML-1's period as `requests.ends` holds it, `nil` when NULL.
    func storedEnd(_ store: SQLiteStore, _ request: String = "PML-1") throws -> String? {
        try store.connection.query("SELECT ends FROM requests WHERE request = ?", [.text(request)]) { $0.optionalText(0) }.first ?? nil
    }

    /// The file as lintas of schema version 8 left it: `requests` without `ends`, `timed` and their index.
    func rewriteAsVersionEight(_ harness: Harness) throws {
        try harness.tamper("""
            DROP INDEX requests_timed;
            ALTER TABLE requests DROP COLUMN timed;
            ALTER TABLE requests DROP COLUMN ends;
            PRAGMA user_version = 8;
            """)
        let columns = try harness.store.connection.query("SELECT name FROM pragma_table_info('requests')") { $0.text(0) }
        #expect(!columns.contains("ends"))
    }

    @Test("Pasal 11 ayat (6) huruf d: in a version-8 file opened again, each accepted period's end is filled and the daemon's full look ends the expired assignment through the index")
    func versionEightFileEnds() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1") + [Lines.line("PML-2-1", "PML-2", "submit", Pemalang.kabidP2P, day: 3, Lines.contents, workflow: true)])
        try harness.drain()
        #expect(try harness.state(RequestID("PML-1"))?.state == "accepted")
        try rewriteAsVersionEight(harness)

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        // Lines.contents runs to 31 December 2025; the request not yet accepted does not end.
        #expect(try storedEnd(reopened) == "2025-12-31")
        #expect(try storedEnd(reopened, "PML-2") == nil)
        #expect(try timedRequests(reopened) == ["PML-1"])
        let plan = try reopened.connection.query("EXPLAIN QUERY PLAN SELECT request FROM requests WHERE state = 'accepted' AND timed = 1 AND ends < '2026-01-01'") { $0.text(3) }
        #expect(plan.contains { $0.contains("requests_timed") }, "\(plan)")

        let processor = try Processor(store: reopened, batchSize: 500)
        #expect(try processor.runTimers(now: Self.at("2025-12-31T23:59:59+07:00"), calendar: nil).events.isEmpty)
        let ended = try processor.runTimers(now: Self.at("2026-01-01T00:00:00+07:00"), calendar: nil)
        #expect(ended.events.map(\.request) == [RequestID("PML-1")] && ended.events.map(\.action) == ["ended"])
        #expect(ended.events.first?.detail.article == "Pasal 11 ayat (6) huruf d Perbup Pemalang 38/2023")
        // Ended, the state no longer runs out: its end is cleared with the projection.
        #expect(try storedEnd(reopened) == nil)
        #expect(try reopened.request(RequestID("PML-1"))?.columns.state == "ended")
        let report = try Audit.run(reopened)
        #expect(report.isClean, "\(report.findings)")
        // The step is idempotent.
        try reopened.connection.execute("PRAGMA user_version = 8")
        let again = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try storedEnd(again) == nil && Audit.run(again).isClean)
    }

    /// The requests marked as having a timer (`requests.timed`), those in the timers' index.
    func timedRequests(_ store: SQLiteStore) throws -> [String] {
        try store.connection.query("SELECT request FROM requests WHERE timed = 1 ORDER BY request") { $0.text(0) }
    }

    /// The file as lintas of schema version 13 left it: `requests` without `timed`, its index on every row.
    func rewriteAsVersionThirteen(_ harness: Harness) throws {
        try harness.tamper("""
            DROP INDEX requests_timed;
            ALTER TABLE requests DROP COLUMN timed;
            CREATE INDEX requests_by_state_ends ON requests (state, ends);
            PRAGMA user_version = 13;
            """)
    }

    @Test("a version-13 file opened again marks the requests in a state with a deadline or an end, audits clean, shows the same status, and its full look still reminds and ends")
    func versionThirteenFileUpgraded() throws {
        let harness = try submitted()
        try harness.submit(Lines.accepted("PML-2") + [Lines.line("PML-3-1", "PML-3", "submit", Pemalang.kabidP2P, day: 3, Lines.contents, workflow: true),
                                                      Lines.line("PML-3-2", "PML-3", "recommend", Pemalang.kadisKominfo, day: 4)])
        try harness.drain()
        #expect(try timedRequests(harness.store) == ["PML-1", "PML-2"])
        let before = try ["PML-1", "PML-2", "PML-3"].map { try harness.store.request(RequestID($0)) }
        try rewriteAsVersionThirteen(harness)

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        // PML-1 waits in `requested` (a deadline), PML-2 is accepted (an end); PML-3, recommended, has no timer.
        #expect(try timedRequests(reopened) == ["PML-1", "PML-2"])
        let indexes = try reopened.connection.query("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'requests' AND sql IS NOT NULL ORDER BY name") { $0.text(0) }
        #expect(indexes == ["requests_timed"])
        #expect(try ["PML-1", "PML-2", "PML-3"].map { try reopened.request(RequestID($0)) } == before)
        #expect(try Audit.run(reopened).isClean)

        let processor = try Processor(store: reopened, batchSize: 500)
        let fired = try processor.runTimers(now: Self.at("2026-03-27T00:00:00+07:00"), calendar: Self.calendar)
        #expect(fired.events.map(\.request) == ["PML-1", "PML-1", "PML-2"].map(RequestID.init))
        #expect(fired.events.map(\.action) == ["reminder", "escalated", "ended"])
        #expect(try Audit.run(reopened).isClean)
    }

    @Test("audit: a projection marked as having no timer (which would hide it from the timers' full look) or one it has not is a finding naming the request")
    func auditTamperedTimed() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1") + [Lines.line("PML-2-1", "PML-2", "submit", Pemalang.kabidP2P, day: 3, Lines.contents, workflow: true)])
        try harness.drain()
        #expect(try Audit.run(harness.store).isClean)
        try harness.tamper("UPDATE requests SET timed = 1 - timed")
        let report = try Audit.run(harness.store)
        #expect(report.findings.compactMap(\.request) == ["PML-1", "PML-2"].map(RequestID.init) && report.findings.count == 2, "\(report.findings)")
        #expect(report.findings.allSatisfy { $0.message.contains("timer (timed)") }, "\(report.findings)")
        // What the finding warns of: unmarked, the expired assignment is not seen by the full look.
        #expect(try harness.processor.runTimers(now: Self.at("2026-01-01T00:00:00+07:00"), calendar: nil).events.isEmpty)
    }

    @Test("a version-8 state pinned to a definition the file lacks is refused on opening, naming the request; the file stays at version 8")
    func versionEightMissingDefinition() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        try harness.drain()
        try rewriteAsVersionEight(harness)
        try harness.tamper("UPDATE requests SET body = json_set(body, '$.definition', '\(String(repeating: "0", count: 64))') WHERE request = 'PML-1'")
        #expect { try SQLiteStore(path: harness.store.path, create: false) } throws: { error in
            "\(error)".contains("request PML-1 is pinned to definition") && "\(error)".contains("cannot be derived")
        }
        #expect(try harness.store.connection.query("PRAGMA user_version") { $0.int64(0) }.first == 8)
    }

    @Test("audit: a period end changed in the projection (which would keep the timers from ending the assignment) is a finding naming the request")
    func auditTamperedEnd() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        try harness.drain()
        #expect(try Audit.run(harness.store).isClean)
        for tampered in ["'2099-12-31'", "NULL"] {
            try harness.tamper("UPDATE requests SET ends = \(tampered) WHERE request = 'PML-1'")
            let report = try Audit.run(harness.store)
            #expect(report.findings.count == 1)
            #expect(report.findings.first?.request == RequestID("PML-1"))
            #expect(report.findings.first?.message.contains("the stored end of the period") == true, "\(report.findings)")
            #expect(report.findings.first?.message.contains("(2025-12-31)") == true, "\(report.findings)")
        }
        // What the finding warns of: with no end stored, the full look does not see the assignment run out.
        #expect(try harness.processor.runTimers(now: Self.at("2026-01-01T00:00:00+07:00"), calendar: nil).events.isEmpty)
    }
}

/// A value several closures append to; the logger's write closure must be `Sendable`.
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `stored` is only touched under `lock`.
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    func mutate(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
    var value: Value { lock.withLock { stored } }
}
