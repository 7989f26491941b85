import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("lintas letter: the surat penugasan of Perbup Pemalang 38/2023 Pasal 11 ayat (4) huruf c, printed and proven")
struct LetterCommandTests {
    static let number = "800.1.11.1/1/DISKOMINFO/2026"

    /// Pasal 11 ayat (4) huruf a–c for one request: the letter is issued on `issueDay` of March 2026.
    static func issued(_ lintas: Lintas, _ request: String, issueDay: Int = 5) throws {
        try lintas.process([
            Pemalang.submit(request),
            Pemalang.line("\(request)-r", request, "recommend", Pemalang.kadisKominfo, day: 3),
            Pemalang.line("\(request)-a", request, "approve", Pemalang.kabidAptika, day: 4,
                          ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomPertama)])]),
            Pemalang.line("\(request)-i", request, "issue_letter", Pemalang.kadisKominfo, day: issueDay),
        ])
    }

    @Test("Pasal 11 ayat (4) huruf c: the text of the surat penugasan matches the golden copy")
    func goldenText() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        let shown = try lintas.expectSuccess(["letter", "show", Self.number, "--format", "text"]).stdout
        Golden.check(shown, "pemalang-11-4-surat-penugasan.txt")
        #expect(try lintas.expectSuccess(["letter", "show", "diskominfo/800.1.11.1/2026/1"]).stdout == shown, "by id as by number")
    }

    @Test("a definition stored before letters cited each other (its submit step takes the free-text \"reference\") composes its letters as before, byte for byte: the same text and the same SHA-256 of the content")
    func storedDefinitionWithReference() throws {
        let lintas = try Lintas()
        // The Pasal 11 ayat (4) workflow as shipped until then (and stored in logs): "reference" at submit, no letter naming the letter it cites.
        let stored = try JSONValue.parse(Array(try Data(contentsOf: Golden.folder.appendingPathComponent("stored-definitions/pemalang-penunjukan-lintas-pd.json"))))
        let copy = try lintas.workflowsCopy(changing: "pemalang/penunjukan-lintas-pd.json") { document in document = stored.objectValue ?? [:] }
        try lintas.expectSuccess(["workflows", "load", copy])
        try lintas.expectSuccess(["org", "import", Lintas.directory])
        try lintas.process([
            Pemalang.submit("PML-1", day: 2, Pemalang.contents.merging(["reference": "400.7/112/P2P/2026"]) { _, new in new }),
            Pemalang.line("PML-1-r", "PML-1", "recommend", Pemalang.kadisKominfo, day: 3),
            Pemalang.line("PML-1-a", "PML-1", "approve", Pemalang.kabidAptika, day: 4, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
            Pemalang.line("PML-1-i", "PML-1", "issue_letter", Pemalang.kadisKominfo, day: 5),
        ])
        #expect(try lintas.refusals() == [:])
        Golden.check(try lintas.expectSuccess(["letter", "show", "800.1.11.1/1/DINKES/2026"]).stdout, "stored-reference-pemalang-11-4-a-surat_permohonan_pelibatan.txt")
        Golden.check(try lintas.expectSuccess(["letter", "show", Self.number]).stdout, "stored-reference-pemalang-11-4-c-surat_penugasan.txt")
    }

    @Test("--format json carries every field of the letter and its content hash")
    func json() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        let letter = try lintas.expectSuccess(["letter", "show", Self.number, "--format", "json"]).json()
        for key in ["format", "id", "request", "type", "label", "number", "klasifikasi", "date", "place", "subject", "legal_basis",
                    "kop", "contents", "assigned", "period", "signature", "cc", "content_hash"] {
            #expect(letter[key] != nil, "missing \(key)")
        }
        #expect(letter["signature"]?["title"] == "Kepala Dinas Komunikasi dan Informatika")
        #expect(letter["content_hash"]?.stringValue?.count == 64)
        let listed = (try lintas.expectSuccess(["letter", "list", "PML-1", "--json"]).json()["letters"]?.arrayValue ?? []).filter { $0["type"] == "surat_penugasan" }
        #expect(listed.compactMap { $0["number"]?.stringValue } == [Self.number])
        #expect(listed.first?["content_hash"] == letter["content_hash"])
    }

    @Test("--format html is a printable A4 page with kop, number, signature block and numbered tembusan, its tags balanced")
    func html() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        let html = try lintas.expectSuccess(["letter", "show", Self.number, "--format", "html"]).stdout
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.contains("@page { size: A4"))
        #expect(html.contains("<meta charset=\"utf-8\">"))
        for text in ["Dinas Komunikasi dan Informatika", "Nomor: \(Self.number)", "Pasal 11 ayat (4) huruf c", "NIP 19750214 200003 1 005",
                     "Tembusan:", "19890326 201503 1 002"] {
            #expect(html.contains(text), "missing \(text)")
        }
        for tag in ["html", "head", "body", "style", "header", "div", "table", "tr", "td", "ol", "li", "p", "h1"] {
            let opened = html.components(separatedBy: "<\(tag)>").count + html.components(separatedBy: "<\(tag) ").count - 2
            let closed = html.components(separatedBy: "</\(tag)>").count - 1
            #expect(opened == closed, "<\(tag)> opened \(opened) times, closed \(closed)")
        }
        #expect(html.components(separatedBy: "<li>").count - 1 == 4 + 2, "four request contents and two tembusan")
    }

    @Test("Pasal 11 ayat (4) huruf c: the letter is stored once, in its event; the request's state keeps only a reference to it")
    func storedOnce() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        let events = try lintas.query("SELECT version, data FROM events WHERE request = 'PML-1' AND data LIKE '%\"content_hash\":%'")
        #expect(events.map(\.[0]) == ["1", "4"], "each content is in its own event only: the surat permohonan's in submit, the surat penugasan's in issue_letter")
        // Its frame (kop, legal basis, signature, tembusan) and the request's contents are parts, each stored once.
        #expect(events.allSatisfy { $0[1].contains("\"content_parts\":[") && !$0[1].contains("\"signature\"") })
        #expect(try lintas.query("SELECT count(*) FROM letter_parts WHERE body LIKE '%lintas.letter/1%'").first?[0] == "2", "one frame per letter")
        #expect(try lintas.query("SELECT count(*) FROM letter_parts WHERE body LIKE '%Dasbor berjalan di 22 Puskesmas%'").first?[0] == "1",
                "the request's contents, once for both letters")
        let body = try #require(try lintas.query("SELECT body FROM requests WHERE request = 'PML-1'").first?[0])
        #expect(!body.contains("lintas.letter/1") && !body.contains("\"signature\""), "no letter content in the state: \(body)")
        let reference = try #require(try JSONValue.parse(Array(body.utf8))["letters"]?.arrayValue?.last)
        let shown = try lintas.expectSuccess(["letter", "show", Self.number, "--format", "json"]).json()
        #expect(reference["number"]?.stringValue == Self.number)
        #expect(reference["version"]?.intValue == 4, "the issuing event's version")
        #expect(reference["date"] == shown["date"])
        #expect(reference["content_hash"] == shown["content_hash"])
        #expect(try lintas.status("PML-1")["letters"]?.arrayValue?.last?["number"]?.stringValue == Self.number)
        let replayed = try lintas.expectSuccess(["replay", "PML-1", "--json"]).json()["steps"]?.arrayValue?.last?["state"]
        #expect(replayed?["letters"]?.arrayValue?.last == reference, "replay gives the same reference")
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean"))
    }

    @Test("letter show prints what the event holds, not what the state says; a letter whose stored part was altered is not printed")
    func showReadsTheEvent() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        #expect(lintas.sql("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET data = replace(data, '"date_text":"5 Maret 2026"', '"date_text":"6 Maret 2026"') WHERE action = 'issue_letter';
            """) == nil)
        let text = try lintas.expectSuccess(["letter", "show", Self.number, "--format", "text"]).stdout
        #expect(text.contains("6 Maret 2026") && !text.contains("5 Maret 2026"))
        #expect(try lintas.run(["audit"]).status == 1, "and the audit says the letter no longer matches its seal")

        #expect(lintas.sql("""
            DROP TRIGGER letter_parts_refuse_update;
            UPDATE letter_parts SET body = replace(body, 'Dasbor berjalan di 22 Puskesmas', 'Dasbor berjalan di 23 Puskesmas');
            """) == nil)
        let shown = try lintas.run(["letter", "show", Self.number, "--format", "text"])
        #expect(shown.status != 0 && shown.stdout.isEmpty)
        #expect(shown.stderr.contains("letter \(Self.number) was altered: its part"), "stderr: \(shown.stderr)")
    }

    @Test("Pasal 11 ayat (4) huruf c: status --json lists the request's letters with number, type, date, signer and content hash")
    func statusListsLetters() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        let letters = try lintas.status("PML-1")["letters"]?.arrayValue ?? []
        #expect(letters.compactMap { $0["type"]?.stringValue } == ["surat_permohonan_pelibatan", "surat_penugasan"], "huruf a, then huruf c")
        #expect(letters.first?["signer"]?["nip"] == .string(Pemalang.kabidP2P), "the request letter is signed by the Pimpinan UO pemilik kinerja")
        let letter = try #require(letters.last)
        let shown = try lintas.expectSuccess(["letter", "show", Self.number, "--format", "json"]).json()
        #expect(letter["number"]?.stringValue == Self.number)
        #expect(letter["type"] == "surat_penugasan")
        #expect(letter["date"] == "2026-03-05")
        #expect(letter["content_hash"] == shown["content_hash"])
        #expect(letter["signer"]?["nip"] == .string(Pemalang.kadisKominfo))
        #expect(letter["signer"]?["title"] == "Kepala Dinas Komunikasi dan Informatika")
        #expect(letter["id"] == "diskominfo/800.1.11.1/2026/1")
        #expect(try lintas.status("PML-1")["letters"] == .array(letters), "the same on every reading")
        #expect(try lintas.expectSuccess(["status", "PML-1"]).stdout.contains("Letter    Surat Penugasan Nomor \(Self.number), 2026-03-05"))
        try lintas.process([Pemalang.submit("PML-2")])
        #expect(try lintas.status("PML-2")["letters"]?.arrayValue?.compactMap { $0["type"]?.stringValue } == ["surat_permohonan_pelibatan"],
                "before the surat penugasan, only the request letter")
    }

    @Test("a stored letter altered by hand fails the audit, naming its event")
    func alteredLetterFailsAudit() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean"))
        #expect(lintas.sql("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET data = replace(data, '"date_text":"5 Maret 2026"', '"date_text":"4 Maret 2026"') WHERE action = 'issue_letter';
            """) == nil)
        let audit = try lintas.run(["audit"])
        #expect(audit.status == 1)
        #expect(audit.stderr.contains("event #4"), "stderr: \(audit.stderr)")
        let findings = try lintas.run(["audit", "--json"]).json()["findings"]?.arrayValue ?? []
        #expect(findings.contains { $0["message"]?.stringValue?.contains("letter \(Self.number) was altered") == true }, "\(findings)")
    }

    @Test("numbers of one register run 1, 2, 3 without gaps, also when an issue is refused between them")
    func numbersWithoutGaps() throws {
        let lintas = try Lintas.prepared()
        try Self.issued(lintas, "PML-1")
        try lintas.process([Pemalang.line("wrong", "PML-9", "issue_letter", Pemalang.kabidAptika, day: 6)])
        try Self.issued(lintas, "PML-2", issueDay: 6)
        try Self.issued(lintas, "PML-3", issueDay: 7)
        let listed = (try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? []).filter { $0["type"] == "surat_penugasan" }
        #expect(listed.compactMap { $0["number"]?.stringValue } == (1...3).map { "800.1.11.1/\($0)/DISKOMINFO/2026" })
        #expect(listed.compactMap { $0["request"]?.stringValue } == ["PML-1", "PML-2", "PML-3"])
        #expect(try lintas.refusals()["wrong"] != nil)
    }
}
