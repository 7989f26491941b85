import CSQLite
import Foundation
import LintasCore
import TestSupport
import Testing

/// The real `lintas` executable, run as a separate process on a real database file.
struct Lintas {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let workflows = repository.appendingPathComponent("workflows").path
    static let directory = repository.appendingPathComponent("workflows/directories/pemalang.json").path

    /// The binary SwiftPM built next to this test bundle (`swift test` builds it: the test
    /// target depends on the executable).
    static let executable: URL = {
        let bundleFolder = URL(fileURLWithPath: (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0])
            .deletingLastPathComponent()
        for folder in [bundleFolder, repository.appendingPathComponent(".build/debug")] {
            let candidate = folder.appendingPathComponent("lintas")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        fatalError("the lintas executable was not found next to the test bundle (\(bundleFolder.path)); run the tests with 'swift test'")
    }()

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String

        /// Standard output as JSON, for `--json` commands.
        func json() throws -> JSONValue { try JSONValue.parse(Array(stdout.utf8)) }
    }

    /// A fresh folder; `db` is the database file inside it (not created yet).
    let folder: URL
    var db: String { folder.appendingPathComponent("lintas.db").path }

    init() throws {
        folder = try Scratch.folder("lintas-cli")
    }

    /// A database with the shipped workflows and the sample Pemalang directory, loaded by the CLI.
    static func prepared() throws -> Lintas {
        let lintas = try Lintas()
        try lintas.expectSuccess(["workflows", "load", workflows])
        try lintas.expectSuccess(["org", "import", directory])
        return lintas
    }

    /// A copy of the shipped workflows in this folder, with one workflow file changed by `change`
    /// (its document as an object). Returns the copy's path.
    func workflowsCopy(changing file: String, _ change: (inout [String: JSONValue]) throws -> Void) throws -> String {
        let copy = folder.appendingPathComponent("workflows-\(UUID().uuidString)")
        try FileManager.default.copyItem(atPath: Lintas.workflows, toPath: copy.path)
        let url = copy.appendingPathComponent(file)
        guard var document = try JSONValue.parse(Array(try Data(contentsOf: url))).objectValue else { throw Failed(description: "\(file) is not an object") }
        try change(&document)
        try Data(JSONValue.object(document).canonicalText.utf8).write(to: url)
        return copy.path
    }

    /// `workflowsCopy` changing the `letter` object of the transition `action`.
    func workflowsCopy(changing file: String, letterOf action: String, _ change: @escaping (inout [String: JSONValue]) -> Void) throws -> String {
        try workflowsCopy(changing: file) { document in
            document["transitions"] = .array((document["transitions"]?.arrayValue ?? []).map { item in
                guard var transition = item.objectValue, transition["action"] == .string(action), var letter = transition["letter"]?.objectValue else { return item }
                change(&letter)
                transition["letter"] = .object(letter)
                return .object(transition)
            })
        }
    }

    /// Starts `lintas ARGUMENTS --db DB` (unless `database` is false) without waiting; `program`
    /// runs another executable in lintas's place (`/usr/bin/env`, to find lintas on PATH).
    func start(_ arguments: [String], database: Bool = true, stdin: String? = nil, program: URL = Lintas.executable) throws -> (Process, stdout: Pipe, stderr: Pipe) {
        let process = Process()
        process.executableURL = program
        process.arguments = arguments + (database ? ["--db", db] : [])
        process.currentDirectoryURL = folder
        let stdout = Pipe(), stderr = Pipe(), input = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        return (process, stdout, stderr)
    }

    /// Runs `lintas ARGUMENTS --db DB` to the end.
    @discardableResult
    func run(_ arguments: [String], database: Bool = true, stdin: String? = nil, program: URL = Lintas.executable) throws -> Result {
        let (process, stdout, stderr) = try start(arguments, database: database, stdin: stdin, program: program)
        // Read both pipes before waiting, so a full pipe cannot block the child.
        let errors = Locked(Data())
        let reader = Thread { errors.set(stderr.fileHandleForReading.readDataToEndOfFile()) }
        reader.start()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errors.isSet { usleep(1000) }
        return Result(status: process.terminationStatus, stdout: String(decoding: output, as: UTF8.self),
                      stderr: String(decoding: errors.value, as: UTF8.self))
    }

    struct Failed: Error, CustomStringConvertible {
        var description: String
    }

