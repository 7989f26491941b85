import LintasCore
import TestSupport
import Testing

extension Walk {
    /// A walk over the shipped Pemalang workflow with a change applied to its document.
    init(changing change: (inout [String: JSONValue]) -> Void) throws {
        try self.init()
        definition = try WorkflowDefinition.decode(try Fixtures.workflowDocument(change), source: "changed.json", hash: "h",
                                                   regulations: try Fixtures.regulations())
    }

    /// A walk whose surat penugasan (Pasal 11 ayat (4) huruf c) has its letter object changed.
    init(changingLetter change: (inout [String: JSONValue]) -> Void) throws {
        try self.init(changing: { members in
            var list = members["transitions"]!.arrayValue!.map { $0.objectValue! }
            var letter = list[4]["letter"]!.objectValue!
            change(&letter)
            list[4]["letter"] = .object(letter)
            members["transitions"] = .array(list.map(JSONValue.object))
        })
    }

    /// Pasal 11 ayat (4) huruf a–c up to the approval, naming `nominees` (or none).
    mutating func approved(nominees: [String]) throws {
        try run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        try run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00")
        var data: [String: JSONValue] = [:]
        if !nominees.isEmpty { data["nominees"] = .array(nominees.map(JSONValue.string)) }
        try run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00", data)
    }
}

@Suite("letters: the surat penugasan of Perbup Pemalang 38/2023 Pasal 11 ayat (4) huruf c, composed by decide")
struct LetterTests {
    @Test("Pasal 11 ayat (4) huruf c: the letter is numbered with its klasifikasi, signed by the Kepala PD dituju, with the request's contents, the nominees and the tembusan")
    func composed() throws {
        var walk = try Walk()
        try walk.approved(nominees: [Pemalang.prakomMuda, Pemalang.prakomPertama])
        let letter = try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00").event?.detail.letter)
        #expect(letter.number == "800.1.11.1/1/DISKOMINFO/2025")
        let content = try #require(letter.content)
        #expect(content["klasifikasi"] == "800.1.11.1")
        #expect(content["date"] == "2025-03-06")
        #expect(content["place"] == "Pemalang")
        #expect(content["kop"]?["unit"] == "Dinas Komunikasi dan Informatika")
        #expect(content["legal_basis"]?["article"] == "Pasal 11 ayat (4) huruf c")
        #expect(content["signature"]?["nip"] == .string(Pemalang.kadisKominfo))
        #expect(content["signature"]?["capacity"] == "definitif")
        #expect(content["contents"]?.arrayValue?.compactMap { $0["field"]?.stringValue } == ["purpose", "competence", "performance_target", "duration"])
        #expect(content["period"]?["start"] == "2025-07-01")
        #expect(content["assigned"]?.arrayValue?.compactMap { $0["nip"]?.stringValue } == [Pemalang.prakomMuda, Pemalang.prakomPertama])
        let copies = content["cc"]?.arrayValue ?? []
        #expect(copies.compactMap { $0["number"]?.intValue } == [1, 2])
        #expect(copies.compactMap { $0["holders"]?.arrayValue?.first?["nip"]?.stringValue } == [Pemalang.kabidP2P, Pemalang.kabidAptika])
        #expect(letter.contentHash == nil, "the core leaves hashing to the engine")
    }

