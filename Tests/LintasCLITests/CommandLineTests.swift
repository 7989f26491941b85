import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("The command line: usage, missing databases, the demo, workflow checks")
struct CommandLineTests {
    @Test("usage errors exit 64 and say what is wrong", arguments: [
        (["frobnicate"], "unknown command"),
        (["status"], "missing REQ"),
        (["status", "A", "B"], "unexpected argument 'B'"),
        (["status", "A", "--db="], "--db needs a value"),
        (["status", "A", "--db", ""], "--db needs a value"),
        (["commands", "--request", "--limit", "5"], "--request needs a value"),
        (["commands", "--limit", "many"], "--limit"),
        (["commands", "--status", "lost"], "--status takes"),
        (["replay", "A", "--version", "0"], "--version takes a positive whole number, not \"0\""),
        (["replay", "A", "--version", "-2"], "--version takes a positive whole number, not \"-2\""),
        (["workflows", "graph", "pemalang.penunjukan.lintas-pd", "--format", "png"], "--format takes dot or mermaid"),
    ])
    func usageErrors(_ arguments: [String], _ message: String) throws {
        // File commands take no database.
        let result = try Lintas().run(arguments, database: arguments.first != "workflows")
        #expect(result.status == 64)
        #expect(result.stderr.contains(message), "stderr: \(result.stderr)")
    }

    @Test("a read command on a database that does not exist says so and creates nothing")
    func missingDatabase() throws {
        let lintas = try Lintas()
        let result = try lintas.run(["status", "PML-1"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("--db"), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: lintas.db))
    }