    /// Runs a command that must succeed; its failure is the test's error, with what it printed.
    @discardableResult
    func expectSuccess(_ arguments: [String], stdin: String? = nil) throws -> Result {
        let result = try run(arguments, stdin: stdin)
        guard result.status == 0 else {
            throw Failed(description: "lintas \(arguments.joined(separator: " ")) exited \(result.status):\n\(result.stdout)\(result.stderr)")
        }
        return result
    }

    /// Queues command lines with `lintas submit -` and processes them with `lintas daemon --until-idle`.
    func process(_ lines: [String]) throws {
        try expectSuccess(["submit", "-"], stdin: lines.joined(separator: "\n") + "\n")
        try expectSuccess(["daemon", "--until-idle"])
    }

    func status(_ request: String) throws -> JSONValue { try expectSuccess(["status", request, "--json"]).json() }

    /// The refusal code of every refused command, by command id.
    func refusals() throws -> [String: String] {
        let commands = try expectSuccess(["commands", "--status", "refused", "--json"]).json()["commands"]?.arrayValue ?? []
        var codes: [String: String] = [:]
        for command in commands {
            codes[command["id"]?.stringValue ?? ""] = command["refusal"]?["code"]?.stringValue
        }
        return codes
    }

    /// Runs SQL on the database file directly, as someone bypassing lintas would; returns
    /// SQLite's error message, or nil when the statement succeeded.
    func sql(_ text: String) -> String? {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(db, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else { return "cannot open \(db)" }
        defer { sqlite3_close_v2(handle) }
        var message: UnsafeMutablePointer<CChar>?
        guard sqlite3_exec(handle, text, nil, nil, &message) == SQLITE_OK else {
            defer { sqlite3_free(message) }
            return message.map { String(cString: $0) } ?? "error"
        }
        return nil
    }
}

/// A value set once by another thread.
final class Locked<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    private var assigned = false

    init(_ value: Value) { stored = value }

    func set(_ value: Value) { lock.withLock { stored = value; assigned = true } }
    var value: Value { lock.withLock { stored } }
    var isSet: Bool { lock.withLock { assigned } }
}

/// Command lines of Perbup Pemalang 38/2023 Pasal 11 ayat (4), as other systems write them.
extension Pemalang {
    static let workflow = "pemalang.penunjukan.lintas-pd"

    /// One command line; `day` is a day of March 2026, at 09:00 WIB.
    static func line(_ id: String, _ request: String, _ action: String, _ actor: String, day: Int,
                     _ data: [String: JSONValue] = [:], opens: Bool = false) -> String {
        var members: [String: JSONValue] = ["id": .string(id), "request": .string(request), "action": .string(action),
                                            "actor": .string(actor), "at": .string(String(format: "2026-03-%02dT09:00:00+07:00", day)),
                                            "data": .object(data)]
        if opens { members["workflow"] = .string(workflow) }
        return JSONValue.object(members).canonicalText
    }

    /// The four contents Pasal 11 ayat (6) requires, asking Bidang Aplikasi Informatika.
    static let contents: [String: JSONValue] = [
        "target_unit": "diskominfo-aptika",
        "purpose": "Membangun dasbor surveilans penyakit menular",
        "competence": "Pengembangan aplikasi web (Pranata Komputer)",
        "performance_target": "Dasbor berjalan di 22 Puskesmas",
        "duration": .object(["start": "2026-04-01", "end": "2026-09-30"]),
    ]

    /// The same contents with an assignment still in force: it runs to the end of next year, so
    /// the daemon (on the real clock) does not end it during a test. (`contents` ran out on
    /// 30 September 2026; an accepted request with it is `ended` at once.)
    static let inForce: [String: JSONValue] = contents.merging([
        "duration": .object(["start": "2026-04-01", "end": .string("\(Calendar(identifier: .gregorian).component(.year, from: Date()) + 1)-12-31")]),
    ]) { _, new in new }

    static func submit(_ request: String, day: Int = 2, _ data: [String: JSONValue] = contents) -> String {
        line("\(request)-submit", request, "submit", kabidP2P, day: day, data, opens: true)
    }
}

/// A `lintas daemon` running in the background, its log lines collected as they come.
final class RunningDaemon: @unchecked Sendable {
    // @unchecked: `lines` is only touched under `lock`; `process` is set once in init.
    let process: Process
    private let lock = NSLock()
    private var buffer = Data()
    private let finished = Locked(false)

