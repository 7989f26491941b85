import Foundation
import LintasCore
import Testing

/// Golden copies of every letter a procedure issues, per regulation, as `lintas letter show`
/// prints them (text and HTML). Regenerate on purpose with
/// `LINTAS_UPDATE_GOLDEN=1 swift test --filter LetterGoldenTests`, then read the diff.
enum Golden {
    static let folder = Lintas.repository.appendingPathComponent("Tests/LintasCLITests/Golden")
    static var updating: Bool { ProcessInfo.processInfo.environment["LINTAS_UPDATE_GOLDEN"] == "1" }

    /// Compares `actual` with the golden file `name`, or rewrites the file when updating.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = folder.appendingPathComponent(name)
        if updating {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("golden file \(name) is missing; create it with LINTAS_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        guard actual != expected else { return }
        let got = actual.components(separatedBy: "\n"), want = expected.components(separatedBy: "\n")
        let line = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, want.count)
        Issue.record("""
            \(name) differs from the golden copy at line \(line + 1):
              golden: \(line < want.count ? want[line] : "<end of file>")
              actual: \(line < got.count ? got[line] : "<end of file>")
            If the change is intended, regenerate with LINTAS_UPDATE_GOLDEN=1 swift test --filter LetterGoldenTests and review the diff.
            """, sourceLocation: sourceLocation)
    }

    /// `Pasal 11 ayat (4) huruf d` → `11-4-d`; `Lampiran B.2.a.3) huruf b)` → `b-2-a-3-b`.
    static func slug(_ article: String) -> String {
        var text = article.lowercased()
        for word in ["pasal", "ayat", "huruf", "angka", "lampiran", "butir"] { text = text.replacingOccurrences(of: word, with: " ") }
        return text.split { !($0.isLetter || $0.isNumber) }.joined(separator: "-")
    }
}

/// One regulation's procedures walked through the real `lintas` on a real SQLite file.
struct LetterScenario {
    var regency: String
    var directory: String
    /// Command lines in order; the first of each request names its workflow.
    var lines: [String]

    /// `lintas` with the shipped workflows and this regency's sample directory, the lines processed.
    func run() throws -> Lintas {
        let lintas = try Lintas()
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        try lintas.expectSuccess(["org", "import", Lintas.repository.appendingPathComponent("workflows/directories/\(directory).json").path])
        try lintas.process(lines)
        return lintas
    }

    /// One command line; `day` is a day of March 2026, at 09:00 in the regency's zone (WIB or WITA).
    static func line(_ id: String, _ request: String, _ action: String, _ actor: String, day: Int, _ data: [String: JSONValue] = [:],
                     workflow: String? = nil, zone: String = "+07:00") -> String {
        var members: [String: JSONValue] = ["id": .string(id), "request": .string(request), "action": .string(action), "actor": .string(actor),
                                            "at": .string(String(format: "2026-03-%02dT09:00:00", day) + zone), "data": .object(data)]
        if let workflow { members["workflow"] = .string(workflow) }
        return JSONValue.object(members).canonicalText
    }

    static func nips(_ values: String...) -> JSONValue { .array(values.map { .string($0) }) }
}

@Suite("Letters of every regulation: golden text and HTML through the real lintas, required contents, tembusan in order")
struct LetterGoldenTests {
    typealias S = LetterScenario
    static let duration: JSONValue = .object(["start": "2026-04-01", "end": "2026-09-30"])
    static func contents(_ purpose: String, _ competence: String, _ target: String) -> [String: JSONValue] {
        ["purpose": .string(purpose), "competence": .string(competence), "performance_target": .string(target), "duration": duration]
    }

    // People of the sample directories (workflows/directories/*.json).
    enum Pml {
        static let kadinkes = "197012081997032006", sekda = "197103151996031002"
        static let sekdaPekalongan = "197209181998031004", kadisKominfoPekalongan = "197512202001121002"
        static let kabidStatistikPekalongan = "198107252006042006", statistisiPekalongan = "198810102012121003"
        static let prakomPekalonganPPPK = "199605052022212001", kepalaBKPSDMPekalongan = "197405232000031006"
    }
    enum Grb {
        static let kabidP2P = "197606302002122004", kabidAptika = "198002202006041008"
        static let prakomMuda = "198712032010011004", prakomPertamaPPPK = "199504172022212006"
    }
    enum Bgo {
        static let kabidAptika = "198105152006041004", kabidP2P = "197710252003121003", kasiSurveilans = "198207072008011008"
        static let epidemiologPertama = "199309232019022003"
    }
    enum Jpr {
        static let kadisDiskan = "197104181996032016", kadisKominfo = "197009111995031009", kabidAptika = "198209052008031036"
        static let prakomMuda = "198704182012011037"
    }
    enum Bu {
        static let kabidP2P = "197710302005011005", kabidAptika = "198101192006041006"
    }

