import Foundation
import LintasCore
import LintasEngine
@testable import LintasStore
import TestSupport
import Testing

/// Schema version 8: every command's id, digest, sequence, request, enqueue time and source are in
/// `command_ids`; `queue` keeps the commands waiting or refused whole, a done one's data is in its events.
@Suite("Processed commands kept small: idempotent, listed, and their data left to their events")
struct ProcessedCommandsTests {
    /// PML-1 through the whole of Pasal 11 ayat (4); PML-2 submitted by someone who is not the
    /// head of the requesting office (refused); PML-3 submitted and left queued.
    func run(drainLast: Bool = false) throws -> Harness {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1") + [Lines.line("PML-2-1", "PML-2", "submit", Pemalang.prakomMuda, day: 3, Lines.contents, workflow: true)])
        try harness.drain()
        try harness.submit([Lines.line("PML-3-1", "PML-3", "submit", Pemalang.kabidP2P, day: 3, Lines.contents, workflow: true)])
        if drainLast { try harness.drain() }
        return harness
    }

    func count(_ harness: Harness, _ table: String) throws -> Int64 {
        try harness.store.connection.query("SELECT count(*) FROM \(table)") { $0.int64(0) }.first ?? -1
    }

    /// At batch size 1, PML-1 through Pasal 11 ayat (4), PML-2 refused and PML-3 queued whole, and the first eight processed:
    /// PML-1's six and PML-3-1 done, PML-2-1 refused, five of PML-3 waiting.
    func eightOfThree() throws -> Harness {
        let harness = try Harness(batchSize: 1)
        try harness.submit(Lines.accepted("PML-1") + [Lines.line("PML-2-1", "PML-2", "submit", Pemalang.prakomMuda, day: 3, Lines.contents, workflow: true)]
                           + Lines.accepted("PML-3"))
        for _ in 0..<8 { _ = try harness.processor.runBatch(now: harness.now) }
        return harness
    }

    /// Batches until the queue is empty: how many commands each did.
    func doneByBatch(_ processor: Processor, now: Timestamp) throws -> [Int] {
        var done: [Int] = []
        while true {
            let report = try processor.runBatch(now: now)
            if report.commands == 0 { return done }
            done.append(report.done)
        }
    }

    @Test("Pasal 11 ayat (4): once a batch is recorded its done commands leave the queue; the refused one keeps its data and refusal, the queued one waits whole")
    func doneLeaveQueue() throws {
        let harness = try run()
        #expect(try count(harness, "queue") == 2, "the refused PML-2-1 and the queued PML-3-1")
        #expect(try count(harness, "command_ids") == 8)
        let records = try harness.store.commands(CommandFilter())
        #expect(records.map(\.command.id) == ["PML-1-1", "PML-1-2", "PML-1-3", "PML-1-4", "PML-1-5", "PML-1-6", "PML-2-1", "PML-3-1"])
        #expect(records.map(\.status) == Array(repeating: .done, count: 6) + [.refused, .queued])
        // A done command is listed as it was given: its request, action and actor are its first event's.
        let approve = records[2]
        #expect((approve.command.request, approve.command.action, approve.command.actor) == ("PML-1", "approve", NIP(Pemalang.kabidAptika)))
        #expect(approve.firstEvent == 3 && approve.processedAt == harness.now && approve.source == "test")
        let refused = records[6]
        #expect(refused.refusal != nil && refused.command.data["target_unit"] == "diskominfo-aptika")
        #expect(try harness.store.commands(CommandFilter(status: .done, request: "PML-1")).count == 6)
        #expect(try harness.store.commands(CommandFilter(request: "PML-2")).map(\.status) == [.refused])
        #expect(try harness.store.commands(CommandFilter(status: .queued)).map(\.command.id) == ["PML-3-1"])
        #expect(try harness.store.commands(CommandFilter(id: "PML-1-4")).first?.command.action == "issue_letter")
        let summary = try harness.store.queueSummary()
        #expect((summary.queued, summary.done, summary.refused) == (1, 6, 1))
    }

