import Foundation
import LintasCore
import LintasEngine
import TestSupport
@testable import LintasStore

/// A real SQLite file with the shipped workflows and one regency's sample directory loaded.
struct Harness {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let now = Timestamp(iso8601: "2025-06-30T12:00:00+07:00")!

    let store: SQLiteStore
    let processor: Processor
    /// The engine's clock for every batch.
    let now: Timestamp

    /// - Parameters:
    ///   - directory: the org directory file to import, relative to the repository.
    ///   - workflows: the workflows folder to load; the shipped one by default.
    init(batchSize: Int = 500, directory: String = "workflows/directories/pemalang.json", now: Timestamp = Harness.now,
         workflows: String = Harness.repository.appendingPathComponent("workflows").path) throws {
        let folder = try Scratch.folder("lintas-engine")
        store = try SQLiteStore(path: folder.appendingPathComponent("lintas.db").path)
        self.now = now
        _ = try Loading.loadWorkflows(from: workflows, into: store, now: now)
        _ = try Loading.importDirectory(from: Harness.repository.appendingPathComponent(directory).path, into: store, now: now)
        processor = try Processor(store: store, batchSize: batchSize)
    }

    /// Queues command lines through intake, as `lintas submit` does.
    @discardableResult
    func submit(_ lines: [String]) throws -> Intake.Report {
        try Intake.submit(Array(lines.joined(separator: "\n").utf8), source: "test", to: store, now: now)
    }

    /// A harness whose log holds PML-1 and PML-2, each accepted through Pasal 11 ayat (4) (`Lines.accepted`).
    static func twoAccepted() throws -> Harness {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1") + Lines.accepted("PML-2"))
        try harness.drain()
        return harness
    }

    /// Runs batches until the queue is empty.
    @discardableResult
    func drain() throws -> [Processor.BatchReport] {
        var reports: [Processor.BatchReport] = []
        while true {
            let report = try processor.runBatch(now: now)
            if report.commands == 0 { return reports }
            reports.append(report)
        }
    }

    func state(_ request: RequestID) throws -> RequestState? { try store.request(request)?.decode() }

    /// Every stored letter part (`letter_parts`), its hash and body, in hash order.
    func letterParts() throws -> [String] {
        try store.connection.query("SELECT hash, body FROM letter_parts ORDER BY hash") { row in
            "\(Digest(bytes: row.bytes(0))!.hex) \(String(decoding: row.bytes(1), as: UTF8.self))"
        }
    }

    /// What the file holds of `requests`, as text to compare: every command's outcome, the
    /// requests' projections and events' hashes, the letter parts, registers (each's last as drawing reads it: an
    /// open one's row may lag behind its letters, `StoreBatch.setLetterSequence(register:to:open:)`) and numbers.
    func stored(_ requests: [String]) throws -> [String] {
        let outcomes = try store.commands(CommandFilter()).map { "\($0.command.id) \($0.refusal?.code.rawValue ?? "done")" }
        let projections = try requests.map { try store.request(RequestID($0))?.body ?? [] }.map { String(decoding: $0, as: UTF8.self) }
        let events = try requests.flatMap { try store.events(of: RequestID($0)).map { Digest(bytes: $0.hash)!.hex } }
        let registers = try store.connection.query("SELECT register FROM letter_registers ORDER BY register") { $0.text(0) }
        let numbers = try store.withBatch { batch in try registers.map { "\($0) \(try batch.letterSequence(register: $0))" } }
            + store.connection.query("SELECT number, letter, request FROM letter_numbers ORDER BY number") { "\($0.text(0)) \($0.text(1)) \($0.text(2))" }
        return outcomes + projections + events + (try letterParts()) + numbers
    }

    /// Runs SQL directly on the file, as someone tampering with it would.
    func tamper(_ sql: String) throws { try store.connection.execute(sql) }

    /// One command line as other systems write it; `workflow` on the line that opens a request.
    static func line(_ id: String, _ request: String, _ action: String, _ actor: String, at: String,
                     _ data: [String: JSONValue] = [:], workflow: String? = nil) -> String {
        var members: [String: JSONValue] = ["id": .string(id), "request": .string(request), "action": .string(action), "actor": .string(actor),
                                            "at": .string(at), "data": .object(data)]
        if let workflow { members["workflow"] = .string(workflow) }
        return JSONValue.object(members).canonicalText
    }

    /// The refusal of a command, when it was refused.
    func refusal(_ id: CommandID) throws -> Refusal? {
        try store.commands(CommandFilter(id: id)).first?.refusal
    }
}

/// Command lines of Perbup Pemalang 38/2023 Pasal 11 ayat (4) with the sample directory's people.
enum Lines {
    static func line(_ id: String, _ request: String, _ action: String, _ actor: String, day: Int, _ data: [String: JSONValue] = [:], workflow: Bool = false) -> String {
        Harness.line(id, request, action, actor, at: String(format: "2025-03-%02dT09:00:00+07:00", day), data,
                     workflow: workflow ? "pemalang.penunjukan.lintas-pd" : nil)
    }

    static let contents: [String: JSONValue] = [
        "target_unit": "diskominfo-aptika", "purpose": "Dasbor surveilans", "competence": "Pemrograman web",
        "performance_target": "Dasbor di 22 Puskesmas", "duration": .object(["start": "2025-07-01", "end": "2025-12-31"]),
    ]

    /// The whole procedure for one request, a to e, with two nominees.
    static func accepted(_ request: String) -> [String] { accepted(request, contents: contents) }

    /// `accepted` with the request's fields `contents`.
    static func accepted(_ request: String, contents: [String: JSONValue]) -> [String] {
        [
            line("\(request)-1", request, "submit", Pemalang.kabidP2P, day: 3, contents, workflow: true),
            line("\(request)-2", request, "recommend", Pemalang.kadisKominfo, day: 4),
            line("\(request)-3", request, "approve", Pemalang.kabidAptika, day: 5, ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomPertama)])]),
            line("\(request)-4", request, "issue_letter", Pemalang.kadisKominfo, day: 6),
            line("\(request)-5", request, "accept", Pemalang.prakomMuda, day: 7),
            line("\(request)-6", request, "accept", Pemalang.prakomPertama, day: 8),
        ]
    }
}