    static let scenarios: [LetterScenario] = [
        // Pemalang Pasal 11 ayat (4) huruf a and d: the request, refused by the Kepala PD with reasons;
        // ayat (5): across agencies, the surat penugasan with its four tembusan.
        S(regency: "pemalang", directory: "pemalang", lines: [
            Pemalang.submit("PML-4D"),
            S.line("d1", "PML-4D", "reject", Pemalang.kadisKominfo, day: 3, ["reason": "Pranata Komputer sedang menyelesaikan migrasi SPBE sampai Juni 2026"]),
            S.line("e1", "PML-5", "submit", Pml.kadinkes, day: 2,
                   Pemalang.contents.merging(["owner_unit": "dinkes-p2p", "target_agency": "pekalongan"]) { $1 }.filter { $0.key != "target_unit" },
                   workflow: "pemalang.penunjukan.lintas-instansi"),
            S.line("e2", "PML-5", "forward", Pml.sekda, day: 3),
            S.line("e3", "PML-5", "instruct", Pml.sekdaPekalongan, day: 4, ["target_unit": "pekalongan-dinkominfo-statistik"]),
            S.line("e4", "PML-5", "answer_available", Pml.kabidStatistikPekalongan, day: 5,
                   ["nominees": S.nips(Pml.statistisiPekalongan, Pml.prakomPekalonganPPPK)]),
            S.line("e5", "PML-5", "approve_answer", Pml.sekdaPekalongan, day: 6),
            S.line("e6", "PML-5", "issue_letter", Pml.kadisKominfoPekalongan, day: 9, ["staffing_department": "pekalongan-bkpsdm"]),
        ]),
        // Grobogan Pasal 11 ayat (3)-(4): surat permohonan of the owner's head, surat penugasan of the addressed head.
        S(regency: "grobogan", directory: "grobogan", lines: [
            S.line("g1", "GBG-11", "submit", Grb.kabidP2P, day: 2,
                   contents("Aplikasi surveilans penyakit", "Pengembangan aplikasi web", "Aplikasi dipakai 30 Puskesmas")
                       .merging(["target_unit": "diskominfo-aptika"]) { $1 }, workflow: "grobogan.penunjukan.lintas-pd"),
            S.line("g2", "GBG-11", "issue_letter", Grb.kabidAptika, day: 4, ["nominees": S.nips(Grb.prakomMuda, Grb.prakomPertamaPPPK)]),
        ]),
        // Bungo Pasal 6 ayat (3) huruf a and d: the request to the PPK, refused with reasons.
        S(regency: "bungo", directory: "bungo", lines: [
            S.line("b1", "BGO-63", "submit", Bgo.kabidAptika, day: 2,
                   contents("Dasbor surveilans DBD", "Analisis data epidemiologi", "Dasbor terbit untuk 18 Puskesmas")
                       .merging(["target_unit": "dinkes-p2p", "nominee": .string(Bgo.epidemiologPertama)]) { $1 },
                   workflow: "bungo.penunjukan.lintas-uo"),
        ]),
        // Jepara Lampiran B.2.a.3: surat permohonan with its tembusan, disposisi, surat balasan refusing with reasons.
        S(regency: "jepara", directory: "jepara", lines: [
            S.line("j1", "JPR-23", "submit", Jpr.kadisDiskan, day: 2,
                   contents("Dasbor produksi perikanan tangkap", "Pengembangan aplikasi web dan basis data", "Dasbor terbit untuk 11 TPI")
                       .merging(["target_unit": "diskominfo-aptika"]) { $1 }, workflow: "jepara.penunjukan.lintas-pd"),
            S.line("j2", "JPR-23", "dispose", Jpr.kadisKominfo, day: 3, ["direction": "Kabid Aptika: tindak lanjuti sesuai ketersediaan Pranata Komputer"]),
            S.line("j3", "JPR-23", "draft_refusal", Jpr.kabidAptika, day: 4, ["reason": "Pranata Komputer menangani SPBE sampai Desember 2026"]),
            S.line("j4", "JPR-23", "sign_refusal", Jpr.kadisKominfo, day: 5),
        ]),
        // Barito Utara Pasal 21 ayat (2)-(3): a team request across Perangkat Daerah, refused in writing with its reason.
        S(regency: "barito-utara", directory: "barito-utara", lines: [
            S.line("u1", "BU-21", "submit", Bu.kabidP2P, day: 2,
                   contents("Aplikasi surveilans malaria", "Pemrograman aplikasi web", "Aplikasi dipakai 17 Puskesmas")
                       .merging(["target_unit": "diskominfo-aptika"]) { $1 }, workflow: "barito-utara.pembentukan-tim.lintas-pd", zone: "+07:00"),
            S.line("u2", "BU-21", "reject", Bu.kabidAptika, day: 3, ["reason": "Seluruh Pranata Komputer sedang menangani migrasi pusat data"]),
        ]),
    ]

