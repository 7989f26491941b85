import Dispatch
import Foundation
import LintasCore
import LintasStore
import Synchronization

/// The daemon: processes queued commands until told to stop, or until the queue is empty.
///
/// It is one loop on one thread, because all its work goes through the store's single
/// writer connection and SQLite's C calls block: a loop that owns the connection is the
/// honest model, and keeps blocking calls off Swift's cooperative thread pool.
///
/// The first SIGTERM or SIGINT lets the batch in hand finish and exits cleanly; a second
/// one exits at once (an uncommitted batch is rolled back by SQLite, so nothing is half-applied).
public final class Daemon {
    public struct Options: Sendable {
        /// Commands per transaction (with `commitEach`: commands decided ahead at most, each committed apart).
        public var batchSize = 500
        /// Commits each command in a transaction of its own, one synced commit a command, the
        /// next ones decided while it syncs (`Processor.commitEach`).
        public var commitEach = false
        /// How many batches one claim takes (without `commitEach`): decided on one thread while the
        /// other writes and commits them one after another, each as soon as it is written
        /// (`Processor.claimBatches`); 1: each batch claimed, decided and committed alone.
        public var claimBatches = Daemon.defaultClaimBatches
        /// How long to wait before looking at an empty queue again.
        public var pollMilliseconds = 200
        /// Exit as soon as the queue is empty.
        public var untilIdle = false
        /// Longest wait between retries after a store failure.
        public var maximumBackoffMilliseconds = 30_000
        /// The working-day calendar deadlines are counted in.
        public var calendar: WorkingCalendar?
        /// How often to look for deadlines that passed and assignments that ran out, at most;
        /// sooner when the next one is known to fall sooner, and after every batch.
        public var timerIntervalMilliseconds: Int64 = 60_000

        public init() {}
    }

    /// 2: the deciding thread waits for the writing one once a claim (1,000 commands at the default
    /// batch size), not once a batch. Four a claim were about 4 % faster on W1 at N = 10,000 but held
    /// about 4.5 MB more a batch at N = 100,000 and more (W1 misses the kept states there), so that the
    /// daemon's peak RSS at N = 1,000,000 grew 21 % over N = 10,000's; see docs/performance.md,
    /// *Not done yet*, the daemon across both cores.
    public static let defaultClaimBatches = 2

    /// SQLite's page cache for the daemon's connection, in KiB (`SQLiteStore(pageCacheKilobytes:)`),
    /// instead of SQLite's 2,000. A batch rewrites its requests' rows, their index entries and the
    /// events' `(request, version)` entries, scattered over the file once it holds more requests
    /// than the processor keeps: in 2 MB they do not stay in memory until the commit (SQLite
    /// spills them to the WAL and reads them back); in 16 MB they do (W1 at N = 30,000: 54 % fewer
    /// read calls, 20 % fewer write calls; docs/performance-history.md, *Scale: the daemon at large N*).
    public static let pageCacheKilobytes = 16 * 1024

    /// What a run did.
    public struct Summary: Sendable, Hashable {
        public var batches = 0
        public var commands = 0
        public var done = 0
        public var refused = 0
        public var events = 0
        /// Reminders, escalations and ends recorded by the timers.
        public var timerEvents = 0
        public var stoppedBySignal = false
    }

    private let processor: Processor
    private let clock: any Clock
    private let logger: Logger
    private let options: Options
    private let stop: StopFlag
    private let spool: Spool?
    private let lock: DaemonLock?

    /// - Parameters:
    ///   - spool: a spool folder to take command files from, besides the queue.
    ///   - lock: the daemon lock of the database, where the heartbeat is written.
    public init(processor: Processor, clock: any Clock, logger: Logger, options: Options, stop: StopFlag = StopFlag(),
                spool: Spool? = nil, lock: DaemonLock? = nil) {
        self.processor = processor
        processor.commitEach = options.commitEach
        processor.claimBatches = options.claimBatches
        self.clock = clock
        self.logger = logger
        self.options = options
        self.stop = stop
        self.spool = spool
        self.lock = lock
    }

