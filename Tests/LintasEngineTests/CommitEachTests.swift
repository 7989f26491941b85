import LintasCore
import LintasEngine
@testable import LintasStore
import TestSupport
import Testing

/// How a claim's commands are committed apart, each group as soon as it is written, the next commands
/// decided meanwhile: each command alone (`Processor.commitEach`, `claim` of them decided ahead), or
/// `batches` batches of `size` a claim (`Processor.claimBatches`), each batch a transaction of its own.
enum Committing: CustomTestStringConvertible, Sendable {
    case each(claim: Int)
    case batches(Int, of: Int)

    /// The commands a commit holds (the batches' size).
    var group: Int {
        switch self {
        case .each: 1
        case .batches(_, let size): size
        }
    }

    var testDescription: String {
        switch self {
        case .each(let claim): "each command, \(claim) a claim"
        case .batches(let count, let size): "\(count) batches of \(size) a claim"
        }
    }

    /// A harness whose processor commits so.
    func harness(now: Timestamp = Harness.now, workflows: String? = nil) throws -> Harness {
        let harness = try workflows.map { try Harness(batchSize: claimSize, now: now, workflows: $0) } ?? Harness(batchSize: claimSize, now: now)
        harness.processor.commitEach = group == 1
        if case .batches(let count, _) = self {
            harness.processor.claimBatches = count
            // Claims this small are taken together only when a thread is started for them from two commands.
            harness.processor.pipelineFrom = 2
        }
        return harness
    }

    /// The daemon's options that commit so (its processor made by `harness`).
    func apply(to options: inout Daemon.Options) {
        options.commitEach = group == 1
        if case .batches(let count, _) = self { options.claimBatches = count }
    }

    /// The processor's batch size.
    private var claimSize: Int {
        switch self {
        case .each(let claim): claim
        case .batches(_, let size): size
        }
    }

    /// Every command of `PipelineTests.lines()` in one claim.
    static let whole: [Committing] = [.each(claim: 500), .batches(16, of: 2)]
}

@Suite("Commit each, and batches committed apart: a transaction of its own for every command or batch, the next ones decided while it commits")
struct CommitEachTests {
    static let requests = PipelineTests.requests

    /// What `Harness.stored` leaves out: the rows of refusals and of what the queue is processed through, with when.
    static func rows(_ harness: Harness) throws -> [String] {
        try harness.store.connection.query("SELECT seq, code, message FROM command_refusals ORDER BY seq") { "\($0.int64(0)) \($0.text(1)) \($0.text(2))" }
            + harness.store.connection.query("SELECT through, processed_at, after_event FROM queue_batches ORDER BY through") {
                "\($0.int64(0)) \($0.int64(1)) \($0.int64(2))"
            }
    }

    /// `PipelineTests.lines` queued and processed one command a batch (batch size 1, or `size`, each batch
    /// claimed alone), the first `first` of them before `extra` is queued.
    static func oneByOne(first: Int = 0, then extra: [String] = [], size: Int = 1) throws -> Harness {
        let harness = try Harness(batchSize: size)
        try harness.submit(PipelineTests.lines())
        for _ in 0..<(first / size) { _ = try harness.processor.runBatch(now: harness.now) }
        if !extra.isEmpty { try harness.submit(extra) }
        try harness.drain()
        return harness
    }

    static func committing(_ mode: Committing) throws -> Harness {
        let harness = try mode.harness()
        try harness.submit(PipelineTests.lines())
        return harness
    }

    @Test("events, hashes, projections, letter numbers, refusals and the queue's rows are those of one command a batch (of one batch a transaction, each claimed alone)")
    func sameAsOneByOne() throws {
        let one = try Self.oneByOne()
        let stored = try one.stored(Self.requests)
        #expect(stored.filter { $0.hasSuffix(" done") }.count == 30)
        #expect(stored.contains { $0.hasPrefix("bad-1 ") && !$0.hasSuffix(" done") }, "the refusal is among the compared rows")
        let rows = try Self.rows(one)
        #expect(rows.count >= 2 && rows[0].hasPrefix("8 "), "the refusal's rows are compared")
        let modes: [Committing] = [.each(claim: 2), .each(claim: 12), .each(claim: 500), .batches(2, of: 3), .batches(4, of: 5), .batches(16, of: 2), .batches(3, of: 500)]
        for mode in modes {
            let each = try Self.committing(mode)
            let reports = try each.drain()
            #expect(try each.stored(Self.requests) == stored, "\(mode.testDescription)")
            #expect(try Self.rows(each) == Self.rows(mode.group == 1 ? one : Self.oneByOne(size: mode.group)), "\(mode.testDescription)")
            #expect(reports.reduce(0) { $0 + $1.commands } == 31 && reports.reduce(0) { $0 + $1.done } == 30)
            #expect(reports.reduce(0) { $0 + $1.events } == 30 && reports.flatMap(\.refusals).map(\.command) == ["bad-1"])
            #expect(try Audit.run(each.store).isClean)
        }
    }