    @Test("each letter of each regulation prints as its golden copy, text and HTML", arguments: scenarios.indices)
    func golden(_ index: Int) throws {
        let scenario = Self.scenarios[index]
        let lintas = try scenario.run()
        #expect(try lintas.refusals() == [:], "every step of the walk is taken")
        let letters = try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? []
        #expect(!letters.isEmpty)
        for listed in letters {
            // By id: numbers are unique per register (unit, type, year), and two types may share a code.
            let number = try #require(listed["id"]?.stringValue)
            let letter = try lintas.expectSuccess(["letter", "show", number, "--format", "json"]).json()
            let article = letter["legal_basis"]?["article"]?.stringValue ?? ""
            let name = "\(scenario.regency)-\(Golden.slug(article))-\(letter["type"]?.stringValue ?? "")"
            Golden.check(try lintas.expectSuccess(["letter", "show", number, "--format", "text"]).stdout, name + ".txt")
            Golden.check(try lintas.expectSuccess(["letter", "show", number, "--format", "html"]).stdout, name + ".html")
        }
    }

    /// The letters of a request, by type, as JSON.
    static func letters(_ lintas: Lintas, _ request: String) throws -> [String: JSONValue] {
        var byType: [String: JSONValue] = [:]
        for listed in try lintas.expectSuccess(["letter", "list", request, "--json"]).json()["letters"]?.arrayValue ?? [] {
            let letter = try lintas.expectSuccess(["letter", "show", listed["id"]?.stringValue ?? "", "--format", "json"]).json()
            byType[letter["type"]?.stringValue ?? ""] = letter
        }
        return byType
    }

    static func ccNIPs(_ letter: JSONValue?) -> [[String]] {
        (letter?["cc"]?.arrayValue ?? []).map { ($0["holders"]?.arrayValue ?? []).compactMap { $0["nip"]?.stringValue } }
    }

    @Test("a refusal letter carries its reasons: Pemalang 11(4) huruf d, Bungo 6(3) huruf d, Jepara B.2.a.3) huruf d), Barito Utara 21(3)")
    func refusalCarriesReason() throws {
        for (scenario, request, type, article) in [(0, "PML-4D", "surat_jawaban", "Pasal 11 ayat (4) huruf d"), (3, "JPR-23", "surat_balasan", "Lampiran B.2.a.3) huruf d)"),
                                                   (4, "BU-21", "surat_jawaban", "Pasal 21 ayat (3)")] {
            let lintas = try Self.scenarios[scenario].run()
            let letter = try #require(try Self.letters(lintas, request)[type], "\(request) has a \(type)")
            let reason = letter["particulars"]?.arrayValue?.first { $0["field"] == "reason" }
            #expect(reason?["article"]?.stringValue == article)
            #expect(reason?["text"]?.stringValue?.isEmpty == false)
            #expect(letter["assigned"] == nil && letter["signature"]?["nip"] != nil)
        }
        // Bungo Pasal 6 ayat (3) huruf d: the PPK of the nominee refuses, with the reason.
        let bungo = try Self.scenarios[2].run()
        try bungo.process([S.line("b2", "BGO-63", "reject", Bgo.kasiSurveilans, day: 3, ["reason": "Epidemiolog menangani KLB campak"])])
        #expect(try bungo.refusals() == [:])
        let reply = try #require(try Self.letters(bungo, "BGO-63")["surat_jawaban"])
        #expect(reply["particulars"]?.arrayValue?.first?["article"] == "Pasal 6 ayat (3) huruf d")
        #expect(reply["signature"]?["nip"]?.stringValue == Bgo.kasiSurveilans)
        Golden.check(try bungo.expectSuccess(["letter", "show", reply["id"]?.stringValue ?? "", "--format", "text"]).stdout, "bungo-6-3-d-surat_jawaban.txt")
        Golden.check(try bungo.expectSuccess(["letter", "show", reply["id"]?.stringValue ?? "", "--format", "html"]).stdout, "bungo-6-3-d-surat_jawaban.html")
    }

