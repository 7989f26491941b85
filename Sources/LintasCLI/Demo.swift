import Foundation
import LintasCore
import LintasEngine
import LintasStore

/// `lintas demo`: the whole path on a fresh database, through the same intake, processor
/// and store that production uses.
enum Demo {
    static let workflow = "pemalang.penunjukan.lintas-pd"

    /// NIPs of the sample Pemalang directory (`workflows/directories/pemalang.json`).
    enum People {
        static let kabidP2P = "197705112003121004"       // Kepala Bidang P2P, Dinas Kesehatan
        static let kadisKominfo = "197502142000031005"   // Kepala Dinas Komunikasi dan Informatika
        static let kabidAptika = "198001172006041007"    // Kepala Bidang Aplikasi Informatika
        static let prakomMuda = "198903262015031002"     // Pranata Komputer Ahli Muda, Bidang Aptika
        static let prakomPertama = "199407092019022004"  // Pranata Komputer Ahli Pertama, Bidang Aptika
        static let kabagOrganisasi = "197908222005012003" // Kepala Bagian Organisasi, Setda
        static let pltKepalaBKPSDM = "197604282002121003" // Sekretaris BKPSDM, Plt. Kepala BKPSDM
        static let kabidStatistik = "198206302008012009" // Kepala Bidang Statistik dan Persandian
        static let kabidYankes = "197811192005011002"    // Kepala Bidang Pelayanan Kesehatan
    }

    /// The demo's command lines, dated in the first days of March 2026 (the same lines on every
    /// run, inside the period the sample directory's Plt. Kepala BKPSDM holds office). The
    /// assignments run from April 2026 to the end of the year after `now`, so the accepted one
    /// is still in force when the demo shows it (an assignment whose period has run out ends).
    static func commandLines(now: Timestamp) -> [String] {
        let day: Int64 = 86_400_000
        let start = Timestamp(iso8601: "2026-03-02T08:00:00+07:00")!
        func at(_ days: Int64, _ hours: Int64 = 0) -> String { start.adding(milliseconds: days * day + hours * 3_600_000).iso8601(in: .wib) }
        func line(_ id: String, _ request: String, _ action: String, _ actor: String, _ time: String,
                  _ data: [String: JSONValue] = [:], workflow: Bool = false) -> String {
            var members: [String: JSONValue] = ["id": .string(id), "request": .string(request), "action": .string(action),
                                                "actor": .string(actor), "at": .string(time), "data": .object(data)]
            if workflow { members["workflow"] = .string(Demo.workflow) }
            return JSONValue.object(members).canonicalText
        }
        let period: JSONValue = .object(["start": "2026-04-01", "end": .string("\(now.civilDate(in: .wib).year + 1)-12-31")])
        return [
            // 1. Accepted: Dinas Kesehatan asks Bidang Aplikasi Informatika of Diskominfo for programmers.
            line("demo-001-submit", "PML-DEMO-001", "submit", People.kabidP2P, at(0), [
                "target_unit": "diskominfo-aptika",
                "purpose": "Membangun dasbor surveilans penyakit menular terpadu untuk Puskesmas se-Kabupaten Pemalang",
                "competence": "Pengembangan aplikasi web, basis data dan integrasi data (Pranata Komputer)",
                "performance_target": "Dasbor surveilans berjalan di 22 Puskesmas dan memperbarui data setiap hari",
                "duration": period,
            ], workflow: true),
            line("demo-001-recommend", "PML-DEMO-001", "recommend", People.kadisKominfo, at(1), ["note": "Direkomendasikan; selaras dengan program SPBE."]),
            line("demo-001-approve", "PML-DEMO-001", "approve", People.kabidAptika, at(2),
                 ["nominees": .array([.string(People.prakomMuda), .string(People.prakomPertama)])]),
            line("demo-001-issue", "PML-DEMO-001", "issue_letter", People.kadisKominfo, at(3)),
            line("demo-001-accept-1", "PML-DEMO-001", "accept", People.prakomMuda, at(4)),
            line("demo-001-accept-2", "PML-DEMO-001", "accept", People.prakomPertama, at(4, 2)),
            // 2. Rejected with a reason, by the Plt. Kepala BKPSDM.
            line("demo-002-submit", "PML-DEMO-002", "submit", People.kabagOrganisasi, at(0, 3), [
                "target_unit": "bkpsdm-kompetensi",
                "purpose": "Menyusun peta jabatan dan analisis beban kerja pasca penyederhanaan birokrasi",
                "competence": "Analisis jabatan dan analisis beban kerja (Analis SDM Aparatur)",
                "performance_target": "Dokumen peta jabatan 25 Perangkat Daerah tersusun dan ditetapkan",
                "duration": period,
            ], workflow: true),
            line("demo-002-reject", "PML-DEMO-002", "reject", People.pltKepalaBKPSDM, at(2), [
                "reason": "Seluruh Analis SDM Aparatur sedang ditugaskan pada seleksi PPPK hingga akhir semester; permohonan dapat diajukan kembali setelahnya.",
            ]),
            // 3. Refused: the request letter lacks the performance target and the duration (Pasal 11 ayat (6)).
            line("demo-003-submit", "PML-DEMO-003", "submit", People.kabidStatistik, at(1), [
                "target_unit": "dinkes-p2p",
                "purpose": "Analisis data stunting untuk publikasi statistik sektoral",
                "competence": "Epidemiologi dan analisis data kesehatan",
            ], workflow: true),
            // 4. Refused: the recommendation comes from the unit head, not the Kepala Perangkat Daerah.
            line("demo-004-submit", "PML-DEMO-004", "submit", People.kabidYankes, at(5), [
                "target_unit": "diskominfo-statistik",
                "purpose": "Menyusun statistik kunjungan layanan kesehatan rujukan",
                "competence": "Statistika dan pengolahan data (Statistisi)",
                "performance_target": "Laporan statistik layanan kesehatan triwulanan terbit tepat waktu",
                "duration": period,
            ], workflow: true),
            line("demo-004-recommend", "PML-DEMO-004", "recommend", People.kabidStatistik, at(6)),
        ]
    }

