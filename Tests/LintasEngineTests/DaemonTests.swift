import LintasCore
import LintasEngine
import LintasStore
import Testing

/// A clock that stands still, so tests do not depend on the time of day.
struct FixedClock: Clock {
    var instant: Timestamp
    func now() -> Timestamp { instant }
}

@Suite("The daemon loop")
struct DaemonTests {
    @Test("until-idle processes the whole queue in batches and stops")
    func untilIdle() throws {
        let harness = try Harness(batchSize: 5)
        try harness.submit((1...3).flatMap { Lines.accepted("PML-\($0)") })
        var options = Daemon.Options()
        options.untilIdle = true
        options.batchSize = 5
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: .silent, options: options).run()
        #expect(summary.commands == 18)
        #expect(summary.batches == 4)
        #expect(summary.events == 18)
        #expect(!summary.stoppedBySignal)
    }

    @Test("a stop request ends the loop after the batch in hand, with nothing half-applied")
    func stopDrains() throws {
        let harness = try Harness(batchSize: 6)
        try harness.submit((1...3).flatMap { Lines.accepted("PML-\($0)") })
        let stop = StopFlag()
        // Stop as soon as the first batch is logged: the loop must not start another.
        let stopping = Logger(level: .info, clock: FixedClock(instant: Harness.now), write: { line in
            if line.contains("\"event\":\"batch\"") { stop.set() }
        })
        let summary = try Daemon(processor: harness.processor, clock: FixedClock(instant: Harness.now), logger: stopping,
                                 options: Daemon.Options(), stop: stop).run()
        #expect(summary.stoppedBySignal)
        #expect(summary.commands == 6)
        #expect(try harness.store.queueSummary().queued == 12)
        #expect(try Audit.run(harness.store).isClean)
    }
}