    @Test("a letter step missing a content its regulation requires is refused naming the article, and no number is drawn")
    func missingContentRefused() throws {
        // Each regulation: a request letter without its competence (huruf b of the four contents).
        let cases: [(String, String, String, String, [String: JSONValue], String)] = [
            ("pemalang", "pemalang.penunjukan.lintas-pd", Pemalang.kabidP2P, "PML-X", Pemalang.contents, "Pasal 11 ayat (6) huruf b"),
            ("grobogan", "grobogan.penunjukan.lintas-pd", Grb.kabidP2P, "GBG-X", Self.contents("a", "b", "c").merging(["target_unit": "diskominfo-aptika"]) { $1 }, "Pasal 11 ayat (6) huruf b"),
            ("bungo", "bungo.penunjukan.lintas-uo", Bgo.kabidAptika, "BGO-X",
             Self.contents("a", "b", "c").merging(["target_unit": "dinkes-p2p", "nominee": .string(Bgo.epidemiologPertama)]) { $1 }, "Pasal 6 ayat (5) huruf b"),
            ("jepara", "jepara.penunjukan.lintas-pd", Jpr.kadisDiskan, "JPR-X", Self.contents("a", "b", "c").merging(["target_unit": "diskominfo-aptika"]) { $1 },
             "Lampiran B.2, muatan surat permohonan huruf b"),
            ("barito-utara", "barito-utara.pembentukan-tim.lintas-pd", Bu.kabidP2P, "BU-X", Self.contents("a", "b", "c").merging(["target_unit": "diskominfo-aptika"]) { $1 },
             "Pasal 21 ayat (2) huruf b"),
        ]
        for (directory, workflow, actor, request, data, article) in cases {
            let lintas = try LetterScenario(regency: directory, directory: directory, lines: [
                S.line("x1", request, "submit", actor, day: 2, data.filter { $0.key != "competence" }, workflow: workflow),
            ]).run()
            let refused = try lintas.expectSuccess(["commands", "--status", "refused", "--json"]).json()["commands"]?.arrayValue?.first
            #expect(refused?["refusal"]?["code"] == "missing_field", "\(workflow)")
            #expect(refused?["refusal"]?["article"]?.stringValue?.contains(article) == true, "\(workflow): \(String(describing: refused?["refusal"]))")
            #expect(try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue?.isEmpty == true)
        }
        // Jepara Lampiran B.2.a.3) huruf b): what the disposisi directs is on the letter.
        let jepara = try Self.scenarios[3].run()
        #expect(try Self.letters(jepara, "JPR-23")["disposisi"]?["particulars"]?.arrayValue?.last?["text"]
                == "Kabid Aptika: tindak lanjuti sesuai ketersediaan Pranata Komputer", "the disposisi carries its direction (huruf b)")
    }

    @Test("the tembusan resolve to the named officials in the regulation's order: Pemalang 11(5) huruf e angka 3, Jepara B.2.a.3) huruf a)")
    func tembusanInOrder() throws {
        let pemalang = try Self.scenarios[0].run()
        let assignment = try Self.letters(pemalang, "PML-5")["surat_penugasan"]
        #expect(Self.ccNIPs(assignment) == [[Pml.sekdaPekalongan], [Pml.kabidStatistikPekalongan], [Pml.sekda], [Pml.kepalaBKPSDMPekalongan]],
                "PyB instansi bersangkutan, pimpinan unit kerja bersangkutan, PyB instansi pemohon, Kepala PD kepegawaian")
        #expect(assignment?["cc"]?.arrayValue?.compactMap { $0["number"]?.intValue } == [1, 2, 3, 4])
        let request = try Self.letters(pemalang, "PML-5")["surat_permohonan"]
        #expect(request?["signature"]?["nip"]?.stringValue == Pml.kadinkes, "huruf a: the Kepala PD writes to the PyB")
        #expect(Self.ccNIPs(request) == [["197705112003121004"]], "huruf a: tembusan pimpinan unit organisasi bersangkutan (Kepala Bidang P2P)")

        let jepara = try Self.scenarios[3].run()
        let letters = try Self.letters(jepara, "JPR-23")
        #expect(Self.ccNIPs(letters["surat_permohonan"]) == [[Jpr.kabidAptika]], "ditembuskan kepada Pimpinan Unit kerja dimana Pejabat Fungsional berada")
        #expect(letters["surat_balasan"]?["signature"]?["nip"]?.stringValue == Jpr.kadisKominfo, "huruf d: signed by the Kepala PD, drafted by the UK head")
    }
}
