import LintasCore
import LintasEngine
import LintasStore
import Testing
import TestSupport

/// A clock that stands still, so tests do not depend on the time of day.
struct FixedClock: Clock {
    var instant: Timestamp
    func now() -> Timestamp { instant }
}

@Suite("The daemon loop")
struct DaemonTests {
    @Test("until-idle processes the whole queue in batches (or claims of several batches; a claim of as many batches as a whole number goes takes the whole queue, without overflow) and stops",
          arguments: [(1, 4), (2, 2), (Int.max, 1)])
    func untilIdle(claimBatches: Int, batches: Int) throws {
        let harness = try Harness(batchSize: 5)
        // Claims this small are taken together only when a thread is started for them from two commands.
        harness.processor.pipelineFrom = 2
        try harness.submit((1...3).flatMap { Lines.accepted("PML-\($0)") })
        var options = Daemon.Options()
        options.untilIdle = true
        options.batchSize = 5
        options.claimBatches = claimBatches
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: .silent, options: options).run()
        #expect(summary.commands == 18)
        #expect(summary.batches == batches)
        #expect(summary.events == 18)
        #expect(!summary.stoppedBySignal)
    }

    @Test("the daemon's start line names the claim's batches only when they are taken together: not for batches of one, whose claim takes one", arguments: [(500, true), (1, false)])
    func startLineNamesTheClaim(batchSize: Int, together: Bool) throws {
        let harness = try Harness(batchSize: batchSize)
        let lines = Locked<[String]>([])
        var options = Daemon.Options()
        options.untilIdle = true
        options.batchSize = batchSize
        options.claimBatches = 2
        let logger = Logger(level: .info, clock: FixedClock(instant: Harness.now), write: { line in lines.mutate { $0.append(line) } })
        _ = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: logger, options: options).run()
        let started = try #require(try lines.value.map { try JSONValue.parse($0) }.first { $0["event"] == "daemon_started" })
        #expect(started["claim_batches"] == (together ? .int(2) : nil))
        #expect(harness.processor.claimsTogether == together)
    }

    @Test("a log line is one canonical JSON object: the fields and the line's time, level and event in key order, a field named like one of those giving way")
    func logLineIsCanonical() throws {
        let lines = Locked<[String]>([])
        let at = Timestamp(iso8601: "2025-03-03T09:15:00.007+07:00")!
        let logger = Logger(level: .info, clock: FixedClock(instant: at), write: { line in lines.mutate { $0.append(line) } })
        let fields: [String: JSONValue] = ["a": .int(1), "eventual": "x", "level": "not this", "m": .array([.bool(true), .null]), "timer": .double(2.5),
                                          "zz": .object(["b": "\"kutip\"", "a": "baris\nbaru"])]
        logger.warning("batch", fields)
        logger.debug("below the level", fields)
        var expected = fields
        expected["time"] = "2025-03-03T02:15:00.007Z"
        expected["level"] = "warning"
        expected["event"] = "batch"
        #expect(lines.value == [JSONValue.object(expected).canonicalText])
        #expect(try JSONValue.parse(lines.value[0]) == .object(expected))
    }

    @Test("a line with its fields given in order is the line the same fields give as a dictionary")
    func orderedLogLineIsTheSame() throws {
        let lines = Locked<[String]>([])
        let at = Timestamp(iso8601: "2025-03-03T09:15:00.007+07:00")!
        let logger = Logger(level: .info, clock: FixedClock(instant: at), write: { line in lines.mutate { $0.append(line) } })
        logger.info("batch", ["commands": .int(1), "done": .int(1), "events": .int(2), "milliseconds": .double(0.25), "refused": .int(0)])
        logger.log(.info, "batch", ordered: ["commands": .int(1), "done": .int(1), "events": .int(2), "milliseconds": .double(0.25), "refused": .int(0)])
        logger.log(.debug, "batch", ordered: ["commands": .int(1)])
        #expect(lines.value.count == 2)
        #expect(lines.value[0] == lines.value[1])
        #expect(lines.value[0] == #"{"commands":1,"done":1,"event":"batch","events":2,"level":"info","milliseconds":0.25,"refused":0,"time":"2025-03-03T02:15:00.007Z"}"#)
    }

    @Test("the heartbeat is rewritten at most once a second while batches run, at once when its state changes, and when forced")
    func heartbeatAtMostOnceASecond() throws {
        let database = Scratch.file("heartbeat", extension: "db").path
        let lock = try DaemonLock(database: database)
        let start = Timestamp(iso8601: "2026-03-02T09:00:00+07:00")!
        func written() -> (commands: JSONValue?, state: JSONValue?) {
            let heartbeat = DaemonLock.inspect(database: database).heartbeat
            return (heartbeat?["commands"], heartbeat?["state"])
        }
        var heartbeat = DaemonLock.Heartbeat(started: start)
        lock.beat(heartbeat, now: start, force: true)
        heartbeat.commands = 1
        lock.beat(heartbeat, now: start.adding(milliseconds: 10))
        #expect(written().commands == .int(0), "a batch 10 ms after the last write does not rewrite the file")
        heartbeat.commands = 2
        lock.beat(heartbeat, now: start.adding(milliseconds: 1000))
        #expect(written().commands == .int(2), "a second after the last write it is rewritten")
        heartbeat.state = "retrying"
        lock.beat(heartbeat, now: start.adding(milliseconds: 1010))
        #expect(written().state == .string("retrying"), "a new state is written at once")
        heartbeat.state = "running"
        heartbeat.commands = 3
        lock.beat(heartbeat, now: start.adding(milliseconds: 1020))
        #expect(written().state == .string("running"))
        heartbeat.commands = 4
        lock.beat(heartbeat, now: start.adding(milliseconds: 1030))
        #expect(written().commands == .int(3))
        lock.beat(heartbeat, now: start.adding(milliseconds: 1040), force: true)
        #expect(written().commands == .int(4), "forced, as on stopping")
    }

    @Test("a stop request ends the loop after the batch (the claim) in hand, with nothing half-applied", arguments: [1, 2])
    func stopDrains(claimBatches: Int) throws {
        let harness = try Harness(batchSize: 6 / claimBatches)
        harness.processor.pipelineFrom = 2
        try harness.submit((1...3).flatMap { Lines.accepted("PML-\($0)") })
        let stop = StopFlag()
        // Stop as soon as the first batch is logged: the loop must not start another.
        let stopping = Logger(level: .info, clock: FixedClock(instant: Harness.now), write: { line in
            if line.contains("\"event\":\"batch\"") { stop.set() }
        })
        var options = Daemon.Options()
        options.claimBatches = claimBatches
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: stopping,
                                 options: options, stop: stop).run()
        #expect(summary.stoppedBySignal)
        #expect(summary.commands == 6)
        #expect(try harness.store.queueSummary().queued == 12)
        #expect(try Audit.run(harness.store).isClean)
    }
}