    static let requests: [RequestID] = ["PML-DEMO-001", "PML-DEMO-002", "PML-DEMO-003", "PML-DEMO-004"]

    static func run(_ context: Context) throws -> Int32 {
        let out = context.output
        let databasePath: String
        if let given = context.arguments.option("db") {
            guard !FileManager.default.fileExists(atPath: given) else {
                throw UsageError("\(given) exists; the demo needs a fresh database: remove it or give another path")
            }
            databasePath = given
        } else {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lintas-demo-\(UUID().uuidString.prefix(8))")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            databasePath = folder.appendingPathComponent("lintas.db").path
        }
        let workflows = try context.workflowsPath(context.arguments.option("workflows"))
        let directoryFile = (workflows as NSString).appendingPathComponent("directories/pemalang.json")
        let clock = context.clock
        let store = try SQLiteStore(path: databasePath, create: true)

        let loaded = try Loading.loadWorkflows(from: workflows, into: store, now: clock.now())
        let (directory, version) = try Loading.importDirectory(from: directoryFile, into: store, now: clock.now())
        let linesPath = ((databasePath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("demo-commands.jsonl")
        let lines = commandLines(now: context.clock.now()).joined(separator: "\n") + "\n"
        try lines.write(toFile: linesPath, atomically: true, encoding: .utf8)
        let intake = try Intake.submit(Array(lines.utf8), source: linesPath, to: store, now: clock.now())
        var options = Daemon.Options()
        options.untilIdle = true
        let summary = try Daemon(processor: try Processor(store: store), clock: clock, logger: .silent, options: options).run()
        let audit = try Audit.run(store)
        let view = try RequestCommands.View(Context(arguments: Arguments(options: ["db": databasePath]), output: out, clock: clock))
        let opened = try requests.compactMap { try store.request($0)?.decode() }
        let refused = try store.commands(CommandFilter(status: .refused))

        if out.json {
            out.document(.object([
                "database": .string(databasePath),
                "daemon": .object(["commands": .int(Int64(summary.commands)), "done": .int(Int64(summary.done)),
                                   "refused": .int(Int64(summary.refused)), "events": .int(Int64(summary.events))]),
                "requests": .array(try opened.map { try RequestCommands.statusJSON($0, view: view, now: clock.now()) }),
                "refused": .array(refused.map { Render.command($0, view.zone) }),
                "audit_clean": .bool(audit.isClean),
            ]))
            return audit.isClean ? 0 : 1
        }
        out.line("lintas demo · Perbup Pemalang 38/2023, Pasal 11 ayat (4): penunjukan lintas Perangkat Daerah/Unit Kerja")
        out.line("")
        out.line("Database       \(databasePath)")
        for (file, _) in loaded {
            out.line("Workflow       \(file.definition.id) \(file.definition.hash.short) from \(file.path)")
        }
        // Acting officials by capacity: `1 Plt., 1 Plh.`.
        let acting = Dictionary(grouping: directory.directory.acting, by: \.capacity.rawValue)
            .map { "\($0.value.count) \($0.key)" }.sorted().joined(separator: ", ")
        out.line("Org directory  \(directory.directory.regency), in force from \(directory.directory.effectiveFrom) (version \(version.version)): "
                 + "\(directory.directory.units.count) units, \(directory.directory.employees.count) employees, \(acting.isEmpty ? "no acting officials" : "acting " + acting)")
        out.line("Queued         \(intake.queuedIDs.count) commands from \(linesPath)")
        out.line("Daemon         \(summary.commands) commands in \(Render.plural(Int64(summary.batches), "batch")): "
                 + "\(summary.done) done, \(summary.refused) refused; \(summary.events) events appended")
        for id in requests {
            out.line("")
            if let state = opened.first(where: { $0.request == id }) {
                try RequestCommands.printStatus(state, view: view, now: clock.now(), output: out)
            } else {
                out.line("Request   \(id)")
                out.line("State     never opened: its submit was refused (see below)")
            }
        }
        out.line("")
        out.line("Refused commands (kept with their reasons):")
        for record in refused { out.line("  " + Render.commandLine(record)) }
        out.line("")
        out.line(audit.isClean
                 ? "Audit clean: \(audit.events) events in \(audit.requests) requests; every hash matches and replay gives every stored state."
                 : "Audit FAILED: \(audit.findings[0])")
        out.line("")
        out.line("Look further:")
        out.line("  lintas history PML-DEMO-001 --db \(databasePath)")
        if let letter = opened.first(where: { $0.request == "PML-DEMO-001" })?.letters.first {
            out.line("  lintas letter show \(letter.number) --db \(databasePath) --format html > surat.html")
        }
        out.line("  lintas status PML-DEMO-004 --db \(databasePath) --json")
        out.line("  lintas commands --status refused --db \(databasePath)")
        out.line("  lintas audit --db \(databasePath)")
        return audit.isClean ? 0 : 1
    }
}