    @Test("a read command on an empty (0-byte) file says it is empty and leaves it empty; a writing command gives it the schema")
    func emptyDatabaseFile() throws {
        let lintas = try Lintas()
        #expect(FileManager.default.createFile(atPath: lintas.db, contents: nil))
        for arguments in [["status", "PML-1"], ["replay", "PML-1"], ["audit"], ["requests"], ["daemon", "status"], ["workflows", "list"]] {
            let result = try lintas.run(arguments)
            #expect(result.status == 1, "\(arguments)")
            #expect(result.stderr.contains("\(lintas.db) is empty (0 bytes), not a lintas database"), "\(arguments): \(result.stderr)")
        }
        #expect((try FileManager.default.attributesOfItem(atPath: lintas.db))[.size] as? NSNumber == 0, "nothing written to it")
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("clean"))
    }

    @Test("replay --version past the request's last event says how many it has, and prints no step")
    func replayPastTheEnd() throws {
        let lintas = try Lintas.prepared()
        try lintas.process([Pemalang.submit("PML-1")])
        #expect(try lintas.expectSuccess(["replay", "PML-1", "--version", "1"]).stdout.contains("v1 "))
        let result = try lintas.run(["replay", "PML-1", "--version", "2"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty, "stdout: \(result.stdout)")
        #expect(result.stderr.contains("request PML-1 has only 1 event; --version takes 1 to 1, not 2"), "stderr: \(result.stderr)")
    }

    @Test("audit of a request the log does not know says no command was queued for it, not where the database is")
    func auditUnknownRequest() throws {
        let lintas = try Lintas.prepared()
        let result = try lintas.run(["audit", "PML-9"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("no request PML-9") && result.stderr.contains("No command was ever queued for it"), "stderr: \(result.stderr)")
        #expect(!result.stderr.contains("--db"), "stderr: \(result.stderr)")
    }

    @Test("backup into a folder that does not exist, or under a file, names that folder; nothing is written", arguments: ["missing", "file"])
    func backupFolder(_ kind: String) throws {
        let lintas = try Lintas.prepared()
        let parent = lintas.folder.appendingPathComponent("backups")
        if kind == "file" { #expect(FileManager.default.createFile(atPath: parent.path, contents: Data("x".utf8))) }
        let result = try lintas.run(["backup", parent.appendingPathComponent("lintas.db").path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(parent.path) " + (kind == "file" ? "is a file, not a folder" : "does not exist")), "stderr: \(result.stderr)")
        #expect(kind == "file" || !FileManager.default.fileExists(atPath: parent.path))
    }

    @Test("LINTAS_DB set but empty is not a database path: the default, lintas.db, is used")
    func emptyDatabaseVariable() throws {
        let lintas = try Lintas()
        let result = try lintas.run(["LINTAS_DB=", Lintas.executable.path, "status", "PML-1"], database: false, program: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(result.status == 1)
        #expect(result.stderr.contains("no database at lintas.db"), "stderr: \(result.stderr)")
    }

    @Test("LINTAS_READ_MMAP_MB that is not a whole number of MiB is refused by a reading command, naming the variable and its value")
    func wrongMapVariable() throws {
        let lintas = try Lintas()
        let result = try lintas.run(["LINTAS_READ_MMAP_MB=lots", Lintas.executable.path, "status", "PML-1", "--db", lintas.db], database: false,
                                    program: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(result.status == 64)
        #expect(result.stderr.contains("LINTAS_READ_MMAP_MB is \"lots\": give a whole number of MiB"), "stderr: \(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: lintas.db))
    }

    @Test("a --db that is not a lintas database is refused with what it is and its path, and left as it was", arguments: [
        ("folder", "is a folder, not a database file"),
        ("text", "is not a database lintas can read (file is not a database)"),
        ("other program's SQLite", "is an SQLite database but not a lintas one: it has tables (readings)"),
        ("newer lintas", "has schema version 99; this lintas understands up to"),
    ])
    func notALintasDatabase(_ kind: String, _ message: String) throws {
        let lintas = try Lintas()
        if kind.contains("SQLite") || kind.contains("lintas") { #expect(FileManager.default.createFile(atPath: lintas.db, contents: nil)) }
        switch kind {
        case "folder": try FileManager.default.createDirectory(atPath: lintas.db, withIntermediateDirectories: false)
        case "text": try Data("sep=,\nnip,name\n".utf8).write(to: URL(fileURLWithPath: lintas.db))
        case "other program's SQLite": #expect(lintas.sql("CREATE TABLE readings (at INTEGER, value REAL); INSERT INTO readings VALUES (1, 2.5)") == nil)
        default: #expect(lintas.sql("CREATE TABLE requests (request TEXT); PRAGMA user_version = 99") == nil)
        }
        let before = try? Data(contentsOf: URL(fileURLWithPath: lintas.db))
        for arguments in [["status", "PML-1"], ["workflows", "load", Lintas.workflows]] {
            let result = try lintas.run(arguments)
            #expect(result.status == 1)
            #expect(result.stderr.contains(lintas.db) && result.stderr.contains(message), "stderr: \(result.stderr)")
        }
        #expect((try? Data(contentsOf: URL(fileURLWithPath: lintas.db))) == before, "nothing written to it")
    }

    @Test("daemon --spool naming a file, not a folder, is refused saying so")
    func spoolIsAFile() throws {
        let lintas = try Lintas.prepared()
        let file = lintas.folder.appendingPathComponent("spool").path
        #expect(FileManager.default.createFile(atPath: file, contents: Data("x".utf8)))
        let result = try lintas.run(["daemon", "--until-idle", "--spool", file])
        #expect(result.status == 1)
        #expect(result.stderr.contains("the spool \(file) is a file, not a folder"), "stderr: \(result.stderr)")
    }

    @Test("demo: one accepted, one rejected with a reason, one refused for missing contents, one for a wrong actor; audit clean")
    func demo() throws {
        let lintas = try Lintas()
        let json = try lintas.expectSuccess(["demo", "--json"]).json()
        let states = Dictionary(uniqueKeysWithValues: (json["requests"]?.arrayValue ?? []).map {
            ($0["request"]?.stringValue ?? "", $0["state"]?.stringValue ?? "")
        })
        #expect(states == ["PML-DEMO-001": "accepted", "PML-DEMO-002": "rejected", "PML-DEMO-004": "requested"])
        #expect(json["refused"]?.arrayValue?.compactMap { $0["refusal"]?["code"]?.stringValue } == ["missing_field", "wrong_actor"])
        #expect(json["audit_clean"] == .bool(true))
        // The demo refuses to overwrite a database.
        let again = try lintas.run(["demo"])
        #expect(again.status == 64)
        #expect(again.stderr.contains("fresh database"))
    }

    @Test("workflows check passes the shipped files and names the file, item and problem of a broken one")
    func workflowsCheck() throws {
        let lintas = try Lintas()
        let shipped = try lintas.run(["workflows", "check", Lintas.workflows], database: false)
        #expect(shipped.status == 0, "\(shipped.stderr)")
        #expect(shipped.stdout.contains("ok      "))

        let (result, file) = try Self.checkChanged(lintas, replacing: #""to": "recommended""#, with: #""to": "direkomendasi""#)
        #expect(result.status == 1)
        #expect(result.stderr.contains(file.lastPathComponent), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("direkomendasi"), "stderr: \(result.stderr)")
        // A broken file refuses the whole load.
        let load = try lintas.run(["workflows", "load", file.path])
        #expect(load.status == 1)
    }

    /// `workflows check` of the shipped Pasal 11 ayat (4) file with one text replaced, written as a file of its own.
    static func checkChanged(_ lintas: Lintas, replacing old: String, with new: String) throws -> (result: Lintas.Result, file: URL) {
        let source = try String(contentsOfFile: Lintas.workflows + "/pemalang/penunjukan-lintas-pd.json", encoding: .utf8)
        let broken = source.replacingOccurrences(of: old, with: new)
        #expect(broken != source)
        let file = lintas.folder.appendingPathComponent("broken-\(UUID().uuidString).json")
        try broken.write(to: file, atomically: true, encoding: .utf8)
        return (try lintas.run(["workflows", "check", file.path], database: false), file)
    }

    @Test("workflows check names the file and the letter of a citation of a letter type the workflow does not issue")
    func workflowsCheckCites() throws {
        let lintas = try Lintas()
        let (result, file) = try Self.checkChanged(lintas, replacing: #""cites": "surat_permohonan_pelibatan","#, with: #""cites": "surat_permohonan","#)
        #expect(result.status == 1)
        #expect(result.stderr.contains(file.lastPathComponent), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("transitions[2] (reject).letter.cites: \"surat_permohonan\" is not a letter type this workflow issues"), "stderr: \(result.stderr)")
        #expect(result.stderr.contains("transitions[4] (issue_letter).letter.cites"), "stderr: \(result.stderr)")
    }

    @Test("org import refuses a bad directory file with every problem listed, and imports nothing of it")
    func badDirectoryFile() throws {
        let lintas = try Lintas()
        var members = try JSONValue.parse(String(contentsOfFile: Lintas.directory, encoding: .utf8)).objectValue!
        var units = members["units"]!.arrayValue!.map { $0.objectValue! }
        units[1]["parent"] = "tidak-ada"
        units[2]["kind"] = "bidang"
        members["units"] = .array(units.map(JSONValue.object))
        var employees = members["employees"]!.arrayValue!.map { $0.objectValue! }
        employees[0]["status"] = "honorer"
        employees[1]["nip"] = "123"
        members["employees"] = .array(employees.map(JSONValue.object))
        members["acting"] = .array([.object(["nip": employees[2]["nip"]!, "position": "jabatan-tidak-ada", "capacity": "Plt",
                                             "from": "2025-03-10", "until": "2025-03-01"])])
        let file = lintas.folder.appendingPathComponent("rusak.json")
        try JSONValue.object(members).canonicalText.write(to: file, atomically: true, encoding: .utf8)
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        let refused = try lintas.run(["org", "import", file.path])
        #expect(refused.status == 1)
        for problem in ["parent", "\"bidang\" is not a unit kind", "\"honorer\" is not an employment status", ".nip",
                        "\"jabatan-tidak-ada\" is not a position", "ends (2025-03-01) before it starts (2025-03-10)"] {
            #expect(refused.stderr.contains(problem), "missing \(problem) in: \(refused.stderr)")
        }
        #expect(try lintas.expectSuccess(["org", "versions", "--json"]).json()["versions"]?.arrayValue?.isEmpty == true)
    }

    @Test("workflows load and org import read their files before the database: a wrong path or a bad file creates no database")
    func filesReadBeforeTheDatabase() throws {
        let lintas = try Lintas()
        let missing = lintas.folder.appendingPathComponent("tidak-ada").path
        let (_, broken) = try Self.checkChanged(lintas, replacing: #""to": "recommended""#, with: #""to": "direkomendasi""#)
        for arguments in [["workflows", "load", missing], ["workflows", "load", broken.path],
                          ["org", "import", missing + ".json"], ["org", "import", Lintas.directory, "--employees", missing + ".csv"]] {
            let refused = try lintas.run(arguments)
            #expect(refused.status == 1, "\(arguments): \(refused.stderr)")
            #expect(refused.stderr.contains(arguments.count == 5 ? missing + ".csv" : arguments[2]), "\(arguments): \(refused.stderr)")
            #expect(!FileManager.default.fileExists(atPath: lintas.db), "\(arguments) created the database")
        }
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        #expect(FileManager.default.fileExists(atPath: lintas.db))
    }

    @Test("workflows graph draws a procedure as Graphviz DOT with the actor and the article on each edge")
    func graphAsDot() throws {
        let dot = try Lintas().run(["workflows", "graph", "grobogan.pembentukan-tim.dalam-pd", "--format", "dot", "--workflows", Lintas.workflows],
                                   database: false)
        #expect(dot.status == 0, "\(dot.stderr)")
        #expect(dot.stdout.contains("digraph"), "\(dot.stdout)")
        #expect(dot.stdout.contains("Pasal 14 ayat (2) dan ayat (7)"), "\(dot.stdout)")
        #expect(dot.stdout.contains("Kepala Perangkat Daerah/Unit Kerja Pemilik Kinerja"), "\(dot.stdout)")
    }

    @Test("org import --employees adds a CSV of employees, or refuses the whole import naming each bad line")
    func employeesFromCSV() throws {
        let lintas = try Lintas()
        let csv = lintas.folder.appendingPathComponent("pegawai.csv")
        try """
            nip,name,status,position
            12345,Nip Pendek,PNS,prakom-ahli-pertama-aptika
            199002022019032002,"Sari, S.Kom.",PPPK,jabatan-tidak-ada
            """.write(to: csv, atomically: true, encoding: .utf8)
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        let refused = try lintas.run(["org", "import", Lintas.directory, "--employees", csv.path])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("pegawai.csv line 2 (12345).nip"), "stderr: \(refused.stderr)")
        #expect(refused.stderr.contains("pegawai.csv line 3 (199002022019032002).position"), "stderr: \(refused.stderr)")
        #expect(try lintas.expectSuccess(["org", "versions", "--json"]).json()["versions"]?.arrayValue?.isEmpty == true)

        try """
            nip,name,status,position
            199001012015031001,"Rina Kartika, S.Kom.",PNS,prakom-ahli-pertama-aptika
            199002022019032002,"Sari, S.Kom.",PPPK,prakom-ahli-pertama-aptika
            """.write(to: csv, atomically: true, encoding: .utf8)
        let imported = try lintas.expectSuccess(["org", "import", Lintas.directory, "--employees", csv.path])
        let own = try JSONValue.parse(String(contentsOfFile: Lintas.directory, encoding: .utf8))["employees"]?.arrayValue?.count ?? 0
        #expect(imported.stdout.contains("\(own + 2) employees"), "stdout: \(imported.stdout)")
    }

    @Test("lintas run by name from PATH, in a folder with no workflows, finds the workflows folder of its installation")
    func workflowsFolderFromPath() throws {
        let lintas = try Lintas()
        // env runs "lintas" through PATH, so its argv[0] is the bare name, as from a shell.
        let result = try lintas.run(["PATH=" + Lintas.executable.deletingLastPathComponent().path, "lintas", "workflows", "graph", "pemalang.penunjukan.dalam-uo"],
                                    database: false, program: URL(fileURLWithPath: "/usr/bin/env"))
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("digraph \"pemalang.penunjukan.dalam-uo\""), "\(result.stdout)")
    }

    @Test("docs/cli.md heads every command with the usage 'lintas help COMMAND' prints, and no other")
    func commandReferenceMatchesHelp() throws {
        let lintas = try Lintas()
        let overview = try lintas.run(["help"], database: false)
        // The overview lists each command indented by two spaces, its name padded to 18 columns.
        let names = overview.stdout.split(separator: "\n").filter { $0.hasPrefix("  ") && !$0.hasPrefix("   ") }
            .map { $0.dropFirst(2).prefix(18).trimmingCharacters(in: .whitespaces) }
        #expect(names.count > 20, "\(overview.stdout)")
        var printed: Set<String> = []
        for name in names {
            let help = try lintas.run(["help"] + name.split(separator: " ").map(String.init), database: false)
            let usage = help.stdout.split(separator: "\n").first.map(String.init) ?? ""
            #expect(usage.hasPrefix("Usage: lintas \(name)"), "lintas help \(name): \(help.stdout)")
            printed.insert(String(usage.dropFirst("Usage: ".count)))
        }
        // Headings such as "### `lintas org import FILE [--employees CSV]` · `org versions`".
        let page = try String(contentsOfFile: Lintas.repository.appendingPathComponent("docs/cli.md").path, encoding: .utf8)
        var documented: Set<String> = []
        for heading in page.split(separator: "\n") where heading.hasPrefix("### ") {
            for part in heading.dropFirst(4).components(separatedBy: " · ") {
                let usage = part.trimmingCharacters(in: CharacterSet(charactersIn: "` "))
                documented.insert(usage.hasPrefix("lintas ") ? usage : "lintas " + usage)
            }
        }
        #expect(documented.subtracting(printed).isEmpty, "in docs/cli.md, not printed by 'lintas help': \(documented.subtracting(printed).sorted())")
        #expect(printed.subtracting(documented).isEmpty, "printed by 'lintas help', not in docs/cli.md: \(printed.subtracting(documented).sorted())")
    }

    @Test("docs/procedures.md draws exactly the workflows in workflows/ (regenerate it with the command it names)")
    func proceduresPageIsCurrent() throws {
        let generated = try Lintas().run(["workflows", "graph", "--format", "mermaid", "--workflows", Lintas.workflows], database: false)
        #expect(generated.status == 0, "\(generated.stderr)")
        let page = try String(contentsOfFile: Lintas.repository.appendingPathComponent("docs/procedures.md").path, encoding: .utf8)
        #expect(page == generated.stdout, "docs/procedures.md is stale: run 'swift run lintas workflows graph --format mermaid > docs/procedures.md'")
        #expect(generated.stdout.contains("```mermaid\nstateDiagram-v2"))
    }
}
