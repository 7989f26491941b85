import LintasCore
import LintasEngine
@testable import LintasStore
import TestSupport
import Testing

@Suite("Commit each: a transaction of its own for every command, the next ones decided while it commits")
struct CommitEachTests {
    static let requests = PipelineTests.requests

    /// What `Harness.stored` leaves out: the rows of refusals and of what the queue is processed through, with when.
    static func rows(_ harness: Harness) throws -> [String] {
        try harness.store.connection.query("SELECT seq, code, message FROM command_refusals ORDER BY seq") { "\($0.int64(0)) \($0.text(1)) \($0.text(2))" }
            + harness.store.connection.query("SELECT through, processed_at, after_event FROM queue_batches ORDER BY through") {
                "\($0.int64(0)) \($0.int64(1)) \($0.int64(2))"
            }
    }

    /// `PipelineTests.lines` queued and processed one command a batch (batch size 1), the first
    /// `first` of them before `extra` is queued.
    static func oneByOne(first: Int = 0, then extra: [String] = []) throws -> Harness {
        let harness = try Harness(batchSize: 1)
        try harness.submit(PipelineTests.lines())
        for _ in 0..<first { _ = try harness.processor.runBatch(now: harness.now) }
        if !extra.isEmpty { try harness.submit(extra) }
        try harness.drain()
        return harness
    }

    static func committingEach(batchSize: Int) throws -> Harness {
        let harness = try Harness(batchSize: batchSize)
        harness.processor.commitEach = true
        try harness.submit(PipelineTests.lines())
        return harness
    }

    @Test("events, hashes, projections, letter numbers, refusals and the queue's rows are those of one command a batch")
    func sameAsOneByOne() throws {
        let one = try Self.oneByOne()
        let stored = try one.stored(Self.requests)
        #expect(stored.filter { $0.hasSuffix(" done") }.count == 30)
        #expect(stored.contains { $0.hasPrefix("bad-1 ") && !$0.hasSuffix(" done") }, "the refusal is among the compared rows")
        let rows = try Self.rows(one)
        #expect(rows.count >= 2 && rows[0].hasPrefix("8 "), "the refusal's rows are compared")
        for batchSize in [2, 12, 500] {
            let each = try Self.committingEach(batchSize: batchSize)
            let reports = try each.drain()
            #expect(try each.stored(Self.requests) == stored, "batches of \(batchSize)")
            #expect(try Self.rows(each) == rows, "batches of \(batchSize)")
            #expect(reports.reduce(0) { $0 + $1.commands } == 31 && reports.reduce(0) { $0 + $1.done } == 30)
            #expect(reports.reduce(0) { $0 + $1.events } == 30 && reports.flatMap(\.refusals).map(\.command) == ["bad-1"])
            #expect(try Audit.run(each.store).isClean)
        }
    }

    @Test("each command is committed apart: a store error keeps the commands committed before it, and the next batch takes the rest")
    func storeErrorKeepsEarlierCommits() throws {
        let lines = PipelineTests.lines()
        let firstLetter = try #require(lines.firstIndex { $0.contains("\"issue_letter\"") })
        let harness = try Self.committingEach(batchSize: 500)
        // The disk refuses the letters: the writing thread fails at the first, after it committed the commands before it.
        try harness.tamper("CREATE TEMP TRIGGER refuse_letter BEFORE INSERT ON events WHEN NEW.action = 'issue_letter' BEGIN SELECT RAISE(ABORT, 'disk refused'); END")
        let failed = try #require(throws: Processor.PartlyCommitted.self) { try harness.processor.runBatch(now: harness.now) }
        #expect(failed.error is StoreError)
        #expect(failed.committed.commands == firstLetter && failed.committed.done == firstLetter - 1, "the commands committed, as a batch reports them")
        #expect(failed.committed.events == firstLetter - 1 && failed.committed.refusals.map(\.command) == ["bad-1"])
        #expect(try harness.store.commands(CommandFilter(status: .done)).count == firstLetter - 1)
        #expect(try harness.store.commands(CommandFilter(status: .refused)).map(\.command.id) == ["bad-1"])
        #expect(try harness.store.commands(CommandFilter(status: .queued)).count == lines.count - firstLetter)
        #expect(try harness.store.sequenceSummary().count == firstLetter - 1, "one event a command committed, none of the one that failed")
        let before = try Harness(batchSize: 1)
        try before.submit(lines)
        for _ in 0..<firstLetter { _ = try before.processor.runBatch(now: before.now) }
        #expect(try harness.stored(Self.requests) == before.stored(Self.requests), "what the commands before the letter store, no more")
        try harness.tamper("DROP TRIGGER refuse_letter")
        try harness.drain()
        #expect(try harness.stored(Self.requests) == Self.oneByOne().stored(Self.requests))
        #expect(try Audit.run(harness.store).isClean)
    }