    @Test("a field's label changed after the definition was read is the one the request's contents carry")
    func changedLabelInContents() throws {
        var walk = try Walk()
        let submit = try #require(walk.definition.transitions.firstIndex { $0.action == "submit" })
        let purpose = try #require(walk.definition.transitions[submit].fields.firstIndex { $0.name == "purpose" })
        walk.definition.transitions[submit].fields[purpose].label = "Maksud pelibatan"
        let letter = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents).event?.detail.letter)
        let contents = try #require(letter.content?["contents"]?.arrayValue)
        #expect(contents.first { $0["field"] == "purpose" }?["label"] == "Maksud pelibatan")
    }

    @Test("the words before the request's contents: the request letter itself lists them, the letters after it answer the permohonan, and the workflow can say other words")
    func contentsHeading() throws {
        var walk = try Walk()
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let request = try #require(walk.events.first?.detail.letter?.content)
        #expect(request["type"] == "surat_permohonan_pelibatan")
        #expect(request["contents_heading"] == "Dengan rincian sebagai berikut", "no permohonan came before the permohonan itself")
        let letter = try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00").event?.detail.letter?.content)
        #expect(letter["contents_heading"] == "Memperhatikan permohonan pelibatan")

        var worded = try Walk(changingLetter: {
            $0["contents_heading"] = "Menindaklanjuti surat permohonan"
        })
        try worded.approved(nominees: [Pemalang.prakomMuda])
        let own = try #require(try worded.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00").event?.detail.letter?.content)
        #expect(own["contents_heading"] == "Menindaklanjuti surat permohonan")
    }

    @Test("Pasal 11 ayat (4) huruf a: the surat permohonan pelibatan is addressed (Kepada Yth.) to the pimpinan unit organisasi where the employees are, by office; a letter whose workflow names no addressee has none")
    func addressee() throws {
        var walk = try Walk()
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let request = try #require(walk.events.first?.detail.letter?.content)
        #expect(request["addressee"]?["office"] == "Kepala Bidang Aplikasi Informatika")
        #expect(request["addressee"]?["place"] == "Pemalang")
        #expect(request["addressee"]?["label"] == "Pimpinan Unit Organisasi dimana Pejabat Fungsional/Pelaksana berada")
        let letter = try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00").event?.detail.letter?.content)
        #expect(letter["addressee"] == nil, "the surat penugasan of huruf c names no addressee in the workflow")
    }

    @Test("Pasal 11 ayat (4) huruf c: without nominees the surat penugasan is refused and no number is drawn")
    func refusedWithoutNominees() throws {
        var walk = try Walk(changing: { members in
            var list = members["transitions"]!.arrayValue!.map { $0.objectValue! }
            var fields = list[3]["fields"]!.arrayValue!.map { $0.objectValue! }
            fields[0]["required"] = .bool(false)
            list[3]["fields"] = .array(fields.map(JSONValue.object))
            members["transitions"] = .array(list.map(JSONValue.object))
        })
        try walk.approved(nominees: [])
        #expect(walk.state?.state == "approved")
        let refusal = try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00").refusal)
        #expect(refusal.code == .missingField)
        #expect(refusal.article == "Pasal 11 ayat (4) huruf c Perbup Pemalang 38/2023")
        #expect(refusal.message.contains("nominees"))
        #expect(walk.numbering.nextSequence(register: "diskominfo/800.1.11.1/2025") == 1, "the refused letter drew no number")
    }

    @Test("a letter signed on behalf of a superior office: the signature block names it after a.n.")
    func onBehalfOf() throws {
        var walk = try Walk(changingLetter: {
            $0["signer"] = "pimpinan_uo_dituju"
            $0["on_behalf_of"] = "kepala_pd_dituju"
        })
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let content = try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00").event?.detail.letter?.content)
        #expect(content["signature"]?["nip"] == .string(Pemalang.kabidAptika))
        #expect(content["signature"]?["on_behalf_of"] == "Kepala Dinas Komunikasi dan Informatika")
        #expect(content["kop"]?["unit"] == "Bidang Aplikasi Informatika")
    }

    @Test("letter keys are validated: unknown signer role, copy holders that are not people, {klasifikasi} without a code, unknown required field, a heading of people the letter does not list")
    func validation() throws {
        var found: [String] = []
        let document = try Fixtures.workflowDocument { members in
                var list = members["transitions"]!.arrayValue!.map { $0.objectValue! }
                var letter = list[4]["letter"]!.objectValue!
                letter["signer"] = "kepala_dinas"
                letter["klasifikasi"] = nil
                letter["cc"] = .array([.object(["label": "Unit dituju", "resolve": "target_unit"]),
                                       .object(["label": "Entah", "resolve": "boss(target_unit)"])])
                letter["requires"] = .array([.object(["field": "budget", "article": "Pasal 99"])])
                letter["assigned"] = nil
                letter["assigned_heading"] = "MENYETUJUI PELIBATAN"
                letter["addressee"] = .object(["label": "Unit dituju", "resolve": "target_unit"])
                list[4]["letter"] = .object(letter)
                members["transitions"] = .array(list.map(JSONValue.object))
        }
        let regulations = try Fixtures.regulations()
        do {
            _ = try WorkflowDefinition.decode(document, source: "broken.json", hash: "h", regulations: regulations)
        } catch {
            found = error.problems.map(\.description)
        }
        #expect(found.contains { $0.contains("letter.signer: unknown role \"kepala_dinas\"") })
        #expect(found.contains { $0.contains("letter.cc[0].resolve: \"target_unit\" gives a unit, expected people") })
        #expect(found.contains { $0.contains("letter.cc[1].resolve: unknown function \"boss\"") })
        #expect(found.contains { $0.contains("give the letter's \"klasifikasi\" code") })
        #expect(found.contains { $0.contains("letter.requires[0].field: \"budget\" is not a field") })
        #expect(found.contains { $0.contains("letter.assigned_heading: a heading of the list of people needs \"assigned\"") })
        #expect(found.contains { $0.contains("letter.addressee.resolve: \"target_unit\" gives a unit, expected people") })
    }
}
