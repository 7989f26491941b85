import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("Letters an employee writes (numbering \"none\"): Perbup Grobogan 49/2024 Pasal 12 ayat (3) huruf a, Perbup Jepara 17/2024 Lampiran B.2.b.2) huruf a)")
struct UnnumberedLetterCommandTests {
    static let application = "GBG-12-3/surat_pengajuan/1"

    /// Pasal 12 ayat (3): the employee's surat pengajuan, the own head's consent, the owner's approval, the surat penugasan.
    static func walked(_ extra: [String] = []) throws -> Lintas {
        try LetterScenario(regency: "grobogan", directory: "grobogan", lines: LetterGoldenTests.walk("GBG-12-3", "grobogan.pengajuan-sukarela.lintas-pd", [
            ("apply", Grobogan.analisBencana, ["home_unit": "bpbd-kedaruratan", "owner_unit": "dinkes-p2p", "involvement": "Pemetaan risiko penyakit pascabanjir"]),
            ("consent", Grobogan.kabidKedaruratan, [:]), ("approve", Grobogan.kabidP2P, ["duration": LetterGoldenTests.duration]),
            ("issue_letter", Grobogan.kabidKedaruratan, [:]),
        ]) + extra).run()
    }

    @Test("Pasal 12 ayat (3) huruf a: letter list, letter show and status say \"tanpa nomor\" and identify the surat pengajuan by its id; no register number is drawn")
    func listedAndShown() throws {
        let lintas = try Self.walked()
        #expect(try lintas.refusals() == [:])
        let listed = try lintas.expectSuccess(["letter", "list", "GBG-12-3", "--json"]).json()["letters"]?.arrayValue ?? []
        let application = try #require(listed.first { $0["type"] == "surat_pengajuan" })
        #expect(application["id"]?.stringValue == Self.application)
        #expect(application["number"] == .null && application["numbering"] == "none")
        #expect(listed.first { $0["type"] == "surat_penugasan" }?["number"] == "800.1.11.1/1/BPBD/2026", "the BPBD's register starts at 1")
        let text = try lintas.expectSuccess(["letter", "list", "GBG-12-3"]).stdout
        #expect(text.contains("tanpa nomor  2026-03-02  Surat Pengajuan  request GBG-12-3  (id \(Self.application))"), "\(text)")
        let shown = try lintas.expectSuccess(["letter", "show", Self.application, "--format", "json"]).json()
        #expect(shown["signature"]?["nip"]?.stringValue == Grobogan.analisBencana && shown["number"] == nil && shown["content_hash"] != nil)
        #expect(try lintas.expectSuccess(["letter", "show", Self.application]).stdout.contains("Nomor: tanpa nomor"))
        #expect(try lintas.run(["letter", "show", ""]).status == 1, "no number matches a letter without one")
        #expect(try lintas.expectSuccess(["status", "GBG-12-3"]).stdout.contains("Letter    Surat Pengajuan (tanpa nomor), 2026-03-02"))
        #expect(try lintas.status("GBG-12-3")["letters"]?.arrayValue?.first?["signer"]?["nip"]?.stringValue == Grobogan.analisBencana)
        #expect(try lintas.expectSuccess(["history", "GBG-12-3"]).stdout.contains("letter   Surat Pengajuan (tanpa nomor)"))
        let history = try lintas.expectSuccess(["history", "GBG-12-3", "--json"]).json()["events"]?.arrayValue?.first?["letter"]
        #expect(history?["number"] == .null && history?["type"] == "surat_pengajuan")
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean"), "its seal is checked like any letter's")
    }

    @Test("Pasal 12 ayat (3) huruf a: a command giving a number to the surat pengajuan is refused with the article, and nothing is recorded")
    func numberRefused() throws {
        let lintas = try LetterScenario(regency: "grobogan", directory: "grobogan", lines: [
            LetterScenario.line("n1", "GBG-N", "apply", Grobogan.analisBencana, day: 2,
                                ["home_unit": "bpbd-kedaruratan", "owner_unit": "dinkes-p2p", "involvement": "Pemetaan risiko", "letter_number": "1/PRIBADI/2026"],
                                workflow: "grobogan.pengajuan-sukarela.lintas-pd"),
        ]).run()
        let refusal = try lintas.expectSuccess(["commands", "--id", "n1", "--json"]).json()["commands"]?.arrayValue?.first?["refusal"]
        #expect(refusal?["code"] == "invalid_field")
        #expect(refusal?["message"]?.stringValue?.contains("carries no number (numbering \"none\")") == true, "\(String(describing: refusal))")
        #expect(refusal?["article"]?.stringValue?.hasPrefix("Pasal 12 ayat (3) huruf a") == true)
        #expect(try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue?.isEmpty == true)
    }

    @Test("workflows check refuses numbering \"none\" with a number template, a kode klasifikasi, a register or a letter_number field, naming the file and key",
          arguments: [
            ("number", "{seq}/BPBD/{year}"), ("klasifikasi", "800.1.11.1"), ("register", "home_unit"), ("fields", "letter_number"),
          ])
    func checkRefusesNumbers(_ key: String, _ value: String) throws {
        let lintas = try Lintas()
        let file = "grobogan/pengajuan-sukarela-lintas-pd.json"
        let copy = try lintas.workflowsCopy(changing: file) { document in
            document["transitions"] = .array((document["transitions"]?.arrayValue ?? []).map { item in
                guard var transition = item.objectValue, transition["action"] == "apply" else { return item }
                if key == "fields" {
                    transition["fields"] = .array((transition["fields"]?.arrayValue ?? []) + [.object(["name": .string(value), "kind": "text", "label": "Nomor"])])
                } else {
                    var letter = transition["letter"]?.objectValue ?? [:]
                    letter[key] = .string(value)
                    transition["letter"] = .object(letter)
                }
                return .object(transition)
            })
        }
        let checked = try lintas.run(["workflows", "check", copy], database: false)
        #expect(checked.status == 1)
        let line = checked.stderr.split(separator: "\n").first { $0.contains("numbering\": \"none\"") }.map(String.init) ?? ""
        #expect(line.contains(file), "names the file: \(checked.stderr)")
        // The apply step declares four fields (no "reference": the surat pengajuan it composes has no number); the added one is the fifth.
        #expect(line.contains(key == "fields" ? "transitions[0] (apply).fields[4].name" : "transitions[0] (apply).letter.\(key)"), "names the key: \(checked.stderr)")
        #expect(try lintas.run(["workflows", "load", copy]).status == 1, "and load stores nothing")
    }
}