    /// `committingEach` where, after the third command's commit, another connection (returned) takes the write lock
    /// before the batch begins its next transaction, which gives up after 20 ms.
    static func lockedAfterThirdCommit() throws -> (Harness, SQLiteStore) {
        let harness = try Self.committingEach(batchSize: 500)
        try harness.tamper("PRAGMA busy_timeout = 20")
        let other = try SQLiteStore(path: harness.store.path)
        var commits = 0
        harness.store.betweenCommits = {
            commits += 1
            if commits == 3 { try? other.connection.execute("BEGIN IMMEDIATE") }
        }
        return (harness, other)
    }

    @Test("another writer holding the lock after a commit fails the next transaction's start: the commit is reported with the error, the rest taken by the next batch")
    func busyAfterACommit() throws {
        let (harness, other) = try Self.lockedAfterThirdCommit()
        let failed = try #require(throws: Processor.PartlyCommitted.self) { try harness.processor.runBatch(now: harness.now) }
        #expect((failed.error as? StoreError)?.code == .busy)
        #expect(failed.committed.commands == 3 && failed.committed.done == 3 && failed.committed.events == 3)
        #expect(try harness.store.commands(CommandFilter(status: .done)).count == 3)
        try other.connection.execute("ROLLBACK")
        harness.store.betweenCommits = nil
        #expect(try harness.drain().reduce(0) { $0 + $1.commands } == PipelineTests.lines().count - 3)
        #expect(try harness.stored(Self.requests) == Self.oneByOne().stored(Self.requests))
        #expect(try Self.rows(harness) == Self.rows(Self.oneByOne()))
        #expect(try Audit.run(harness.store).isClean)
    }

    /// The daemon's log lines, and the lock to release from inside the logger (called on the daemon's thread, the test's).
    final class Observer: @unchecked Sendable {
        var lines: [JSONValue] = []
        var release: () -> Void = {}

        /// The daemon's logger: each line kept, the lock released at the first `retry`.
        func logger(at now: Timestamp) -> Logger {
            Logger(level: .info, clock: FixedClock(instant: now), write: { line in
                guard let entry = try? JSONValue.parse(line) else { return }
                self.lines.append(entry)
                if entry["event"] == "retry" { self.release() }
            })
        }
    }

