import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("lintas with letters numbered by SRIKANDI: Perbup Pemalang 38/2023 Pasal 11 ayat (4) huruf c with numbering \"either\"")
struct ExternalNumberCommandTests {
    static let srikandi = "800.1.11.1/045/DISKOMINFO/2026"

    /// A database loaded from a copy of the shipped workflows in which the surat penugasan of
    /// Pasal 11 ayat (4) huruf c is numbered `either`: by SRIKANDI when the command gives a number, else by the register.
    static func prepared() throws -> Lintas {
        let lintas = try Lintas()
        let copy = try lintas.workflowsCopy(changing: "pemalang/penunjukan-lintas-pd.json", letterOf: "issue_letter") { $0["numbering"] = "either" }
        try lintas.expectSuccess(["workflows", "load", copy])
        try lintas.expectSuccess(["org", "import", Lintas.directory])
        return lintas
    }

    /// Pasal 11 ayat (4) huruf a–c up to the approval, and the issue with `data`, as command lines.
    static func lines(_ request: String, issue data: [String: JSONValue]) -> [String] {
        [
            Pemalang.submit(request),
            Pemalang.line("\(request)-r", request, "recommend", Pemalang.kadisKominfo, day: 3),
            Pemalang.line("\(request)-a", request, "approve", Pemalang.kabidAptika, day: 4, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
            Pemalang.line("\(request)-i", request, "issue_letter", Pemalang.kadisKominfo, day: 5, data),
        ]
    }

    @Test("Pasal 11 ayat (4) huruf c: a number SRIKANDI gave is recorded once, draws no register number, and is listed, shown and audited like any letter")
    func recordedOnce() throws {
        let lintas = try Self.prepared()
        try lintas.process(Self.lines("PML-1", issue: ["letter_number": .string(Self.srikandi), "letter_date": "2026-03-04"])
                           + Self.lines("PML-2", issue: ["letter_number": .string(Self.srikandi)]))
        try lintas.process(Self.lines("PML-3", issue: [:]) + Self.lines("PML-4", issue: ["letter_number": .string(Self.srikandi), "letter_date": "2026-03-01"]))
        let refusals = try lintas.refusals()
        #expect(refusals == ["PML-2-i": "invalid_field", "PML-4-i": "invalid_field"], "the same number again, in the same batch and in a later one")
        let refused = try lintas.expectSuccess(["commands", "--id", "PML-2-i", "--json"]).json()["commands"]?.arrayValue?.first?["refusal"]
        #expect(refused?["message"]?.stringValue?.contains("which the Surat Penugasan diskominfo/800.1.11.1/2026/external:\(Self.srikandi) of request PML-1 already carries") == true)
        #expect(refused?["article"] == "Pasal 11 ayat (4) huruf c Perbup Pemalang 38/2023")

        let listed = (try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? [])
            .filter { $0["type"] == "surat_penugasan" }
        #expect(listed.compactMap { $0["number"]?.stringValue }.sorted() == ["800.1.11.1/1/DISKOMINFO/2026", Self.srikandi].sorted(),
                "the register's first number went to PML-3: the external one drew none")
        let external = try #require(listed.first { $0["number"]?.stringValue == Self.srikandi })
        #expect(external["id"] == "diskominfo/800.1.11.1/2026/external:\(Self.srikandi)")
        #expect(external["date"] == "2026-03-04")
        #expect(external["numbering"] == "external")
        let text = try lintas.expectSuccess(["letter", "show", Self.srikandi]).stdout
        #expect(text.contains("Nomor: \(Self.srikandi)"))
        #expect(text.contains("4 Maret 2026"), "dated as SRIKANDI dated it")
        let byID = try lintas.expectSuccess(["letter", "show", "diskominfo/800.1.11.1/2026/external:\(Self.srikandi)", "--format", "json"]).json()
        #expect(byID["numbering"] == "external")
        #expect(try lintas.query("SELECT last FROM letter_registers WHERE register = 'diskominfo/800.1.11.1/2026'") == [["1"]])
        #expect(try lintas.query("SELECT letter, request FROM letter_numbers WHERE number = '\(Self.srikandi)'")
                == [["diskominfo/800.1.11.1/2026/external:\(Self.srikandi)", "PML-1"]])
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean"))
    }
    @Test("a number given elsewhere that another letter already carries is refused naming it, in a later batch too; one in the register's own form is refused before lintas could draw it; the register's next number is unaffected")
    func clashes() throws {
        let lintas = try Self.prepared()
        try lintas.process(Self.lines("PML-1", issue: [:]))
        let permohonan = try #require((try lintas.expectSuccess(["letter", "list", "PML-1", "--json"]).json()["letters"]?.arrayValue ?? [])
            .first { $0["type"] == "surat_permohonan_pelibatan" })
        let drawnElsewhere = try #require(permohonan["number"]?.stringValue)
        #expect(drawnElsewhere == "800.1.11.1/1/DINKES/2026", "the Dinas Kesehatan's surat permohonan pelibatan (huruf a)")
        try lintas.process(Self.lines("PML-2", issue: ["letter_number": .string(drawnElsewhere)])
                           + Self.lines("PML-3", issue: ["letter_number": "800.1.11.1/9/DISKOMINFO/2026"]))
        #expect(try lintas.refusals() == ["PML-2-i": "invalid_field", "PML-3-i": "invalid_field"])
        let messages = try ["PML-2-i", "PML-3-i"].map {
            try lintas.expectSuccess(["commands", "--id", $0, "--json"]).json()["commands"]?.arrayValue?.first?["refusal"]?["message"]?.stringValue ?? ""
        }
        #expect(messages[0].contains("which the Surat Permohonan Pelibatan \(permohonan["id"]?.stringValue ?? "?") of request PML-1 already carries"), "\(messages[0])")
        #expect(messages[1].contains("has the form of the numbers Dinas Komunikasi dan Informatika draws itself"), "\(messages[1])")
        try lintas.process([Pemalang.line("PML-2-j", "PML-2", "issue_letter", Pemalang.kadisKominfo, day: 6)])
        #expect(try lintas.refusals()["PML-2-j"] == nil)
        let numbers = (try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? [])
            .filter { $0["type"] == "surat_penugasan" }.compactMap { $0["number"]?.stringValue }
        #expect(numbers.sorted() == ["800.1.11.1/1/DISKOMINFO/2026", "800.1.11.1/2/DISKOMINFO/2026"], "the refused numbers drew nothing")
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean"))
    }

    @Test("Pasal 11 ayat (4) huruf a and c: the surat permohonan pelibatan numbered by SRIKANDI is cited by the surat penugasan with the number and date SRIKANDI gave it; a typed \"reference\" is refused")
    func citedExternalNumber() throws {
        let lintas = try Lintas.prepared()
        let permohonan = "000.1.2.3/0112/DINKES/2026"
        var lines = Self.lines("PML-1", issue: [:])
        lines[0] = Pemalang.submit("PML-1", Pemalang.contents.merging(["letter_number": .string(permohonan), "letter_date": "2026-02-27"]) { _, new in new })
        try lintas.process(lines + [Pemalang.submit("PML-2", Pemalang.contents.merging(["reference": "400.7/112/P2P/2026"]) { _, new in new })])
        #expect(try lintas.refusals() == ["PML-2-submit": "invalid_field"])
        let refused = try lintas.expectSuccess(["commands", "--id", "PML-2-submit", "--json"]).json()["commands"]?.arrayValue?.first?["refusal"]
        #expect(refused?["message"]?.stringValue?.contains("does not take \"reference\"") == true)
        #expect(refused?["message"]?.stringValue?.contains("the letters that follow cite this Surat Permohonan Pelibatan itself") == true)
        #expect(refused?["hint"]?.stringValue?.contains("give its number in \"letter_number\"") == true)
        #expect(refused?["article"] == "Pasal 11 ayat (4) huruf a Perbup Pemalang 38/2023")

        let text = try lintas.expectSuccess(["letter", "show", "800.1.11.1/1/DISKOMINFO/2026"]).stdout
        #expect(text.contains("          Surat Permohonan Pelibatan Nomor \(permohonan) tanggal 27 Februari 2026\n"))
        let html = try lintas.expectSuccess(["letter", "show", "800.1.11.1/1/DISKOMINFO/2026", "--format", "html"]).stdout
        #expect(html.contains("<br>Surat Permohonan Pelibatan Nomor \(permohonan) tanggal 27 Februari 2026</td>"))
        let json = try lintas.expectSuccess(["letter", "show", "800.1.11.1/1/DISKOMINFO/2026", "--format", "json"]).json()
        #expect(json["cites"] == .object(["type": "surat_permohonan_pelibatan", "label": "Surat Permohonan Pelibatan",
                                          "number": .string(permohonan), "date": "2026-02-27", "date_text": "27 Februari 2026"]))
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean"))
    }
}
