// lintas-bench: workload W1 (../shared/workload.md) through the production path, every figure
// of workload.md beside the machine's limits measured in the same run. See docs/performance.md.
//
//   swift run -c release --static-swift-stdlib lintas-bench [N] [--keep]
//   lintas-bench N --queue-only   leaves a database with W1 queued, to profile the daemon on
//
// A benchmark is a program that prints figures; nothing here fails on time.
import Foundation
import LintasCore
import LintasEngine
import LintasStore

/// How to call lintas-bench.
let usage = """
    Usage: lintas-bench [N] [--keep] [--queue-only]
      N             requests of workload W1 (default 10000; 100000 and 1000000 on request)
      --keep        keep the benchmark's databases (their folder is printed)
      --queue-only  only queue W1 and keep the database, to profile one phase with
                    lintas-bench child daemon|replay|states|audit|status|lookups DB RESULT.json [BATCH [CACHED]]

    """

/// A usage error: what is wrong and the usage on standard error, exit 64 (EX_USAGE).
func usageError(_ message: String) -> Never {
    FileHandle.standardError.write(Data("\(message)\n\(usage)".utf8))
    exit(64)
}

let arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "child" {
    do { try Child.run(Array(arguments.dropFirst())) } catch {
        FileHandle.standardError.write(Data("lintas-bench child: \(error)\n".utf8))
        exit(1)
    }
    exit(0)
}

let options: Set = ["--keep", "--queue-only"]
if arguments.contains("--help") || arguments.contains("-h") {
    print(usage, terminator: "")
    exit(0)
}
let numbers = arguments.filter { !$0.hasPrefix("-") }
let requests = numbers.first.map { Int($0.replacingOccurrences(of: "_", with: "").replacingOccurrences(of: ",", with: "")) ?? -1 } ?? 10_000
if let unknown = arguments.first(where: { $0.hasPrefix("-") && !options.contains($0) }) {
    usageError("lintas-bench: unknown option \(unknown)")
}
guard requests > 0, numbers.count <= 1 else {
    usageError("lintas-bench: N must be one positive whole number of requests, not \(numbers.joined(separator: " "))")
}

do {
    try Bench(requests: requests, keep: arguments.contains("--keep") || arguments.contains("--queue-only"),
              queueOnly: arguments.contains("--queue-only")).run()
} catch {
    FileHandle.standardError.write(Data("Error: \(error)\n".utf8))
    exit(1)
}

struct Bench {
    let requests: Int
    let keep: Bool
    let queueOnly: Bool
    /// Requests added after the main run and processed one commit per command.
    var durableRequests: Int { min(requests, 1_000) }
    let batchSize = Daemon.Options().batchSize
    let folder: String
    var database: String { folder + "/lintas.db" }

    init(requests: Int, keep: Bool, queueOnly: Bool) {
        self.requests = requests
        self.keep = keep
        self.queueOnly = queueOnly
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("lintas-bench-\(getpid())").path
    }