    @Test("the daemon logs the commands committed before a store error as a batch, then the retry, and catches up: every command counted once")
    func daemonLogsWhatWasCommitted() throws {
        let (harness, other) = try Self.lockedAfterThirdCommit()
        let observer = Observer()
        observer.release = { try? other.connection.execute("ROLLBACK") }
        let logger = observer.logger(at: Harness.now)
        var options = Daemon.Options()
        options.untilIdle = true
        options.commitEach = true
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: logger, options: options).run()
        let total = PipelineTests.lines().count
        let events = observer.lines.compactMap { $0["event"]?.stringValue }.filter { $0 == "batch" || $0 == "retry" }
        #expect(Array(events.prefix(3)) == ["batch", "retry", "batch"])
        let batches = observer.lines.filter { $0["event"] == "batch" }
        #expect(batches.first?["commands"] == .int(3) && batches.first?["done"] == .int(3) && batches.first?["events"] == .int(3))
        #expect(observer.lines.first { $0["event"] == "retry" }?["code"] == "busy")
        #expect(batches.compactMap { $0["commands"]?.intValue }.reduce(0, +) == Int64(total))
        #expect(summary.commands == total && summary.done == 30 && summary.refused == 1 && summary.events == 30)
        #expect(try harness.stored(Self.requests) == Self.oneByOne().stored(Self.requests))
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("a deadline passed by a command committed before a store error (or another connection's commit) ended its batch is acted on before the next batch, as after a whole batch, not at the next full look at the timers",
          arguments: [true, false])
    func timersAfterAPartlyCommittedBatch(storeError: Bool) throws {
        let harness = try Harness(now: TimerTests.at("2026-04-06T08:00:00+07:00"), workflows: try workflowsWithDeadline())
        harness.processor.commitEach = true
        var contents = Lines.contents
        contents["duration"] = .object(["start": "2026-04-01", "end": "2026-06-30"])
        // Sent on 12 March: five working days ran out on 26 March, before the daemon's clock (6 April).
        try harness.submit(["PML-1", "PML-2"].map {
            Harness.line("\($0)-s", $0, "submit", Pemalang.kabidP2P, at: "2026-03-12T09:00:00+07:00", contents, workflow: "pemalang.penunjukan.lintas-pd")
        })
        // After the first command's commit another connection takes the write lock (or loads a workflow):
        // the batch ends with PML-1 committed.
        try harness.tamper("PRAGMA busy_timeout = 20")
        let other = try SQLiteStore(path: harness.store.path)
        var commits = 0
        harness.store.betweenCommits = {
            commits += 1
            guard commits == 1 else { return }
            if storeError { try? other.connection.execute("BEGIN IMMEDIATE") } else { _ = try? ForeignChange.workflow.make(on: other, now: harness.now) }
        }
        let observer = Observer()
        observer.release = { try? other.connection.execute("ROLLBACK") }
        let logger = observer.logger(at: harness.now)
        var options = Daemon.Options()
        options.untilIdle = true
        options.commitEach = true
        options.calendar = TimerTests.calendar
        // The full look at every timer after the first an hour away on a clock that stands still: only the look at what was committed fires.
        options.timerIntervalMilliseconds = 3_600_000
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: harness.now), logger: logger, options: options).run()
        let events = observer.lines.compactMap { $0["event"]?.stringValue }.filter { ["batch", "retry", "deadline"].contains($0) }
        // PML-1 committed (then the lock), PML-1's deadline looked at before the batch of PML-2, whose own look follows it.
        #expect(events == ["batch"] + (storeError ? ["retry"] : []) + ["deadline", "deadline", "batch", "deadline", "deadline"])
        #expect(observer.lines.first { $0["event"] == "batch" }?["commands"] == .int(1))
        let deadlines = observer.lines.filter { $0["event"] == "deadline" }.map { "\($0["request"]?.stringValue ?? "") \($0["action"]?.stringValue ?? "")" }
        #expect(deadlines == ["PML-1 reminder", "PML-1 escalated", "PML-2 reminder", "PML-2 escalated"])
        #expect(summary.commands == 2 && summary.timerEvents == 4)
        let state = try #require(try harness.state(RequestID("PML-1")))
        #expect(state.remindedFor == state.since)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("a submit between two commands (another connection that only queues) does not end the batch: what was decided ahead stands, the commands queued wait for the next batch")
    func submitBetweenCommands() throws {
        let extra = [Lines.line("PML-6-1", "PML-6", "submit", Pemalang.kabidP2P, day: 3, Lines.contents, workflow: true),
                     Lines.line("PML-6-2", "PML-6", "recommend", Pemalang.kadisKominfo, day: 3)]
        let harness = try Self.committingEach(batchSize: 500)
        let other = try SQLiteStore(path: harness.store.path)
        var commits = 0
        var failure: (any Error)?
        // After the third command's commit and after the seventh: another connection queues a command.
        harness.store.betweenCommits = {
            commits += 1
            guard let line = [3: extra[0], 7: extra[1]][commits] else { return }
            do { _ = try Intake.submit(Array(line.utf8), source: "other", to: other, now: harness.now) } catch { failure = error }
        }
        let first = try harness.processor.runBatch(now: harness.now)
        #expect(failure == nil && commits >= 7)
        #expect(first.commands == PipelineTests.lines().count && first.done == 30 && first.events == 30)
        #expect(try harness.store.commands(CommandFilter(status: .queued)).map(\.command.id) == ["PML-6-1", "PML-6-2"])
        #expect(try harness.drain().map(\.commands) == [2])
        let one = try Self.oneByOne(first: PipelineTests.lines().count, then: extra)
        #expect(try harness.stored(Self.requests + ["PML-6"]) == one.stored(Self.requests + ["PML-6"]))
        #expect(try Self.rows(harness) == Self.rows(one))
        #expect(try Audit.run(harness.store).isClean)
    }

    /// What another connection changes between two of a batch's commits, of what deciding reads.
    enum ForeignChange: String, CaseIterable, CustomTestStringConvertible {
        /// A timer's event appended (another daemon's look at the timers: an assignment ended), once one is due:
        /// the log's last sequence moves, nothing else.
        case event
        /// A queued command's outcome recorded, with no event (another daemon refusing it): what is processed moves.
        case outcome
        /// A workflow's current definition changed (`lintas workflows load`).
        case workflow
        /// An org directory version added (`lintas org import`).
        case directory

        var testDescription: String { rawValue }

        /// Makes the change. - Returns: whether there was one to make.
        func make(on other: SQLiteStore, now: Timestamp) throws -> Bool {
            switch self {
            case .event:
                return try !Processor(store: other).runTimers(now: Timestamp(iso8601: "2099-01-01T00:00:00+07:00")!, calendar: nil).events.isEmpty
            case .outcome:
                try other.withBatch { batch in
                    let claimed = try batch.claimQueued(limit: 1)
                    try batch.recordOutcomes(claimed.map { ($0, .refused(Refusal(Refusal.Code(rawValue: "other_daemon"), "refused elsewhere"))) }, now: now)
                }
            case .workflow:
                let (_, hash) = try #require(try other.currentDefinitions().first)
                _ = try other.saveDefinition(workflow: WorkflowID("salinan"), hash: hash, body: try #require(try other.definitionBody(hash)), now: now)
            case .directory:
                let latest = try #require(try other.directoryVersions().last)
                _ = try other.saveDirectory(effectiveFrom: CivilDate(iso: "2099-01-01")!, hash: latest.hash,
                                            body: try #require(try other.directoryBody(version: latest.version)), source: "other", now: now)
            }
            return true
        }
    }

    @Test("another connection's commit that changes what deciding reads ends the batch after the command in hand: the rest is decided again, nothing lost or applied twice",
          arguments: ForeignChange.allCases)
    func foreignChangeEndsTheBatch(_ change: ForeignChange) throws {
        let harness = try Self.committingEach(batchSize: 500)
        let other = try SQLiteStore(path: harness.store.path)
        var commits = 0
        var changedAt: Int?
        var failure: (any Error)?
        // From the third command's commit on, until the change is made.
        harness.store.betweenCommits = {
            commits += 1
            guard changedAt == nil, commits >= 3 else { return }
            do { if try change.make(on: other, now: harness.now) { changedAt = commits } } catch { failure = error }
        }
        let first = try harness.processor.runBatch(now: harness.now)
        #expect(failure == nil)
        let committed = try #require(changedAt)
        #expect(first.commands == committed, "the batch ends after the command in hand")
        let total = PipelineTests.lines().count
        let elsewhere = change == .outcome ? 1 : 0
        #expect(try harness.drain().reduce(0) { $0 + $1.commands } == total - committed - elsewhere)
        #expect(try harness.store.queueSummary().queued == 0)
        let processed = try harness.store.commands(CommandFilter(status: .done)).count + harness.store.commands(CommandFilter(status: .refused)).count
        #expect(processed == total, "every command once")
        if change == .workflow || change == .directory {
            // Neither changes what these commands decide: the outcome of one command a batch.
            #expect(try harness.stored(Self.requests) == Self.oneByOne().stored(Self.requests))
        }
        #expect(try Audit.run(harness.store).isClean)
    }
}