    @Test("a processed command sent again is a duplicate; under its id with other content it is refused; new commands get later sequences")
    func idempotentAfterProcessing() throws {
        let harness = try run(drainLast: true)
        #expect(try count(harness, "queue") == 1, "only the refused command is left")
        let again = try harness.submit(Lines.accepted("PML-1"))
        #expect(again.duplicateIDs.count == 6 && again.queuedIDs.isEmpty)
        #expect { try harness.submit([Lines.line("PML-1-2", "PML-1", "recommend", Pemalang.kadisKominfo, day: 9)]) } throws: { error in
            "\(error)".contains("\"PML-1-2\" was already used for a different command (queue #2)")
        }
        // Every queued row but the refused one is gone: the next sequence still follows the highest given.
        try harness.submit(Lines.accepted("PML-4"))
        let fresh = try harness.store.commands(CommandFilter(request: "PML-4"))
        #expect(fresh.map(\.sequence) == Array(9...14))
        try harness.drain()
        #expect(try harness.state("PML-4")?.state == "accepted")
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("at batch size 1 done commands stay in the queue until 64 are done or it is empty: listed once meanwhile, never taken again, even by another connection")
    func doneLeftInQueue() throws {
        let harness = try eightOfThree()
        // PML-1's six and PML-3-1 done, PML-2-1 refused, five of PML-3 waiting: every row still in `queue`.
        #expect(try count(harness, "queue") == 13)
        func listed(_ store: SQLiteStore) throws -> [String] {
            try store.commands(CommandFilter()).map { "\($0.command.id) \($0.status.rawValue)" }
        }
        let expected = (1...6).map { "PML-1-\($0) done" } + ["PML-2-1 refused", "PML-3-1 done"] + (2...6).map { "PML-3-\($0) queued" }
        #expect(try listed(harness.store) == expected)
        #expect(try harness.store.connection.query("SELECT id || ' ' || status FROM commands ORDER BY seq") { $0.text(0) } == expected)
        #expect(try harness.store.commands(CommandFilter(request: "PML-1")).count == 6)
        #expect(try harness.store.commands(CommandFilter(id: "PML-3-1")).map(\.status) == [.done])
        let summary = try harness.store.queueSummary()
        #expect((summary.queued, summary.done, summary.refused) == (5, 7, 1))
        // Another connection (a daemon started after a crash) takes the waiting ones only, each once, and clears the done ones when idle.
        let other = try Processor(store: try SQLiteStore(path: harness.store.path, create: false), batchSize: 1)
        #expect(try doneByBatch(other, now: harness.now) == [1, 1, 1, 1, 1])
        #expect(try count(harness, "queue") == 1, "only the refused command is left")
        #expect(try listed(harness.store) == (1...6).map { "PML-1-\($0) done" } + ["PML-2-1 refused"] + (1...6).map { "PML-3-\($0) done" })
        #expect(try harness.store.connection.query("SELECT count(*) FROM events WHERE request = 'PML-3'") { $0.int64(0) } == [6])
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("a file of schema version 11, its `commands` view listing done commands from both tables, is brought to version 12 on opening: each listed once, the audit clean")
    func versionTwelveView() throws {
        let harness = try Harness(batchSize: 1)
        try harness.submit(Lines.accepted("PML-1"))
        for _ in 0..<3 { _ = try harness.processor.runBatch(now: harness.now) }
        try harness.store.connection.execute("""
            DROP VIEW commands;
            CREATE VIEW commands AS \(SQLiteStore.queuedCommandsSelect) UNION ALL \(SQLiteStore.processedCommandsSelect);
            PRAGMA user_version = 11;
            """)
        let viewed = "SELECT id || ' ' || status FROM commands ORDER BY seq"
        #expect(try harness.store.connection.query(viewed) { $0.text(0) }.count == 9, "the done ones twice, as version 11 would list commands left in the queue")
        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try reopened.connection.query(viewed) { $0.text(0) } == (1...3).map { "PML-1-\($0) done" } + (4...6).map { "PML-1-\($0) queued" })
        #expect(try Audit.run(reopened).isClean)
    }