    /// Runs until stopped (or idle, with `untilIdle`).
    ///
    /// A store error worth retrying (the database locked by another process, the disk full,
    /// an I/O error) or a spool folder that cannot be written is logged as `retry` and tried
    /// again after a wait that doubles from 100 ms up to `maximumBackoffMilliseconds`; the
    /// commands stay queued and the spool file stays claimed meanwhile, so nothing is lost.
    /// - Throws: a store error that is not worth retrying (a corrupt file, a newer schema).
    public func run() throws -> Summary {
        var summary = Summary()
        var backoff = 0
        var heartbeat = DaemonLock.Heartbeat(started: clock.now(), spool: spool?.root)
        lock?.beat(heartbeat, now: heartbeat.started, force: true)
        var started: [String: JSONValue] = ["batch_size": .int(Int64(options.batchSize)), "until_idle": .bool(options.untilIdle)]
        if options.commitEach { started["commit_each"] = .bool(true) } else if processor.claimsTogether { started["claim_batches"] = .int(Int64(options.claimBatches)) }
        if let spool { started["spool"] = .string(spool.root) }
        if let calendar = options.calendar {
            started["calendar"] = .string(calendar.id)
            started["calendar_years"] = .array(calendar.years.sorted().map { .int(Int64($0)) })
        }
        logger.info("daemon_started", started)
        if let calendar = options.calendar, let warning = calendar.endWarning(on: heartbeat.started.civilDate(in: .wib)) {
            logger.warning("calendar_ends", ["calendar": .string(calendar.id), "last_day": .string(calendar.lastDay?.description ?? ""),
                                             "message": .string(warning)])
        }
        var nextTimerLook = clock.now()
        // The requests of commands committed without the timers' look a whole batch gives them (a batch
        // ended by a store error or another connection's commit): looked at before the next batch.
        var unlooked: [RequestID] = []
        var reportedProblems: Set<String> = []
        // Every timed request now and then; the requests a batch changed, in the batch's own transaction.
        func lookedAt(_ timers: Processor.TimerReport, everything: Bool, now: Timestamp) {
            log(timers, reportedProblems: &reportedProblems)
            summary.timerEvents += timers.events.count
            summary.events += timers.events.count
            if everything { nextTimerLook = now.adding(milliseconds: options.timerIntervalMilliseconds) }
            if let next = timers.next { nextTimerLook = min(nextTimerLook, next) }
        }
        let look = Processor.TimerLook(calendar: options.calendar)
        // A batch's commands in the log, the counts and the heartbeat.
        func counted(_ report: Processor.BatchReport, since began: DispatchTime) {
            if report.timers == nil {
                unlooked += report.touched.filter { !unlooked.contains($0) }
            }
            guard report.commands > 0 else { return }
            log(report, since: began)
            summary.batches += 1
            heartbeat.batches += 1
            heartbeat.commands += report.commands
            heartbeat.lastBatch = clock.now()
            summary.commands += report.commands
            summary.done += report.done
            summary.refused += report.refused
            summary.events += report.events
        }
        while !stop.isSet {
            let report: Processor.BatchReport
            var filesWaiting = false
            var began = DispatchTime.now()
            do {
                let now = clock.now()
                if now >= nextTimerLook {
                    lookedAt(try processor.runTimers(now: now, calendar: options.calendar), everything: true, now: now)
                    unlooked = []
                } else if !unlooked.isEmpty {
                    lookedAt(try processor.runTimers(now: now, calendar: options.calendar, only: unlooked), everything: false, now: now)
                    unlooked = []
                }
                if let spool {
                    for outcome in try spool.poll(into: processor.store, now: clock.now()) { log(outcome) }
                }
                began = DispatchTime.now()
                let batchNow = clock.now()
                report = try processor.runBatch(now: batchNow, timers: look)
                counted(report, since: began)
                if let timers = report.timers { lookedAt(timers, everything: false, now: batchNow) }
                filesWaiting = try spool?.hasWaitingFiles() ?? false
                backoff = 0
                heartbeat.retry = nil
                heartbeat.state = "running"
            } catch let failed as Processor.PartlyCommitted {
                // The commands committed before the error are done: logged and counted as a batch, then the error.
                counted(failed.committed, since: began)
                backoff = try retry(after: failed.error, backoff: backoff, &heartbeat)
                continue
            } catch {
                backoff = try retry(after: error, backoff: backoff, &heartbeat)
                continue
            }
            // At most once a second while batches run, and when the state changes; on stopping, with the final counts.
            lock?.beat(heartbeat, now: clock.now())
            if report.commands == 0 && !filesWaiting {
                if options.untilIdle { break }
                stop.sleep(milliseconds: options.pollMilliseconds)
            }
        }
        summary.stoppedBySignal = stop.isSet
        heartbeat.state = "stopped"
        lock?.beat(heartbeat, now: clock.now(), force: true)
        logger.info("daemon_stopped", ["commands": .int(Int64(summary.commands)), "events": .int(Int64(summary.events)),
                                       "signal": .bool(summary.stoppedBySignal)])
        return summary
    }