    func run() throws {
        try? FileManager.default.removeItem(atPath: folder)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: folder) } }
        guard let workflows = WorkflowsFolder.locate(executable: WorkflowsFolder.runningExecutable) else {
            throw BenchError("no workflows folder found; run from the repository")
        }
        let started = Stopwatch()
        let now = SystemClock().now()
        let store = try SQLiteStore(path: database)
        _ = try Loading.loadWorkflows(from: workflows, into: store, now: now)
        _ = try Loading.importDirectory(from: workflows + "/directories/pemalang.json", into: store, now: now)
        log("W1 at N = \(requests): \(folder)")

        // 1. Every command of the main run through intake, the queue `lintas submit` fills.
        let main = Workload(first: 0, count: requests)
        let intakeSeconds = try submit(main, to: store)
        log("queued \(main.commandCount) commands in \(format(intakeSeconds, digits: 2)) s")
        if queueOnly { return }

        // 2. Batched: the daemon's own group commit, batches claimed `Daemon.defaultClaimBatches` at a time, each committed apart.
        let eventsPerRow = main.commandCount
        let bulk = Limits.bulkInsert(path: folder + "/limit-bulk.db", rows: eventsPerRow, requests: requests, dataBytes: 330)
        let batched = try Child.spawn("daemon", database: database, folder: folder, extra: [String(batchSize)])
        let batchedRate = double(batched["commands"]) / double(batched["seconds"])
        log("batched: \(batched.canonical)")

        // 3. Durable: more requests, one transaction (one synced commit) per command, the next ones
        // decided while it syncs (`lintas daemon --commit-each`, batches of the daemon's size).
        let extra = Workload(first: requests, count: durableRequests)
        _ = try submit(extra, to: store)
        // The limit is measured just before the phase and again just after it, the same number
        // of commits each into a file of its own, and the two rates averaged: a disk whose sync
        // time drifts during the run moves the limit with the figure it bounds. Each is timed
        // past its WAL's first cycle, as the phase's WAL was grown before it (`Limits.durableCommits`).
        let limitCommits = min(3_000, 10 * requests)
        let commitsBefore = Limits.durableCommits(path: folder + "/limit-durable.db", commits: limitCommits)
        let durable = try Child.spawn("daemon", database: database, folder: folder, extra: ["each\(batchSize)"])
        let durableRate = double(durable["commands"]) / double(durable["seconds"])
        let commitsAfter = Limits.durableCommits(path: folder + "/limit-durable-after.db", commits: limitCommits)
        let commits = (commitsBefore + commitsAfter) / 2
        log("durable: \(durable.canonical); durable-commit limit \(format(commitsBefore)) before, \(format(commitsAfter)) after")
        let refused = int(batched["refused"]) + int(durable["refused"])
        if int(batched["events"]) != int(batched["commands"]) || int(durable["events"]) != int(durable["commands"]) {
            log("warning: the timers added events of their own (a deadline passed or an assignment ended while W1 ran)")
        }
        if refused > 0 { log("warning: \(refused) commands were refused; see 'lintas commands --status refused --db \(database)' with --keep") }

        // 4. Replay and audit, each in a cold process; the scan limit on the same table.
        let scan = Limits.scan(path: database)
        let replay = try Child.spawn("replay", database: database, folder: folder)
        let replayRate = double(replay["events"]) / double(replay["seconds"])
        log("replay: \(replay.canonical)")
        let audit = try Child.spawn("audit", database: database, folder: folder)
        if audit["clean"] != .bool(true) { throw BenchError("the audit found problems: \(audit.canonical)") }
        let auditRate = double(audit["events"]) / double(audit["seconds"])
        log("audit: \(audit.canonical)")

        // 5. Status: warm lookups in this process, then the real `lintas status` binary, cold.
        let total = requests + durableRequests
        var random = SplitMix64(state: 2023)
        let sample = (0..<1_000).map { _ in RequestID(main.requestID(random.next(below: total))) }
        let warm = try StatusLookup(database: database).times(sample)
        let point = Limits.pointLookups(path: database, requests: sample.map(\.rawValue))
        let cold = coldStatus(sample.prefix(21).map(\.rawValue))

        // 6. Size.
        let events = int(batched["events"]) + int(durable["events"])
        let bytesPerEvent = Double(Limits.checkpointedSize(database)) / Double(events)

        let commands = int(batched["commands"]) + int(durable["commands"])
        print("""

        lintas-bench W1: N = \(requests) requests (+ \(durableRequests) for the durable figure), \(commands) commands, \(events) events, \
        release build, \(ProcessInfo.processInfo.activeProcessorCount) cores, \(format(started.seconds)) s
        """)
        var table = Table()
        table.row("durable commands/s (1 commit per command, --commit-each)", format(durableRate), "\(format(commits)) commits/s (synchronous=FULL)",
                  durableRate / commits, "≥ 90 % of limit")
        table.row("batched commands/s (batch \(batchSize), \(Daemon.defaultClaimBatches) a claim)", format(batchedRate), "\(format(bulk.rowsPerSecond)) rows/s (bulk insert, 1 tx)",
                  batchedRate / bulk.rowsPerSecond, "≥ 100,000")
        table.row("replay events/s (cold process)", format(replayRate), "\(format(scan.rowsPerSecond)) rows/s (scan)",
                  replayRate / scan.rowsPerSecond, "≥ 1,200,000")
        table.row("audit events/s (cold process)", format(auditRate), "\(format(scan.rowsPerSecond)) rows/s (scan)",
                  auditRate / scan.rowsPerSecond, "≥ 800,000")
        table.row("status warm median ms", format(warm.median, digits: 4), "\(format(point.median, digits: 4)) ms (point lookup)",
                  point.median / warm.median, "")
        table.row("status warm p99 ms", format(warm.p99, digits: 4), "\(format(point.p99, digits: 4)) ms (point lookup)",
                  point.p99 / warm.p99, "≤ 0.05 ms")
        table.row("status cold process ms (median of \(cold.count))", cold.isEmpty ? "n/a" : format(median(cold), digits: 1), "", nil, "≤ 15 ms")
        table.row("bytes per event (file / events)", format(bytesPerEvent), "\(format(bulk.bytesPerRow)) bytes/row (raw rows)",
                  bulk.bytesPerRow / bytesPerEvent, "≤ 450")
        table.row("peak RSS daemon MB", format(double(batched["peak_rss_kb"]) / 1024, digits: 1), "", nil, "")
        table.row("peak RSS replay MB", format(double(replay["peak_rss_kb"]) / 1024, digits: 1), "", nil, "")
        table.row("intake commands/s (queue, 10,000 a tx)", format(Double(main.commandCount) / intakeSeconds), "", nil, "")
        print(table.text)
        if cold.isEmpty { print("(no lintas binary next to lintas-bench: run 'swift build -c release' for the cold status figure)") }
        if !Bench.linksSwiftStatically { print("(lintas links the Swift runtime dynamically; build with --static-swift-stdlib for the cold start people get)") }
        print("\"of limit\": our figure as a fraction of the limit (for times: the limit's time over ours).")
    }

    /// Queues a workload through intake, round-robin, 10,000 command lines a submission.
    /// - Returns: seconds spent in intake (generating the lines is not counted).
    private func submit(_ workload: Workload, to store: SQLiteStore) throws -> Double {
        var seconds = 0.0
        let chunk = 10_000
        for step in 0..<5 {
            for start in stride(from: 0, to: workload.count, by: chunk) {
                var lines: [UInt8] = []
                workload.lines(step: step, requests: start..<min(start + chunk, workload.count), into: &lines)
                if lines.isEmpty { continue }
                let clock = Stopwatch()
                let report = try Intake.submit(lines, source: "lintas-bench", to: store, now: SystemClock().now())
                seconds += clock.seconds
                guard report.duplicateIDs.isEmpty else { throw BenchError("duplicate command ids in the workload") }
            }
        }
        return seconds
    }

    /// Milliseconds of a whole `lintas status REQ` process, spawned and waited for (the first run is not counted).
    private func coldStatus(_ ids: [String]) -> [Double] {
        let lintas = (WorkflowsFolder.runningExecutable as NSString).deletingLastPathComponent + "/lintas"
        guard FileManager.default.isExecutableFile(atPath: lintas) else { return [] }
        var times: [Double] = []
        for id in ids {
            let clock = Stopwatch()
            let status = Spawn.run(lintas, ["status", id, "--db", database])
            if status == 0 { times.append(clock.seconds * 1000) }
        }
        return Array(times.dropFirst())
    }

    /// Whether this build links the Swift runtime statically (`--static-swift-stdlib`), which
    /// halves the start of a process: no libswiftCore.so among the mapped files.
    static var linksSwiftStatically: Bool {
        guard let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return false }
        return !maps.contains("libswiftCore.so")
    }

    private func log(_ line: String) { FileHandle.standardError.write(Data("lintas-bench: \(line)\n".utf8)) }
}