@Suite("A full disk")
struct DiskFullTests {
    /// What the daemon's log saw, and the store to free up space on, from inside the logger.
    ///
    /// `@unchecked Sendable`: the logger is called synchronously on the daemon's thread, which
    /// is the test's thread; nothing here is touched from anywhere else.
    final class Observer: @unchecked Sendable {
        let harness: Harness
        var retries: [JSONValue] = []
        var eventsWhileFull: [Int64] = []
        init(_ harness: Harness) { self.harness = harness }
    }

    @Test("the disk fills up: commands stay queued, nothing is half-applied, the daemon retries with backoff and catches up")
    func retriesUntilThereIsRoom() throws {
        let harness = try Harness(batchSize: 50)
        try harness.submit((1...10).flatMap { Lines.accepted("PML-\($0)") })
        // SQLite's own limit on the file's size, as if the disk were full: no page can be added.
        try harness.tamper("PRAGMA max_page_count = 1")
        let observer = Observer(harness)
        let logger = Logger(level: .info, clock: FixedClock(instant: Harness.now), write: { line in
            guard let entry = try? JSONValue.parse(line), entry["event"] == "retry" else { return }
            observer.retries.append(entry)
            observer.eventsWhileFull.append((try? observer.harness.store.sequenceSummary().count) ?? -1)
            if observer.retries.count == 3 { try? observer.harness.tamper("PRAGMA max_page_count = 1073741823") }
        })
        var options = Daemon.Options()
        options.untilIdle = true
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: logger, options: options).run()

        #expect(observer.retries.count == 3)
        #expect(observer.retries.allSatisfy { $0["code"] == "disk_full" })
        #expect(observer.retries.map { $0["wait_ms"] } == [.int(100), .int(200), .int(400)])
        #expect(observer.eventsWhileFull == [0, 0, 0])
        #expect(summary.done == 60)
        #expect(try harness.store.queueSummary().queued == 0)
        #expect(try harness.store.sequenceSummary().count == 60)
        #expect(try Audit.run(harness.store).isClean)
    }
}