    /// Logs a failure worth retrying (a transient store error, a spool folder that cannot be
    /// written) and waits. Returns the wait, to double next time. - Throws: any other error.
    private func retry(after error: any Error, backoff: Int, _ heartbeat: inout DaemonLock.Heartbeat) throws -> Int {
        switch error {
        case let error as StoreError where error.isTransient:
            retry(code: error.code.rawValue, message: error.message, after: backoff, &heartbeat)
        case let error as SpoolError:
            retry(code: "spool", message: error.message, after: backoff, &heartbeat)
        default:
            throw error
        }
    }

    /// Logs a failure worth retrying and waits. Returns the wait, to double next time.
    private func retry(code: String, message: String, after backoff: Int, _ heartbeat: inout DaemonLock.Heartbeat) -> Int {
        let wait = min(max(backoff * 2, 100), options.maximumBackoffMilliseconds)
        logger.warning("retry", ["code": .string(code), "message": .string(message), "wait_ms": .int(Int64(wait))])
        heartbeat.state = "retrying"
        heartbeat.retry = "\(code): \(message)"
        lock?.beat(heartbeat, now: clock.now())
        stop.sleep(milliseconds: wait)
        return wait
    }

    private func log(_ report: Processor.BatchReport, since began: DispatchTime) {
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - began.uptimeNanoseconds) / 1e6
        logger.log(.info, "batch", ordered: ["commands": .int(Int64(report.commands)), "done": .int(Int64(report.done)),
                                             "events": .int(Int64(report.events)), "milliseconds": .double((elapsed * 100).rounded() / 100),
                                             "refused": .int(Int64(report.refused))])
        for refusal in report.refusals {
            logger.info("refused", ["command": .string(refusal.command.rawValue), "request": .string(refusal.request.rawValue),
                                    "code": .string(refusal.refusal.code.rawValue), "message": .string(refusal.refusal.message)])
        }
    }

    private func log(_ timers: Processor.TimerReport, reportedProblems: inout Set<String>) {
        for event in timers.events {
            var fields: [String: JSONValue] = ["request": .string(event.request.rawValue), "action": .string(event.action),
                                               "state": .string(event.state), "at": .string(event.at.description),
                                               "article": .string(event.detail.article)]
            for (key, value) in event.detail.fields { fields[key] = value }
            logger.info(event.action == Timers.ended ? "ended" : "deadline", fields)
        }
        for problem in timers.problems where reportedProblems.insert(problem).inserted {
            logger.warning("deadline_uncounted", ["message": .string(problem)])
        }
    }

    private func log(_ outcome: Spool.FileOutcome) {
        var fields: [String: JSONValue] = ["file": .string(outcome.name), "moved_to": .string(outcome.movedTo),
                                           "queued": .int(Int64(outcome.queued)), "duplicates": .int(Int64(outcome.duplicates))]
        if outcome.recovered { fields["recovered"] = .bool(true) }
        if outcome.failed {
            fields["problems"] = .int(Int64(outcome.problems.count))
            fields["first_problem"] = .string(outcome.problems[0].description)
            logger.warning("spool_failed", fields)
        } else {
            logger.info("spool_done", fields)
        }
    }
}

/// Set by the first SIGTERM or SIGINT; the daemon checks it between batches.
public final class StopFlag: Sendable {
    private let signals = Atomic<Int>(0)

    public init() {}

    public var isSet: Bool { signals.load(ordering: .acquiring) > 0 }

    /// Records a request to stop. Returns how many have been received.
    @discardableResult
    public func set() -> Int { signals.add(1, ordering: .acquiringAndReleasing).newValue }

    /// Sleeps up to the given time, waking early when the flag is set.
    public func sleep(milliseconds: Int) {
        var remaining = milliseconds
        while remaining > 0 && !isSet {
            let slice = min(remaining, 50)
            usleep(UInt32(slice * 1000))
            remaining -= slice
        }
    }

    /// Routes SIGTERM and SIGINT to this flag: the first sets it, the second exits at once.
    /// - Returns: the signal sources, which must be kept alive while the daemon runs.
    public func installSignalHandlers(onSecond: @escaping @Sendable () -> Never = { exit(130) }) -> [any DispatchSourceSignal] {
        [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if set() > 1 { onSecond() }
            }
            source.resume()
            return source
        }
    }
}
