import Foundation
import LintasCore
import LintasEngine
import LintasStore

/// The parts of the benchmark that run in a process of their own, so that each starts cold
/// and its peak RSS is its own: `lintas-bench child daemon|replay|states|audit|status|lookups DB RESULT [BATCH [CACHED]]`.
/// Each writes its figures to RESULT as one JSON object. The daemon takes its batch size (`BxK`: batches
/// of B, K a claim, `Daemon.Options.claimBatches`, by default `Daemon.defaultClaimBatches`; `eachN`:
/// N at a time, each command committed apart, `Daemon.Options.commitEach`) and
/// how many requests its processor keeps between transactions (`cachedRequests`; 0 makes every
/// command read its request from the file, as W1 beyond that many requests does).
enum Child {
    static func run(_ arguments: [String]) throws {
        let clock = Stopwatch()
        let modes = ["daemon", "replay", "states", "audit", "status", "lookups"]
        // For the daemon only: the batch size (fourth argument) and the requests kept (fifth), else the daemon's own.
        let commitEach = arguments.count >= 4 && arguments[3].hasPrefix("each")
        // `BxK`: batches of B, K a claim (`Daemon.Options.claimBatches`).
        let sizes = arguments.count >= 4 ? arguments[3].dropFirst(commitEach ? 4 : 0).split(separator: "x", omittingEmptySubsequences: false) : []
        let batch = sizes.isEmpty ? Daemon.Options().batchSize : Int(sizes[0])
        let claimBatches = sizes.count == 2 && !commitEach ? Int(sizes[1]) : sizes.count < 2 ? Daemon.defaultClaimBatches : nil
        let cached = arguments.count == 5 ? Int(arguments[4]) : Processor.defaultCachedRequests
        guard modes.contains(arguments.first ?? ""), arguments.count == 3 || ((4...5).contains(arguments.count) && arguments[0] == "daemon"),
              let batch, batch > 0, let claimBatches, claimBatches > 0, let cached, cached >= 0 else {
            usageError("lintas-bench child: expected child daemon|replay|states|audit|status|lookups DB RESULT.json, and for daemon "
                       + "optionally a batch size (a positive whole number, default \(Daemon.Options().batchSize); BxK: batches of B, K of them claimed at a time, default \(Daemon.defaultClaimBatches); eachN: N at a time, each command committed apart) and then the requests "
                       + "its processor keeps (a whole number, default \(Processor.defaultCachedRequests)); got: \(arguments.joined(separator: " "))")
        }
        let (mode, database, result) = (arguments[0], arguments[1], arguments[2])
        // The daemon's connection as `lintas daemon` opens it; the others as `lintas audit` does
        // (for status and lookups it only lists the requests; `StatusLookup` opens its own).
        let store = mode == "daemon" ? try SQLiteStore(path: database, create: false, pageCacheKilobytes: Daemon.pageCacheKilobytes,
                                                               gatherWALWrites: true)
                                     : try SQLiteStore(path: database, create: false, reading: .scans)
        var figures: [String: JSONValue] = [:]
        switch mode {
        case "daemon":
            var options = Daemon.Options()
            options.batchSize = batch
            options.commitEach = commitEach
            options.claimBatches = claimBatches
            options.untilIdle = true
            // The daemon logs as in production (a line per batch); the lines are built and dropped.
            let logger = Logger(level: .info, write: { _ in })
            let summary = try Daemon(processor: try Processor(store: store, batchSize: batch, cachedRequests: cached), clock: Workload.Clock(),
                                     logger: logger, options: options).run()
            figures = ["commands": .int(Int64(summary.commands)), "events": .int(Int64(summary.events)),
                       "refused": .int(Int64(summary.refused))]
        case "replay", "states":
            // `replay` rebuilds the projections: each request's canonical state bytes, as the store
            // keeps them, no state values built; `states` builds `RequestState` values (`Replay.all`).
            let replayed = mode == "replay" ? try Replay.projections(in: store, workers: SnapshotReaders.defaultWorkers)
                                            : try Replay.all(in: store, workers: SnapshotReaders.defaultWorkers)
            figures = ["requests": .int(Int64(replayed.requests)), "events": .int(Int64(replayed.events))]
        case "audit":
            let report = try Audit.run(store)
            figures = ["events": .int(Int64(report.events)), "clean": .bool(report.isClean),
                       "findings": .int(Int64(report.findings.count))]
        case "status":
            // The warm status lookup of the table, 10,000 times round the stored requests: for callgrind.
            let lookup = try StatusLookup(database: database)
            var ids: [RequestID] = []
            try store.forEachRequest { ids.append($0.request) }
            var awaited = 0
            for index in 0..<10_000 { awaited += try lookup.awaitedCount(ids[index % ids.count]) }
            figures = ["lookups": .int(10_000), "awaited": .int(Int64(awaited))]
        case "lookups":
            // The table's status rows alone, on a file processed before: 1,000 requests drawn as the
            // benchmark draws them, timed warm, then the point-lookup limit on the same sample.
            var ids: [RequestID] = []
            try store.forEachRequest { ids.append($0.request) }
            var random = SplitMix64(state: 2023)
            let sample = (0..<1_000).map { _ in ids[random.next(below: ids.count)] }
            // Then where the time goes: each part's median, the minor page faults a lookup takes (the file is
            // mapped: a page first read in this process faults), and the same sample once more, every page read before.
            let lookup = try StatusLookup(database: database)
            let warm = try lookup.times(sample)
            let again = try lookup.times(sample)
            let point = Limits.pointLookups(path: database, requests: sample.map(\.rawValue))
            figures = ["warm_median_ms": .double(warm.median), "warm_p99_ms": .double(warm.p99),
                       "query_median_ms": .double(warm.query), "decode_median_ms": .double(warm.decode),
                       "awaiting_median_ms": .double(warm.awaiting), "faults_a_lookup": .double(warm.faults),
                       "unfaulted_median_ms": .double(warm.unfaulted), "faulted_median_ms": .double(warm.faulted),
                       "again_median_ms": .double(again.median), "again_p99_ms": .double(again.p99),
                       "point_median_ms": .double(point.median), "point_p99_ms": .double(point.p99),
                       "slowest_faults_a_lookup": .double(warm.slowest.faults), "slowest_major_faults_a_lookup": .double(warm.slowest.majorFaults),
                       "slowest_switches_a_lookup": .double(warm.slowest.switches), "slowest_query_median_ms": .double(warm.slowest.query),
                       "slowest_decode_median_ms": .double(warm.slowest.decode), "slowest_awaiting_median_ms": .double(warm.slowest.awaiting)]
        default:
            preconditionFailure("modes are checked above")
        }
        figures["seconds"] = .double(clock.seconds)
        figures["peak_rss_kb"] = .int(Int64(peakRSSKilobytes()))
        try JSONValue.object(figures).canonicalText.write(toFile: result, atomically: true, encoding: .utf8)
    }