    @Test("each command (batch) is committed apart: a store error keeps the commands of the groups committed before it, none of its own group's, and the next batch takes the rest",
          arguments: Committing.whole + [.batches(11, of: 3)])
    func storeErrorKeepsEarlierCommits(_ mode: Committing) throws {
        let lines = PipelineTests.lines()
        let firstLetter = try #require(lines.firstIndex { $0.contains("\"issue_letter\"") })
        let refusal = try #require(lines.firstIndex { $0.contains("\"bad-1\"") })
        // Whole groups only: the commands of the letter's group before it are written, then rolled back with it.
        let kept = firstLetter - firstLetter % mode.group
        #expect(kept > refusal, "the refusal is among the commands kept")
        let harness = try Self.committing(mode)
        // The disk refuses the letters: the writing thread fails at the first, after it committed the commands before it.
        try harness.tamper("CREATE TEMP TRIGGER refuse_letter BEFORE INSERT ON events WHEN NEW.action = 'issue_letter' BEGIN SELECT RAISE(ABORT, 'disk refused'); END")
        let failed = try #require(throws: Processor.PartlyCommitted.self) { try harness.processor.runBatch(now: harness.now) }
        #expect(failed.error is StoreError)
        #expect(failed.committed.commands == kept && failed.committed.done == kept - 1, "the commands committed, as a batch reports them")
        #expect(failed.committed.events == kept - 1 && failed.committed.refusals.map(\.command) == ["bad-1"])
        #expect(try harness.store.commands(CommandFilter(status: .done)).count == kept - 1)
        #expect(try harness.store.commands(CommandFilter(status: .refused)).map(\.command.id) == ["bad-1"])
        #expect(try harness.store.commands(CommandFilter(status: .queued)).count == lines.count - kept)
        #expect(try harness.store.sequenceSummary().count == kept - 1, "one event a command committed, none of the group that failed")
        let before = try Harness(batchSize: 1)
        try before.submit(lines)
        for _ in 0..<kept { _ = try before.processor.runBatch(now: before.now) }
        #expect(try harness.stored(Self.requests) == before.stored(Self.requests), "what the commands before the letter store, no more")
        try harness.tamper("DROP TRIGGER refuse_letter")
        try harness.drain()
        #expect(try harness.stored(Self.requests) == Self.oneByOne().stored(Self.requests))
        #expect(try Audit.run(harness.store).isClean)
    }

    /// Each register's row and how many letters of it `letter_numbers` holds: `register last open letters`.
    static func registers(_ store: SQLiteStore) throws -> [String] {
        try store.connection.query("""
            SELECT r.register || ' ' || r.last || ' ' || r.open || ' ' || (SELECT count(*) FROM letter_numbers n WHERE n.letter LIKE r.register || '/%')
            FROM letter_registers r ORDER BY r.register
            """) { $0.text(0) }
    }