    @Test("a file of schema version 12, a queue_batches row for every batch, is brought to version 13 on opening: listed the same, the audit clean, and its queue goes on from where it was, each command once")
    func versionThirteen() throws {
        let harness = try eightOfThree()
        #expect(try count(harness, "queue_batches") == 1, "only the refusal's batch has a row")
        // As version 12 wrote it: a row for each batch, what is processed only from them.
        let versionTwelveThrough = "(SELECT coalesce(max(through), 0) FROM queue_batches)"
        try harness.store.connection.execute("""
            DROP VIEW commands;
            ALTER TABLE queue_batches DROP COLUMN after_event;
            INSERT OR IGNORE INTO queue_batches (through, processed_at) SELECT seq, \(harness.now.milliseconds) FROM command_ids WHERE seq <= 8;
            \(SQLiteStore.derivedOutcomesView.replacingOccurrences(of: SQLiteStore.processedThrough, with: versionTwelveThrough)
                .replacingOccurrences(of: "PRAGMA user_version = 13", with: "PRAGMA user_version = 12"))
            """)
        #expect(try count(harness, "queue_batches") == 8)
        let listed = "SELECT id || ' ' || status FROM commands ORDER BY seq"
        let expected = (1...6).map { "PML-1-\($0) done" } + ["PML-2-1 refused", "PML-3-1 done"] + (2...6).map { "PML-3-\($0) queued" }
        #expect(try harness.store.connection.query(listed) { $0.text(0) } == expected)
        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try reopened.connection.query(listed) { $0.text(0) } == expected)
        #expect(try reopened.connection.query("SELECT after_event FROM queue_batches ORDER BY through DESC LIMIT 1") { $0.int64(0) }
                == reopened.connection.query("SELECT max(seq) FROM events") { $0.int64(0) }, "the last row stands for the whole log then")
        #expect(try reopened.commands(CommandFilter(status: .done)).allSatisfy { $0.processedAt == harness.now })
        #expect(try Audit.run(reopened).isClean)
        #expect(try doneByBatch(try Processor(store: reopened, batchSize: 1), now: harness.now) == [1, 1, 1, 1, 1])
        #expect(try reopened.connection.query("SELECT count(*) FROM events WHERE request = 'PML-3'") { $0.int64(0) } == [6])
        #expect(try count(harness, "queue_batches") == 8, "the five new batches of done commands wrote none")
        #expect(try Audit.run(reopened).isClean)
    }

    @Test("at batch size 1 the done commands are deleted together once 64 are done (DoneLeft.every)")
    func doneDeletedTogether() throws {
        let harness = try Harness(batchSize: 1)
        let requests = (1...11).map { "PML-\($0)" }
        try harness.submit(requests.flatMap { Lines.accepted($0) })
        var queueRows: [Int64] = []
        for _ in 0..<(DoneLeft.every + 1) {
            _ = try harness.processor.runBatch(now: harness.now)
            queueRows.append(try count(harness, "queue"))
        }
        // 66 queued: every row stays until the 64th is done, then those 64 go at once.
        #expect(queueRows[DoneLeft.every - 2] == 66 && queueRows[DoneLeft.every - 1] == 2 && queueRows[DoneLeft.every] == 2)
        #expect(try harness.store.queueSummary().done == DoneLeft.every + 1)
    }

    @Test("a version-7 file, every command whole in the queue: opened, it becomes version 8, its done commands moved, the listing unchanged, the audit clean; it takes new commands")
    func versionSevenFile() throws {
        let harness = try run()
        let before = try harness.store.commands(CommandFilter())
        try rewriteAsVersionSeven(harness)
        #expect(try count(harness, "queue") == 8)

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try count(harness, "queue") == 2 && count(harness, "command_ids") == 8)
        let after = try reopened.commands(CommandFilter())
        #expect(after.map(\.command.id) == before.map(\.command.id) && after.map(\.status) == before.map(\.status))
        #expect(after.map(\.firstEvent) == before.map(\.firstEvent) && after.map(\.refusal) == before.map(\.refusal))
        #expect(try Audit.run(reopened).isClean)

        let processor = try Processor(store: reopened, batchSize: 500)
        _ = try processor.runBatch(now: harness.now)
        try harness.submit(Lines.accepted("PML-4"))
        #expect(try harness.submit(Lines.accepted("PML-1")).duplicateIDs.count == 6)
        while try processor.runBatch(now: harness.now).commands > 0 {}
        #expect(try reopened.request("PML-3") != nil)
        #expect(try harness.store.queueSummary().done == 13)
        let report = try Audit.run(reopened)
        #expect(report.isClean, "\(report.findings)")
        // The step is idempotent.
        try reopened.connection.execute("PRAGMA user_version = 7")
        #expect(try SQLiteStore(path: harness.store.path, create: false).commands(CommandFilter(status: .done)).count == 13)
    }

    /// The file as lintas of schema version 7 left it: every command in `queue` with its data and its
    /// indexes on id and request, `commands` a view of `queue` alone, no `command_ids`.
    func rewriteAsVersionSeven(_ harness: Harness) throws {
        let done = try harness.store.commands(CommandFilter(status: .done))
        try harness.tamper("""
            DROP VIEW commands;
            CREATE TABLE queue_v7 (\(SQLiteStore.queueColumns));
            INSERT INTO queue_v7 SELECT * FROM queue;
            """)
        let lines = Intake.parse(Array(Lines.accepted("PML-1").joined(separator: "\n").utf8)).commands.map(\.command)
        for record in done {
            let original = try #require(lines.first { $0.id == record.command.id })
            try harness.store.connection.run("""
                INSERT INTO queue_v7 (seq, id, digest, request, action, actor, workflow, at, data, enqueued_at, source)
                SELECT seq, id, digest, request, ?, ?, ?, ?, ?, enqueued_at, source FROM command_ids WHERE id = ?
                """, [.text(original.action), .text(original.actor.rawValue), .optional(original.workflow?.rawValue),
                      .optional(original.at?.milliseconds), .utf8(JSONValue.object(original.data).canonicalBytes), .text(original.id.rawValue)])
        }
        try harness.tamper("""
            DROP TABLE queue;
            DROP TABLE command_ids;
            ALTER TABLE queue_v7 RENAME TO queue;
            CREATE INDEX queue_by_request ON queue (request);
            CREATE VIEW commands AS \(SQLiteStore.queuedCommandsSelect);
            PRAGMA user_version = 7;
            """)
    }
}