    /// Spawns `lintas-bench child …` and reads back what it measured.
    static func spawn(_ mode: String, database: String, folder: String, extra: [String] = []) throws -> [String: JSONValue] {
        let result = folder + "/\(mode)-result.json"
        let status = Spawn.run(WorkflowsFolder.runningExecutable, ["child", mode, database, result] + extra)
        guard status == 0, let data = FileManager.default.contents(atPath: result),
              let figures = try JSONValue.parse([UInt8](data)).objectValue else {
            throw BenchError("the \(mode) process failed (exit \(status))")
        }
        return figures
    }
}

/// Running other processes without Foundation's `Process`, whose own overhead would count.
enum Spawn {
    /// Runs a program to its end with standard output to /dev/null (unless `stdout` names a file).
    /// - Returns: the exit status, or -1 when it could not be started or died of a signal.
    static func run(_ path: String, _ arguments: [String], stdout: String = "/dev/null") -> Int32 {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, stdout, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, path, &actions, nil, argv, environ) == 0 else { return -1 }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS, which Swift does not import.
        return status & 0x7F == 0 ? (status >> 8) & 0xFF : -1
    }
}

/// The process's peak resident set (VmHWM), in kilobytes.
func peakRSSKilobytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
          let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return 0 }
    return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// One warm `lintas status` lookup as the table measures it: the stored projection by its
/// request (a point query), decoded into a state, and who it awaits today.
struct StatusLookup {
    let store: SQLiteStore
    let definitions: DefinitionCatalog
    let directories: DirectoryCatalog
    let zone: TimeZoneOffset
    let now: Timestamp

    init(database: String) throws {
        store = try SQLiteStore(path: database, create: false, reading: .lookUps)
        definitions = try DefinitionCatalog(store: store)
        directories = try DirectoryCatalog(store: store)
        zone = try directories.timeZone()
        now = Workload.Clock().now()
    }

