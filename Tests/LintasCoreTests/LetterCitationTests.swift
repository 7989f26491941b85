import LintasCore
import TestSupport
import Testing

@Suite("A letter cites the earlier letter of its request from the log: Perbup Pemalang 38/2023 Pasal 11 ayat (4), in memory")
struct LetterCitationTests {
    /// Pasal 11 ayat (4) huruf a–c on `walk`: the request with `submit` added to its contents, up to the surat penugasan.
    static func issued(_ walk: inout Walk, submit: [String: JSONValue] = [:]) throws {
        try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents.merging(submit) { _, new in new }).event != nil)
        try #require(try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00").event != nil)
        try #require(try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00",
                                  ["nominees": .array([.string(Pemalang.prakomMuda)])]).event != nil)
        try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00").event != nil)
    }

    static func letters(_ walk: Walk) -> [JSONValue] { walk.events.compactMap { $0.detail.letter?.content } }

    @Test("Pasal 11 ayat (4) huruf c: the surat penugasan cites the surat permohonan pelibatan (huruf a) by the number and date its event recorded")
    func suratPenugasanCitesPermohonan() throws {
        var walk = try Walk()
        try Self.issued(&walk)
        let letters = Self.letters(walk)
        try #require(letters.count == 2)
        #expect(letters[0]["cites"] == nil, "the surat permohonan pelibatan opens the request: it cites nothing")
        #expect(letters[0]["reference"] == nil)
        #expect(letters[0]["contents_heading"] == "Dengan rincian sebagai berikut")
        #expect(letters[1]["cites"] == .object(["type": "surat_permohonan_pelibatan", "label": "Surat Permohonan Pelibatan",
                                                "number": "800.1.11.1/1/DINKES/2025", "date": "2025-03-03", "date_text": "3 Maret 2025"]))
        #expect(letters[1]["contents_heading"] == "Memperhatikan permohonan pelibatan")
    }

    @Test("Pasal 11 ayat (4) huruf a and d: a surat permohonan pelibatan numbered by SRIKANDI is cited by the refusal with SRIKANDI's number and date")
    func refusalCitesExternalNumber() throws {
        var walk = try Walk()
        try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00",
                                  Walk.contents.merging(["letter_number": "000.1.2.3/0042/DINKES/2025", "letter_date": "2025-02-28"]) { _, new in new }).event != nil)
        try #require(try walk.run("reject", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00", ["reason": "Pranata Komputer sedang menangani SPBE"]).event != nil)
        let reply = try #require(Self.letters(walk).last)
        #expect(reply["type"] == "surat_jawaban")
        #expect(reply["cites"]?["number"] == "000.1.2.3/0042/DINKES/2025")
        #expect(reply["cites"]?["date_text"] == "28 Februari 2025")
    }

    @Test("a definition stored before letters cited each other composes as it did: its free-text reference in every letter, the lead-in of a letter that follows a request, no citation")
    func storedDefinitionWithReference() throws {
        var walk = try Walk()
        walk.definition = try Fixtures.pemalangWorkflowWithReference()
        try Self.issued(&walk, submit: ["reference": "400.7/112/P2P/2025"])
        let letters = Self.letters(walk)
        try #require(letters.count == 2)
        for letter in letters {
            #expect(letter["reference"] == "400.7/112/P2P/2025")
            #expect(letter["cites"] == nil)
            #expect(letter["contents_heading"] == "Memperhatikan permohonan pelibatan")
        }
    }

    @Test("Pasal 11 ayat (4) huruf a and c: a command still sending \"reference\" is refused with the article, saying the letters cite the earlier letter themselves")
    func referenceRefused() throws {
        var walk = try Walk()
        let atSubmit = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00",
                                                 Walk.contents.merging(["reference": "400.7/112/P2P/2025"]) { _, new in new }).refusal)
        #expect(atSubmit.code == .invalidField)
        #expect(atSubmit.message == "\"submit\" does not take \"reference\" (a letter number typed in): the letters that follow cite this Surat Permohonan Pelibatan itself, by the number and date recorded when it is issued.")
        #expect(atSubmit.article == "Pasal 11 ayat (4) huruf a Perbup Pemalang 38/2023")
        #expect(atSubmit.hint == "Leave out \"reference\"; when another system (e.g. SRIKANDI) numbered the Surat Permohonan Pelibatan, give its number in \"letter_number\".")

        walk = try Walk()
        try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents).event != nil)
        try #require(try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00").event != nil)
        try #require(try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00",
                                  ["nominees": .array([.string(Pemalang.prakomMuda)])]).event != nil)
        let atIssue = try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00", ["reference": "1/2025"]).refusal)
        #expect(atIssue.message.contains("the Surat Penugasan cites the request's Surat Permohonan Pelibatan itself, by the number and date recorded when it was issued"))
        #expect(atIssue.article == "Pasal 11 ayat (4) huruf c Perbup Pemalang 38/2023")
        #expect(atIssue.hint == "Leave out \"reference\".")
    }

    @Test("workflows check: a letter citing a type no step of the workflow issues is an error at that letter")
    func unknownCitedType() throws {
        let regulations = try Fixtures.regulations()
        let document = try Fixtures.workflowDocument { members in
            members["transitions"] = .array((members["transitions"]?.arrayValue ?? []).map { item in
                guard var transition = item.objectValue, transition["action"] == "issue_letter", var letter = transition["letter"]?.objectValue else { return item }
                letter["cites"] = "surat_permohonan"
                transition["letter"] = .object(letter)
                return .object(transition)
            })
        }
        do {
            _ = try WorkflowDefinition.decode(document, source: "broken.json", hash: "h", regulations: regulations)
            Issue.record("a citation of a type no step issues was accepted")
        } catch {
            #expect(error.source == "broken.json")
            #expect(error.problems.map(\.description) == [
                "transitions[4] (issue_letter).letter.cites: \"surat_permohonan\" is not a letter type this workflow issues; its letters: surat_permohonan_pelibatan, surat_jawaban, surat_penugasan",
            ])
        }
    }
}
