import LintasCore
import TestSupport
import Testing

extension Walk {
    /// The shipped Pemalang workflow with its surat penugasan (Pasal 11 ayat (4) huruf c) numbered as `numbering` says.
    init(numbering: String, template: Bool = true) throws {
        try self.init(changing: { Self.number(&$0, numbering, template: template) })
    }

    /// Sets the numbering of the surat penugasan in a workflow document; `template: false` leaves out its number template.
    static func number(_ members: inout [String: JSONValue], _ numbering: String, template: Bool) {
        var list = members["transitions"]!.arrayValue!.map { $0.objectValue! }
        var letter = list[4]["letter"]!.objectValue!
        letter["numbering"] = .string(numbering)
        if !template { letter["number"] = nil }
        list[4]["letter"] = .object(letter)
        members["transitions"] = .array(list.map(JSONValue.object))
    }

    /// Issues the surat penugasan on 6 March 2025 with the command data given.
    mutating func issue(_ data: [String: JSONValue]) throws -> Decision {
        try run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00", data)
    }
}

@Suite("external letter numbers (SRIKANDI): a letter numbered elsewhere is recorded with its number, once per register and year")
struct ExternalNumberTests {
    static let srikandi = "800.1.11.1/045/DISKOMINFO/2025"
    static let register = "diskominfo/800.1.11.1/2025"

    @Test("Pasal 11 ayat (4) huruf c, numbering external: the surat penugasan carries the number and date SRIKANDI gave; no register number is drawn")
    func external() throws {
        var walk = try Walk(numbering: "external", template: false)
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let letter = try #require(try walk.issue(["letter_number": .string(" \(Self.srikandi) "), "letter_date": "2025-03-05"]).event?.detail.letter)
        #expect(letter.number == Self.srikandi, "trimmed, otherwise as given")
        #expect(letter.external)
        #expect(letter.register == Self.register)
        #expect(letter.id == "\(Self.register)/external:\(Self.srikandi)")
        let content = try #require(letter.content)
        #expect(content["number"] == .string(Self.srikandi))
        #expect(content["numbering"] == "external")
        #expect(content["date"] == "2025-03-05")
        #expect(content["date_text"] == "5 Maret 2025")
        #expect(walk.state?.letters.last?.external == true)
        #expect(walk.state?.letters.last?.date == "2025-03-05")
        #expect(walk.state?.fields["letter_number"] == nil, "the number is the letter's, not a field of the request")
        #expect(walk.numbering.nextSequence(register: Self.register) == 1, "no register number was drawn")
        let event = try #require(walk.events.last)
        #expect(event.detail.canonicalBytes == event.detail.json.canonicalBytes)
        #expect(try Event.Detail(bytes: event.detail.canonicalBytes) == event.detail)
        let state = try #require(walk.state)
        #expect(state.canonicalBytes == state.json.canonicalBytes)
        #expect(try RequestState(bytes: state.canonicalBytes) == state)
    }

    @Test("numbering external: a missing or empty number is refused with the article of the step, and nothing is drawn", arguments: [
        [:], ["letter_number": ""], ["letter_number": "   "], ["letter_number": .null],
    ] as [[String: JSONValue]])
    func missing(_ data: [String: JSONValue]) throws {
        var walk = try Walk(numbering: "external")
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let claimed = walk.numbering.numbers
        let refusal = try #require(try walk.issue(data).refusal)
        #expect(refusal.code == .missingField)
        #expect(refusal.message.contains("letter_number"))
        #expect(refusal.article == "Pasal 11 ayat (4) huruf c Perbup Pemalang 38/2023")
        #expect(walk.numbering.nextSequence(register: Self.register) == 1)
        #expect(walk.numbering.numbers == claimed)
    }