    /// Starts `lintas daemon ARGUMENTS --db DB`.
    init(_ lintas: Lintas, _ arguments: [String] = []) throws {
        let (process, _, stderr) = try lintas.start(["daemon"] + arguments)
        self.process = process
        let handle = stderr.fileHandleForReading
        let reader = Thread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { buffer.append(chunk) }
            }
            finished.set(true)
        }
        reader.start()
    }

    var pid: Int32 { process.processIdentifier }

    /// The log so far, one parsed JSON object a line.
    var log: [JSONValue] {
        lock.withLock { String(decoding: buffer, as: UTF8.self) }.split(separator: "\n").compactMap { try? JSONValue.parse(String($0)) }
    }

    /// The log's `event` names so far.
    var events: [String] { log.compactMap { $0["event"]?.stringValue } }

    /// Sends a signal and waits for the process to end; returns its exit status (or signal).
    @discardableResult
    func stop(_ signal: Int32 = SIGTERM) -> Int32 {
        kill(process.processIdentifier, signal)
        process.waitUntilExit()
        while !finished.value { usleep(1000) }
        return process.terminationStatus
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
}

/// How the daemon commits, for the tests that must hold either way: a batch in one transaction,
/// each claimed alone (`--claim-batches 1`); batches claimed several at a time, each committed
/// apart as soon as it is written (the default for a claim of 64 commands or more: the tests' batches
/// of 3, 22 a claim); or each command in a transaction of its own (`--commit-each`).
enum CommitMode: String, CaseIterable, CustomTestStringConvertible {
    case batch
    case claims
    case each

    var testDescription: String {
        switch self {
        case .batch: "one transaction a batch, claimed alone"
        case .claims: "batches claimed together, committed apart"
        case .each: "--commit-each"
        }
    }

    /// The daemon's arguments that choose it.
    var arguments: [String] {
        switch self {
        case .batch: ["--claim-batches", "1"]
        case .claims: ["--claim-batches", "22"]
        case .each: ["--commit-each"]
        }
    }
}

/// Polls until `condition` holds or `seconds` pass.
func eventually(seconds: Double = 20, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while Date() < deadline {
        if try condition() { return true }
        usleep(20_000)
    }
    return try condition()
}

extension Lintas {
    /// Runs one SQL query on the database file through SQLite's C API and returns every row's
    /// columns as text; for checks that must not trust lintas's own reading of its file.
    func query(_ text: String) throws -> [[String]] {
        var handle: OpaquePointer?
        guard sqlite3_open_v2(db, &handle, SQLITE_OPEN_READONLY, nil) == SQLITE_OK else { throw Failed(description: "cannot open \(db)") }
        defer { sqlite3_close_v2(handle) }
        sqlite3_busy_timeout(handle, 10_000)
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(handle, text, -1, &statement, nil) == SQLITE_OK else {
            throw Failed(description: "\(text): \(String(cString: sqlite3_errmsg(handle)))")
        }
        defer { sqlite3_finalize(statement) }
        var rows: [[String]] = []
        while sqlite3_step(statement) == SQLITE_ROW {
            rows.append((0..<sqlite3_column_count(statement)).map { column in
                sqlite3_column_text(statement, column).map { String(cString: $0) } ?? ""
            })
        }
        return rows
    }

    /// Writes a spool file the way other systems must: as NAME.tmp, then renamed to NAME.
    func drop(_ lines: [String], as name: String, into spool: URL) throws {
        let inbox = spool.appendingPathComponent("inbox")
        try FileManager.default.createDirectory(at: inbox, withIntermediateDirectories: true)
        let temporary = inbox.appendingPathComponent(name + ".tmp")
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: temporary)
        guard rename(temporary.path, inbox.appendingPathComponent(name).path) == 0 else { throw Failed(description: "rename \(name)") }
    }
}

/// Another process's write lock on the database: `BEGIN EXCLUSIVE` on a connection of the
/// test process, held until `release()`.
final class WriteLock {
    private var handle: OpaquePointer?

    init(_ lintas: Lintas) throws {
        guard sqlite3_open_v2(lintas.db, &handle, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK,
              sqlite3_exec(handle, "BEGIN EXCLUSIVE", nil, nil, nil) == SQLITE_OK
        else { throw Lintas.Failed(description: "cannot lock \(lintas.db)") }
    }

    func release() {
        sqlite3_exec(handle, "COMMIT", nil, nil, nil)
        sqlite3_close_v2(handle)
        handle = nil
    }

    deinit { if handle != nil { release() } }
}
