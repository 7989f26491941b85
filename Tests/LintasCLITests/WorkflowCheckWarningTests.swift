import Foundation
import LintasCore
import Testing

@Suite("workflows check and load warn about number templates that will print a taken number, an assignment workflow without an accepted state, and a letter that can cite nothing")
struct WorkflowCheckWarningTests {
    static let file = "pemalang/penunjukan-lintas-pd.json"

    /// A copy of the shipped workflows whose Pemalang Pasal 11 ayat (4) letters are changed by `changes` (action → letter members).
    static func copy(_ lintas: Lintas, _ changes: [String: [String: JSONValue]]) throws -> String {
        try lintas.workflowsCopy(changing: file) { document in
            document["transitions"] = .array((document["transitions"]?.arrayValue ?? []).map { item in
                guard var transition = item.objectValue, let action = transition["action"]?.stringValue, let change = changes[action],
                      var letter = transition["letter"]?.objectValue else { return item }
                letter.merge(change) { $1 }
                transition["letter"] = .object(letter)
                return .object(transition)
            })
        }
    }

    static func warnings(_ result: Lintas.Result) -> [String] {
        result.stderr.split(separator: "\n").filter { $0.hasPrefix("warning ") }.map(String.init)
    }

    @Test("a template without {year}: warned at check and load, naming file, step and template; the file still loads")
    func withoutYear() throws {
        let lintas = try Lintas()
        let copy = try Self.copy(lintas, ["issue_letter": ["number": "{klasifikasi}/{seq}/{unit}"]])
        let checked = try lintas.run(["workflows", "check", copy], database: false)
        #expect(checked.status == 0, "a warning, not an error: \(checked.stderr)")
        let warning = try #require(Self.warnings(checked).first, "stderr: \(checked.stderr)")
        #expect(Self.warnings(checked).count == 1)
        #expect(warning.contains("\(Self.file): transitions[4] (issue_letter).letter.number: the Surat Penugasan of \"issue_letter\" (template \"{klasifikasi}/{seq}/{unit}\") prints no {year}"),
                "\(warning)")
        let json = try lintas.run(["workflows", "check", copy, "--json"], database: false).json()
        #expect(json["warnings"]?.arrayValue?.first?["path"] == "transitions[4] (issue_letter).letter.number")
        #expect(json["warnings"]?.arrayValue?.first?["file"]?.stringValue?.hasSuffix(Self.file) == true)
        #expect(json["problems"]?.arrayValue?.isEmpty == true)
        let loaded = try lintas.expectSuccess(["workflows", "load", copy])
        #expect(Self.warnings(loaded) == [warning], "load says the same")
        let shipped = try lintas.run(["workflows", "check"], database: false)
        #expect(shipped.status == 0 && Self.warnings(shipped).isEmpty, "the shipped workflows raise none: \(shipped.stderr)")
    }

    @Test("a template without {unit}: warned at check and load, naming file, step, template and register expression; the shipped workflows print {unit} everywhere")
    func withoutUnit() throws {
        let lintas = try Lintas()
        let copy = try Self.copy(lintas, ["issue_letter": ["number": "{klasifikasi}/{seq}/{year}"]])
        let checked = try lintas.run(["workflows", "check", copy], database: false)
        #expect(checked.status == 0, "a warning, not an error: \(checked.stderr)")
        #expect(Self.warnings(checked).count == 1, "\(checked.stderr)")
        let warning = try #require(Self.warnings(checked).first, "stderr: \(checked.stderr)")
        #expect(warning.contains("\(Self.file): transitions[4] (issue_letter).letter.number: the Surat Penugasan of \"issue_letter\" (template \"{klasifikasi}/{seq}/{year}\") prints no {unit}: its register is the unit department_of(target_unit) gives for each request"),
                "\(warning)")
        let loaded = try lintas.expectSuccess(["workflows", "load", copy])
        #expect(Self.warnings(loaded) == [warning], "load says the same")
        let shipped = try lintas.run(["workflows", "check"], database: false)
        #expect(shipped.status == 0 && !shipped.stderr.contains("prints no {unit}"),
                "Jepara's keputusan of B.2.a.3) huruf e) prints the instansi's code: \(shipped.stderr)")
    }

    @Test("a template without {klasifikasi} shared by two codes of different register units: a warning on both letters, naming the other")
    func withoutKlasifikasiMaybe() throws {
        let lintas = try Lintas()
        let copy = try Self.copy(lintas, ["submit": ["number": "800/{seq}/{unit}/{year}"],
                                          "issue_letter": ["number": "800/{seq}/{unit}/{year}", "klasifikasi": "800.1.11.2"]])
        let checked = try lintas.run(["workflows", "check", copy], database: false)
        #expect(checked.status == 0, "the owner's and the target's departments differ across Perangkat Daerah: \(checked.stderr)")
        let warnings = Self.warnings(checked)
        #expect(warnings.count == 2, "\(warnings)")
        #expect(warnings.contains { $0.contains("transitions[0] (submit).letter.number: the Surat Permohonan Pelibatan of \"submit\" (template \"800/{seq}/{unit}/{year}\") prints the same numbers as the Surat Penugasan of \"issue_letter\"") },
                "\(warnings)")
        #expect(warnings.allSatisfy { $0.contains("800.1.11.1") && $0.contains("800.1.11.2") && $0.contains(Self.file) })
    }

    @Test("a template without {klasifikasi} for two codes of one register unit in one workflow is certain to clash: refused, naming file, step and template")
    func withoutKlasifikasiCertain() throws {
        let lintas = try Lintas()
        let copy = try Self.copy(lintas, ["reject": ["number": "800/{seq}/{unit}/{year}"],
                                          "issue_letter": ["number": "800/{seq}/{unit}/{year}", "klasifikasi": "800.1.11.2"]])
        let checked = try lintas.run(["workflows", "check", copy], database: false)
        #expect(checked.status == 1)
        let error = checked.stderr.split(separator: "\n").first { $0.hasPrefix("invalid ") }.map(String.init) ?? ""
        #expect(error.contains("\(Self.file): transitions[4] (issue_letter).letter.number: the Surat Penugasan of \"issue_letter\" (template \"800/{seq}/{unit}/{year}\") prints the same numbers as the Surat Jawaban"),
                "\(checked.stderr)")
        #expect(try lintas.run(["workflows", "load", copy]).status == 1)
    }

    @Test("a workflow whose assignment letter is issued but which marks no state assignment_accepted is warned: its assignments would not be exported")
    func noAcceptedState() throws {
        let lintas = try Lintas()
        let copy = try lintas.workflowsCopy(changing: Self.file) { document in
            document["states"] = .array((document["states"]?.arrayValue ?? []).map { item in
                guard var state = item.objectValue else { return item }
                state["assignment_accepted"] = nil
                return .object(state)
            })
        }
        let checked = try lintas.run(["workflows", "check", copy], database: false)
        #expect(checked.status == 0)
        #expect(Self.warnings(checked).contains { $0.contains("\(Self.file): states: the workflow issues an assignment letter (Surat Penugasan) but marks no state \"assignment_accepted\"") },
                "\(checked.stderr)")
    }

    @Test("a letter that cites a type a request can reach it without is warned, naming the step, the opening and the state; the shipped workflows raise none")
    func citesNothingOnSomePath() throws {
        let lintas = try Lintas()
        // Pasal 11 ayat (4) huruf a's surat permohonan pelibatan moved to huruf b's recommendation: the
        // surat jawaban of huruf d (a refusal before any recommendation) would have nothing to cite,
        // while the surat penugasan of huruf c, issued after the recommendation, always finds it.
        let copy = try lintas.workflowsCopy(changing: Self.file) { document in
            let transitions = document["transitions"]?.arrayValue ?? []
            let letter = transitions.first { $0["action"] == "submit" }?["letter"]
            document["transitions"] = .array(transitions.map { item in
                guard var transition = item.objectValue else { return item }
                if transition["action"] == "submit" { transition["letter"] = nil }
                if transition["action"] == "recommend" { transition["letter"] = letter }
                return .object(transition)
            })
        }
        let checked = try lintas.run(["workflows", "check", copy], database: false)
        #expect(checked.status == 0, "a warning, not an error: \(checked.stderr)")
        let citing = Self.warnings(checked).filter { $0.contains(".letter.cites: ") }
        #expect(citing.count == 1, "\(checked.stderr)")
        #expect(citing.first?.contains("\(Self.file): transitions[2] (reject).letter.cites: the Surat Jawaban Permohonan Pelibatan cites the surat_permohonan_pelibatan, but a request opened by \"submit\" (which issues no letter to fall back on) can reach \"requested\" without one") == true,
                "\(checked.stderr)")

        // A step that opens the request and cites: nothing can come before it.
        let opening = try Self.copy(lintas, ["submit": ["cites": "surat_penugasan"]])
        let warned = try lintas.run(["workflows", "check", opening], database: false)
        #expect(Self.warnings(warned).contains { $0.contains("transitions[0] (submit).letter.cites: the Surat Permohonan Pelibatan cites the surat_penugasan, but \"submit\" opens the request") },
                "\(warned.stderr)")

        let shipped = try lintas.run(["workflows", "check"], database: false)
        #expect(shipped.status == 0 && !shipped.stderr.contains(".letter.cites"), "every shipped citation finds its letter: \(shipped.stderr)")
    }
}