    @Test("each command committed apart: a register's row is written open by the commit of its first letter in the batch and closed at its last letter by the batch's last commit, not between; a batch stopped between (a store error) leaves it open, read as its letters' highest sequence, and the next batch draws on without a gap")
    func registersOpenUntilTheBatchEnds() throws {
        let harness = try Self.committing(.each(claim: 500))
        var between: Set<String> = []
        harness.store.betweenCommits = { between.formUnion((try? Self.registers(harness.store)) ?? []) }
        _ = try harness.processor.runBatch(now: harness.now)
        let rows = between.map { $0.split(separator: " ").map(String.init) }
        // The last commit's rows are closed (seen once it has committed).
        #expect(rows.contains { $0[2] == "1" && Int($0[3])! > Int($0[1])! }, "open, behind the letters, between commits: \(between.sorted())")
        #expect(rows.allSatisfy { $0[2] == "1" || $0[1] == $0[3] }, "\(between.sorted())")
        let closed = try Self.registers(harness.store)
        #expect(!closed.isEmpty && closed.allSatisfy { $0.split(separator: " ")[2] == "0" }, "closed at the batch's end: \(closed)")
        #expect(closed.allSatisfy { let row = $0.split(separator: " "); return row[1] == row[3] }, "each at its last letter: \(closed)")

        // Stopped after the second letter's commit: the rows stay open, behind the letters.
        let stopped = try Self.committing(.each(claim: 500))
        try stopped.tamper("""
            CREATE TEMP TRIGGER refuse_letter BEFORE INSERT ON events
            WHEN NEW.action = 'issue_letter' AND (SELECT count(*) FROM events WHERE action = 'issue_letter') >= 2
            BEGIN SELECT RAISE(ABORT, 'disk refused'); END
            """)
        _ = try #require(throws: Processor.PartlyCommitted.self) { try stopped.processor.runBatch(now: stopped.now) }
        let open = try Self.registers(stopped.store).map { $0.split(separator: " ").map(String.init) }
        #expect(open.contains { $0[2] == "1" && Int($0[3])! > Int($0[1])! }, "\(open)")
        try stopped.store.withBatch { batch throws in
            for row in open { #expect(try batch.letterSequence(register: row[0]) == Int(row[3])!) }
        }
        try stopped.tamper("DROP TRIGGER refuse_letter")
        try stopped.drain()
        // A register the next batch did not draw from stays open: read, it is at its last letter all the same (`stored`).
        #expect(try stopped.stored(Self.requests) == Self.oneByOne().stored(Self.requests), "the same letters, numbers and registers as one command a batch")
        #expect(try Audit.run(stopped.store).isClean)
    }

    /// `committing` where, after the third commit, another connection (returned) takes the write lock
    /// before the batch begins its next transaction, which gives up after 20 ms.
    static func lockedAfterThirdCommit(_ mode: Committing) throws -> (Harness, SQLiteStore) {
        let harness = try Self.committing(mode)
        try harness.tamper("PRAGMA busy_timeout = 20")
        let other = try SQLiteStore(path: harness.store.path)
        var commits = 0
        harness.store.betweenCommits = {
            commits += 1
            if commits == 3 { try? other.connection.execute("BEGIN IMMEDIATE") }
        }
        return (harness, other)
    }

    @Test("another writer holding the lock after a commit fails the next transaction's start: the commit is reported with the error, the rest taken by the next batch",
          arguments: Committing.whole)
    func busyAfterACommit(_ mode: Committing) throws {
        let (harness, other) = try Self.lockedAfterThirdCommit(mode)
        let failed = try #require(throws: Processor.PartlyCommitted.self) { try harness.processor.runBatch(now: harness.now) }
        let committed = 3 * mode.group
        #expect((failed.error as? StoreError)?.code == .busy)
        #expect(failed.committed.commands == committed && failed.committed.done == committed && failed.committed.events == committed)
        #expect(try harness.store.commands(CommandFilter(status: .done)).count == committed)
        try other.connection.execute("ROLLBACK")
        harness.store.betweenCommits = nil
        #expect(try harness.drain().reduce(0) { $0 + $1.commands } == PipelineTests.lines().count - committed)
        #expect(try harness.stored(Self.requests) == Self.oneByOne().stored(Self.requests))
        if mode.group == 1 { #expect(try Self.rows(harness) == Self.rows(Self.oneByOne())) }
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

    @Test("the daemon logs the commands committed before a store error as a batch, then the retry, and catches up: every command counted once",
          arguments: Committing.whole)
    func daemonLogsWhatWasCommitted(_ mode: Committing) throws {
        let (harness, other) = try Self.lockedAfterThirdCommit(mode)
        let observer = Observer()
        observer.release = { try? other.connection.execute("ROLLBACK") }
        let logger = observer.logger(at: Harness.now)
        var options = Daemon.Options()
        options.untilIdle = true
        mode.apply(to: &options)
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: logger, options: options).run()
        let total = PipelineTests.lines().count
        let committed = Int64(3 * mode.group)
        let events = observer.lines.compactMap { $0["event"]?.stringValue }.filter { $0 == "batch" || $0 == "retry" }
        #expect(Array(events.prefix(3)) == ["batch", "retry", "batch"])
        let batches = observer.lines.filter { $0["event"] == "batch" }
        #expect(batches.first?["commands"] == .int(committed) && batches.first?["done"] == .int(committed) && batches.first?["events"] == .int(committed))
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

    @Test("a submit between two commits (another connection that only queues) does not end the batch: what was decided ahead stands, the commands queued wait for the next batch",
          arguments: Committing.whole)
    func submitBetweenCommands(_ mode: Committing) throws {
        let extra = [Lines.line("PML-6-1", "PML-6", "submit", Pemalang.kabidP2P, day: 3, Lines.contents, workflow: true),
                     Lines.line("PML-6-2", "PML-6", "recommend", Pemalang.kadisKominfo, day: 3)]
        let harness = try Self.committing(mode)
        let other = try SQLiteStore(path: harness.store.path)
        var commits = 0
        var failure: (any Error)?
        // After the third commit and after the seventh: another connection queues a command.
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
        if mode.group == 1 { #expect(try Self.rows(harness) == Self.rows(one)) }
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
                    try batch.recordOutcomes(claimed.map { QueuedOutcome($0, .refused(Refusal(Refusal.Code(rawValue: "other_daemon"), "refused elsewhere"))) }, now: now)
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

    @Test("another connection's commit that changes what deciding reads ends the batch after the group in hand: the rest is decided again, nothing lost or applied twice",
          arguments: ForeignChange.allCases, Committing.whole)
    func foreignChangeEndsTheBatch(_ change: ForeignChange, _ mode: Committing) throws {
        let harness = try Self.committing(mode)
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
        #expect(first.commands == committed * mode.group, "the batch ends after the group in hand")
        let total = PipelineTests.lines().count
        let elsewhere = change == .outcome ? 1 : 0
        #expect(try harness.drain().reduce(0) { $0 + $1.commands } == total - committed * mode.group - elsewhere)
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