    /// Milliseconds per lookup (read the projection, decode it, resolve whose turn it is against
    /// the directory in force on W1's clock) of the sample, the first 100 not counted and looked
    /// up once more at the end (warm means warm): the median and p99; the median of each part (the
    /// last, whose turn it is, with the freeing);
    /// the minor page faults a lookup took (counted outside the timed span); the median of
    /// the lookups that took none and of those that took some; and for the slowest 1 %, the faults
    /// and context switches a lookup took and each part's median.
    func times(_ sample: [RequestID]) throws -> Times {
        var times: [Double] = [], parts: [[Double]] = [[], [], []], faults: [Int] = [], switches: [Int] = [], majorFaults: [Int] = []
        var usage = rusage()
        for id in sample + sample.prefix(100) {
            getrusage(ownProcess, &usage)
            let before = (usage.ru_minflt, usage.ru_majflt, usage.ru_nvcsw + usage.ru_nivcsw)
            let clock = Stopwatch()
            var read = 0.0, decoded = 0.0
            do {
                let body = try stateBody(id)
                read = clock.seconds
                let state = try RequestState(bytes: body, keepingParticipants: true)
                decoded = clock.seconds
                _ = try awaitedCount(state)
            }
            let seconds = clock.seconds // the row and the state freed
            getrusage(ownProcess, &usage)
            times.append(seconds * 1000)
            for (part, value) in zip(parts.indices, [read, decoded - read, seconds - decoded]) { parts[part].append(value * 1000) }
            faults.append(usage.ru_minflt - before.0)
            majorFaults.append(usage.ru_majflt - before.1)
            switches.append(usage.ru_nvcsw + usage.ru_nivcsw - before.2)
        }
        times.removeFirst(100)
        faults.removeFirst(100)
        switches.removeFirst(100)
        majorFaults.removeFirst(100)
        parts = parts.map { Array($0.dropFirst(100)) }
        let faulted = zip(times, faults)
        // The slowest 1 % (those at or above the p99): where their time went.
        let slowest = Array(times.indices.sorted { times[$0] > times[$1] }.prefix(max(1, times.count / 100)))
        func mean(_ counts: [Int], of lookups: [Int]) -> Double { Double(lookups.map { counts[$0] }.reduce(0, +)) / Double(lookups.count) }
        func median(_ values: [Double], of lookups: [Int]) -> Double { percentile(lookups.map { values[$0] }, 0.5) }
        return Times(median: percentile(times, 0.5), p99: percentile(times, 0.99), query: percentile(parts[0], 0.5),
                     decode: percentile(parts[1], 0.5), awaiting: percentile(parts[2], 0.5),
                     faults: mean(faults, of: Array(faults.indices)),
                     unfaulted: percentile(faulted.filter { $0.1 == 0 }.map(\.0), 0.5), faulted: percentile(faulted.filter { $0.1 > 0 }.map(\.0), 0.5),
                     slowest: Slowest(faults: mean(faults, of: slowest), majorFaults: mean(majorFaults, of: slowest), switches: mean(switches, of: slowest),
                                      query: median(parts[0], of: slowest), decode: median(parts[1], of: slowest), awaiting: median(parts[2], of: slowest)))
    }

    struct Times {
        var median, p99, query, decode, awaiting, faults, unfaulted, faulted: Double
        var slowest: Slowest
    }

    /// The slowest 1 % of the lookups: the minor and major faults and the context switches (the process
    /// gave up or lost its core: another ran meanwhile) a lookup took, and the median of each part.
    struct Slowest {
        var faults, majorFaults, switches, query, decode, awaiting: Double
    }

    /// How many parties the request awaits.
    func awaitedCount(_ id: RequestID) throws -> Int {
        try awaitedCount(try RequestState(bytes: stateBody(id), keepingParticipants: true))
    }

    /// The stored state of the request, as `lintas status` reads it (a point query).
    func stateBody(_ id: RequestID) throws -> [UInt8] {
        guard let body = try store.stateBody(of: id) else { throw BenchError("no request \(id)") }
        return body
    }

    /// How many parties the state awaits today.
    func awaitedCount(_ state: RequestState) throws -> Int {
        let parties = try definitions.definition(state.definition)?.awaiting(state, directory: try directories.directory(at: now), on: now.civilDate(in: zone))
        return parties?.count ?? 0
    }
}

/// `getrusage`'s "this process", as the C library types it.
private let ownProcess = __rusage_who_t(RUSAGE_SELF.rawValue)