    @Test("an external number recorded once: the same number again is refused, naming the letter that carries it, also dated in another year")
    func duplicate() throws {
        var first = try Walk(numbering: "external")
        try first.approved(nominees: [Pemalang.prakomMuda])
        #expect(try first.issue(["letter_number": .string(Self.srikandi)]).event != nil)
        var second = try Walk(numbering: "external")
        second.numbering = first.numbering
        try second.approved(nominees: [Pemalang.prakomPertama])
        let refusal = try #require(try second.issue(["letter_number": .string(Self.srikandi)]).refusal)
        #expect(refusal.code == .invalidField)
        #expect(refusal.message.contains("would carry the number \"\(Self.srikandi)\", which the Surat Penugasan \(Self.register)/external:\(Self.srikandi) of request PML-1 already carries"))
        #expect(refusal.article == "Pasal 11 ayat (4) huruf c Perbup Pemalang 38/2023")
        let lastYear = try #require(try second.issue(["letter_number": .string(Self.srikandi), "letter_date": "2024-12-30"]).refusal)
        #expect(lastYear.message.contains("already carries"), "a printed number identifies one letter whatever its register")
        let other = try #require(try second.issue(["letter_number": "800.1.11.1/046/DISKOMINFO/2024", "letter_date": "2024-12-30"]).event?.detail.letter)
        #expect(other.register == "diskominfo/800.1.11.1/2024", "dated in 2024: the register of that year")
    }

    @Test("numbering external: a number lintas already drew for another letter is refused, naming that letter")
    func externalMeetsDrawn() throws {
        var drawn = try Walk(numbering: "either")
        try drawn.approved(nominees: [Pemalang.prakomMuda])
        #expect(try drawn.issue([:]).event?.detail.letter?.number == "800.1.11.1/1/DISKOMINFO/2025")
        var given = try Walk(numbering: "external")
        given.numbering = drawn.numbering
        try given.approved(nominees: [Pemalang.prakomPertama])
        let refusal = try #require(try given.issue(["letter_number": "800.1.11.1/1/DISKOMINFO/2025"]).refusal)
        #expect(refusal.code == .invalidField)
        #expect(refusal.message.contains("which the Surat Penugasan \(Self.register)/1 of request PML-1 already carries"))
    }

    @Test("numbering either: a number given in the register's own form is refused, since lintas could draw it later; SRIKANDI's zero-padded numbers are not of that form", arguments: [
        "800.1.11.1/7/DISKOMINFO/2025", "800.1.11.1/12/DISKOMINFO/2024", " 800.1.11.1/1/DISKOMINFO/2031 ",
    ])
    func eitherOwnForm(_ number: String) throws {
        var walk = try Walk(numbering: "either")
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let refusal = try #require(try walk.issue(["letter_number": .string(number)]).refusal)
        #expect(refusal.code == .invalidField)
        #expect(refusal.message.contains("has the form of the numbers Dinas Komunikasi dan Informatika draws itself ({klasifikasi}/{seq}/{unit}/{year})"))
        #expect(refusal.article == "Pasal 11 ayat (4) huruf c Perbup Pemalang 38/2023")
        for other in ["800.1.11.1/045/DISKOMINFO/2025", "800.1.11.1/7/DINKES/2025", "800.1.11.2/7/DISKOMINFO/2025", "800.1.11.1/7/DISKOMINFO/25"] {
            #expect(LetterNumber.matches(other, template: "{klasifikasi}/{seq}/{unit}/{year}", unitCode: "DISKOMINFO", klasifikasi: "800.1.11.1") == false, "\(other)")
        }
        #expect(LetterNumber.matches("800/7/III/DISKOMINFO/2025", template: "800/{seq}/{month_roman}/{unit}/{year}", unitCode: "DISKOMINFO"))
    }