/// The printed table: one row per figure.
struct Table {
    private var rows: [[String]] = [["figure", "lintas", "limit (same run, C API)", "of limit", "target"]]

    mutating func row(_ figure: String, _ value: String, _ limit: String, _ fraction: Double?, _ target: String) {
        rows.append([figure, value, limit, fraction.map { format($0 * 100) + " %" } ?? "", target])
    }

    var text: String {
        let widths = (0..<5).map { column in rows.map { $0[column].count }.max()! }
        return rows.map { row in
            zip(row, widths).enumerated().map { column, cell in
                let padding = String(repeating: " ", count: cell.1 - cell.0.count)
                return column == 1 || column == 3 ? padding + cell.0 : cell.0 + padding
            }.joined(separator: "  ")
        }.joined(separator: "\n")
    }
}

func format(_ value: Double, digits: Int = 0) -> String {
    guard value.isFinite else { return "n/a" }
    if digits > 0 { return String(format: "%.\(digits)f", value) }
    let rounded = Int(value.rounded())
    let text = String(rounded.magnitude)
    var grouped = ""
    for (index, character) in text.enumerated() {
        if index > 0 && (text.count - index) % 3 == 0 { grouped.append(",") }
        grouped.append(character)
    }
    return (rounded < 0 ? "-" : "") + grouped
}

func double(_ value: JSONValue?) -> Double {
    switch value {
    case .int(let number)?: Double(number)
    case .double(let number)?: number
    default: .nan
    }
}

func int(_ value: JSONValue?) -> Int { Int(value?.intValue ?? 0) }

extension Dictionary where Key == String, Value == JSONValue {
    var canonical: String { JSONValue.object(self).canonicalText }
}
