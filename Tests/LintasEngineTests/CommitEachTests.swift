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
    }

    @Test("the daemon logs the commands committed before a store error as a batch, then the retry, and catches up: every command counted once")
    func daemonLogsWhatWasCommitted() throws {
        let (harness, other) = try Self.lockedAfterThirdCommit()
        let observer = Observer()
        observer.release = { try? other.connection.execute("ROLLBACK") }
        let logger = Logger(level: .info, clock: FixedClock(instant: Harness.now), write: { line in
            guard let entry = try? JSONValue.parse(line) else { return }
            observer.lines.append(entry)
            if entry["event"] == "retry" { observer.release() }
        })
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

    @Test("another connection's commit between two commands voids what was decided ahead: it is decided again, nothing lost or applied twice")
    func foreignCommitBetweenCommands() throws {
        let extra = [Lines.line("PML-6-1", "PML-6", "submit", Pemalang.kabidP2P, day: 3, Lines.contents, workflow: true)]
        let harness = try Self.committingEach(batchSize: 500)
        let other = try SQLiteStore(path: harness.store.path)
        var commits = 0
        var failure: (any Error)?
        // Between the third command's commit and the next transaction: another connection queues a command.
        harness.store.betweenCommits = {
            commits += 1
            guard commits == 3 else { return }
            do { _ = try Intake.submit(Array(extra[0].utf8), source: "other", to: other, now: harness.now) } catch { failure = error }
        }
        let first = try harness.processor.runBatch(now: harness.now)
        #expect(failure == nil)
        #expect(first.commands == 3 && first.done == 3 && first.events == 3)
        #expect(try harness.store.commands(CommandFilter(status: .queued)).count == PipelineTests.lines().count - 3 + 1)
        let rest = try harness.drain()
        #expect(rest.reduce(0) { $0 + $1.commands } == PipelineTests.lines().count - 3 + 1)
        let one = try Self.oneByOne(first: 3, then: extra)
        #expect(try harness.stored(Self.requests + ["PML-6"]) == one.stored(Self.requests + ["PML-6"]))
        #expect(try Self.rows(harness) == Self.rows(one))
        #expect(try Audit.run(harness.store).isClean)
    }
}