    @Test("a number template is filled in one pass: each known placeholder, the text between as written, an unknown placeholder and an unclosed brace left as they stand")
    func templateFilled() throws {
        let date = try #require(CivilDate(iso: "2025-03-06"))
        #expect(LetterNumber.format("{klasifikasi}/{seq}/{unit}/{month_roman}/{year}", sequence: 45, unitCode: "DISKOMINFO", date: date, klasifikasi: "800.1.11.1")
                == "800.1.11.1/45/DISKOMINFO/III/2025")
        #expect(LetterNumber.format("B-{seq}.{nomor}/{unit}/{year", sequence: 7, unitCode: "DINKES", date: date) == "B-7.{nomor}/DINKES/{year")
        #expect(LetterNumber.format("SP/{seq}", sequence: 1200, unitCode: "X", date: date) == "SP/1200")
    }

    @Test("a register is (unit, kode klasifikasi, year): a letter type whose template prints another type's number is refused, naming the letter that carries it")
    func drawnCollision() throws {
        var first = try Walk()
        try first.approved(nominees: [Pemalang.prakomMuda])
        #expect(try first.issue([:]).event?.detail.letter?.number == "800.1.11.1/1/DISKOMINFO/2025")
        var second = try Walk(changingLetter: {
            $0["klasifikasi"] = "800.1.11.2"
            $0["number"] = "800.1.11.1/{seq}/{unit}/{year}"
        })
        second.numbering = first.numbering
        try second.approved(nominees: [Pemalang.prakomPertama])
        let refusal = try #require(try second.issue([:]).refusal)
        #expect(refusal.code == .invalidField)
        #expect(refusal.message.contains("The Surat Penugasan diskominfo/800.1.11.2/2025/1 of request PML-1 would carry the number \"800.1.11.1/1/DISKOMINFO/2025\", which the Surat Penugasan diskominfo/800.1.11.1/2025/1 of request PML-1 already carries"))
        #expect(refusal.article == "Pasal 11 ayat (4) huruf c Perbup Pemalang 38/2023")
    }

    @Test("numbering either: without a number the register numbers the letter; with one, the number given is recorded")
    func either() throws {
        var drawn = try Walk(numbering: "either")
        try drawn.approved(nominees: [Pemalang.prakomMuda])
        let numbered = try #require(try drawn.issue([:]).event?.detail.letter)
        #expect(numbered.number == "800.1.11.1/1/DISKOMINFO/2025")
        #expect(!numbered.external)
        var given = try Walk(numbering: "either")
        try given.approved(nominees: [Pemalang.prakomMuda])
        let recorded = try #require(try given.issue(["letter_number": .string(Self.srikandi)]).event?.detail.letter)
        #expect(recorded.number == Self.srikandi && recorded.external)
        #expect(recorded.content?["date"] == "2025-03-06", "the step's date when the command gives none")
    }

    @Test("numbering register (the default): a number given with the command is refused, naming the workflow setting")
    func registerOnly() throws {
        var walk = try Walk()
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let refusal = try #require(try walk.issue(["letter_number": .string(Self.srikandi)]).refusal)
        #expect(refusal.code == .invalidField)
        #expect(refusal.message.contains("numbered by its register"))
    }

    @Test("a letter date that is not a date, or after the step, or without a number, is refused", arguments: [
        ["letter_number": .string(srikandi), "letter_date": "5 Maret 2025"],
        ["letter_number": .string(srikandi), "letter_date": "2025-03-07"],
        ["letter_date": "2025-03-05"],
        ["letter_number": .int(45)],
    ] as [[String: JSONValue]])
    func badDate(_ data: [String: JSONValue]) throws {
        var walk = try Walk(numbering: "either")
        try walk.approved(nominees: [Pemalang.prakomMuda])
        let refusal = try #require(try walk.issue(data).refusal)
        #expect(refusal.code == .invalidField)
        #expect(walk.numbering.nextSequence(register: Self.register) == 1)
    }

    @Test("workflow check: an unknown numbering is refused; an external letter needs no number template, a register's does")
    func validation() throws {
        let regulations = try Fixtures.regulations()
        func problems(_ numbering: String, template: Bool) throws -> [String] {
            let document = try Fixtures.workflowDocument { Walk.number(&$0, numbering, template: template) }
            do {
                _ = try WorkflowDefinition.decode(document, source: "w.json", hash: "h", regulations: regulations)
                return []
            } catch {
                return error.problems.map(\.description)
            }
        }
        #expect(try problems("srikandi", template: true).contains { $0.contains("letter.numbering: \"srikandi\" is not a numbering; use \"register\", \"external\", \"either\"") })
        #expect(try problems("external", template: false).isEmpty)
        #expect(try problems("either", template: false).contains { $0.contains("letter.number") && $0.contains("missing") })
    }
}
