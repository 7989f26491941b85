import LintasCore
import TestSupport
import Testing

/// Drives one request through `decide` and `evolve` in memory, as the daemon does.
struct Walk {
    var definition: WorkflowDefinition
    var directory: Directory
    var state: RequestState?
    var events: [Event] = []
    var numbering = MemoryNumbering()
    let request: RequestID
    var counter = 0

    init(_ request: RequestID = "PML-1") throws {
        definition = try Fixtures.pemalangWorkflow()
        directory = try Fixtures.pemalangDirectory()
        self.request = request
    }

    /// Decides a command and, when accepted, folds its events into the state.
    @discardableResult
    mutating func run(_ action: String, by actor: String, at time: String, _ data: [String: JSONValue] = [:],
                      workflow: WorkflowID? = nil, now: String = "2025-06-30T12:00:00+07:00") throws -> Decision {
        counter += 1
        let command = Command(id: CommandID("c\(counter)"), request: request, workflow: workflow ?? (state == nil ? definition.id : nil),
                              action: action, actor: NIP(actor), at: .wib(time), data: data)
        let decision = decide(DecisionInput(command: command, state: state, definition: definition, directory: directory,
                                            at: .wib(time), now: .wib(now)), numbering: &numbering)
        if case .accepted(let new) = decision {
            for event in new { state = try RequestState.evolve(state, event) }
            events += new
        }
        return decision
    }

    static let contents: [String: JSONValue] = [
        "target_unit": "diskominfo-aptika",
        "purpose": "Membangun dasbor surveilans penyakit menular",
        "competence": "Pengembangan aplikasi web dan basis data",
        "performance_target": "Dasbor berjalan di 22 Puskesmas",
        "duration": .object(["start": "2025-07-01", "end": "2025-12-31"]),
    ]
}

extension Decision {
    var refusal: Refusal? {
        if case .refused(let refusal) = self { return refusal }
        return nil
    }

    var event: Event? {
        if case .accepted(let events) = self { return events.first }
        return nil
    }
}

@Suite("decide and evolve on Perbup Pemalang 38/2023 Pasal 11 ayat (4), in memory")
struct DecideTests {
    @Test("Pasal 11 ayat (4) huruf a–e: request, recommendation, approval, letter, acceptance by each nominee")
    func fullProcedure() throws {
        var walk = try Walk()
        // a. the owner unit head sends the surat permohonan pelibatan
        let submitted = try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        #expect(submitted.event?.state == "requested")
        #expect(submitted.event?.detail.fields["owner_unit"] == "dinkes-p2p", "the owner unit is the one the actor heads")
        #expect(submitted.event?.detail.definition == "test-hash", "the request is pinned to its definition")
        // b. the Kepala Perangkat Daerah where the employees are recommends
        #expect(try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00").event?.state == "recommended")
        // c. the unit head drafts the surat penugasan naming the nominees ...
        let approved = try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00",
                                    ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomPertama)])])
        #expect(approved.event?.state == "approved")
        // ... approved and issued by the Kepala Perangkat Daerah, numbered in its register
        let issued = try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00")
        #expect(issued.event?.detail.letter?.number == "800.1.11.1/1/DISKOMINFO/2025")
        #expect(issued.event?.detail.letter?.register == "diskominfo/800.1.11.1/2025")
        // e. each nominee accepts; the request ends when the last one has
        #expect(try walk.run("accept", by: Pemalang.prakomMuda, at: "2025-03-07T09:00:00+07:00").event?.state == "letter_issued")
        let awaiting = walk.definition.awaiting(walk.state!, directory: walk.directory, on: CivilDate(iso: "2025-03-07")!)
        #expect(awaiting.flatMap(\.holders).map(\.nip.rawValue) == [Pemalang.prakomPertama], "only the nominee who has not accepted is awaited")
        #expect(try walk.run("accept", by: Pemalang.prakomPertama, at: "2025-03-07T10:00:00+07:00").event?.state == "accepted")
        let state = try #require(walk.state)
        #expect(state.version == 6)
        #expect(state.participants["accept"]?.map(\.rawValue) == [Pemalang.prakomMuda, Pemalang.prakomPertama])
        #expect(walk.definition.awaiting(state, directory: walk.directory, on: CivilDate(iso: "2025-03-08")!).isEmpty)
        #expect(walk.events.map { $0.detail.article } == [
            "Pasal 11 ayat (4) huruf a", "Pasal 11 ayat (4) huruf b", "Pasal 11 ayat (4) huruf c",
            "Pasal 11 ayat (4) huruf c", "Pasal 11 ayat (4) huruf e", "Pasal 11 ayat (4) huruf e",
        ].map { "\($0) Perbup Pemalang 38/2023" })
        #expect(try RequestState.replay(walk.events) == state, "replaying the events gives the same state")
    }

    @Test("An event cites its transition's article as the definition stands: written once, and again when the transitions change")
    func eventCitesChangedArticle() throws {
        var walk = try Walk()
        let submit = try #require(walk.definition.transitions.firstIndex { $0.action == "submit" })
        walk.definition.transitions[submit].article = "Pasal 11 ayat (5)"
        let submitted = try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        #expect(submitted.event?.detail.article == "Pasal 11 ayat (5) Perbup Pemalang 38/2023")
        #expect(submitted.event?.detail.article == walk.definition.cite(walk.definition.transitions[submit].article))
    }

    @Test("Pasal 11 ayat (4) huruf d: the Kepala Perangkat Daerah refuses, and must give the reason")
    func rejectionNeedsReason() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        let withoutReason = try walk.run("reject", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00", ["reason": "  "])
        #expect(withoutReason.refusal?.code == .missingField)
        #expect(withoutReason.refusal?.article == "Pasal 11 ayat (4) huruf d Perbup Pemalang 38/2023")
        let rejected = try walk.run("reject", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00", ["reason": "Pegawai sedang penuh"])
        #expect(rejected.event?.state == "rejected")
        #expect(walk.state?.fields["reason"] == "Pegawai sedang penuh")
        let after = try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-05T09:00:00+07:00")
        #expect(after.refusal?.code == .requestClosed)
    }

    @Test("A required text of whitespace in any script is missing; one that begins with a character outside ASCII is given")
    func blankTextInAnyScript() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        for blank in ["\t", "\u{00A0}", "\u{3000} \u{2003}", "\r\n", ""] {
            let refused = try walk.run("reject", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00", ["reason": .string(blank)])
            #expect(refused.refusal?.code == .missingField, "reason \(blank.unicodeScalars.map(\.value))")
        }
        let rejected = try walk.run("reject", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00", ["reason": "\u{201C}Pegawai sedang penuh\u{201D}"])
        #expect(rejected.event?.state == "rejected")
    }

    @Test("Pasal 11 ayat (6): the request letter must carry purpose, competence, target and duration")
    func requestContents() throws {
        var walk = try Walk()
        var contents = Walk.contents
        contents["performance_target"] = nil
        contents["duration"] = nil
        let refusal = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents).refusal)
        #expect(refusal.code == .missingField)
        #expect(refusal.message.contains("performance_target (Ekspektasi/target kinerja, Pasal 11 ayat (6) huruf c)"))
        #expect(refusal.message.contains("duration (Durasi pelibatan, Pasal 11 ayat (6) huruf d)"))
        #expect(walk.state == nil, "nothing is half-applied")
        contents = Walk.contents
        contents["duration"] = .object(["start": "2025-12-31", "end": "2025-07-01"])
        #expect(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents).refusal?.message.contains("ends (2025-07-01) before it starts") == true)
    }

    @Test("the fields missing, and those given wrongly, are named in the order the transition declares them, whatever order the command gives them in")
    func fieldsNamedInTheirOrder() throws {
        // The command's fields are read in the order its dictionary keeps them, which differs from run to run and
        // between dictionaries of different capacities: the refusal does not.
        for capacity in 0..<6 {
            var contents = Walk.contents
            contents.reserveCapacity(Walk.contents.count << capacity)
            contents["competence"] = "  "
            contents["performance_target"] = nil
            var walk = try Walk()
            let missing = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents).refusal)
            #expect(missing.code == .missingField)
            let competence = try #require(missing.message.range(of: "competence ("))
            let target = try #require(missing.message.range(of: "performance_target ("))
            #expect(competence.lowerBound < target.lowerBound, "\(missing.message)")

            contents = Walk.contents
            contents.reserveCapacity(Walk.contents.count << capacity)
            contents["target_unit"] = "nowhere"
            contents["purpose"] = .int(5)
            contents["duration"] = "2025"
            let invalid = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents).refusal)
            #expect(invalid.code == .invalidField)
            let named = ["target_unit (", "purpose (", "duration ("].map { invalid.message.range(of: $0)?.lowerBound }
            #expect(named.allSatisfy { $0 != nil } && named.compactMap { $0 } == named.compactMap { $0 }.sorted(), "\(invalid.message)")
            #expect(walk.state == nil, "nothing is half-applied")
        }
    }

    @Test("a role of the definition changed after it was read is the one a step resolves: the role of each transition is found again")
    func changedRoleResolved() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        let role = try #require(walk.definition.roles["kepala_pd_dituju"])
        walk.definition.roles["kepala_pd_dituju"]?.expression = try RoleExpression.parse("head(owner_unit)").get()
        #expect(try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00").refusal?.code == .wrongActor)
        #expect(try walk.run("recommend", by: Pemalang.kabidP2P, at: "2025-03-04T09:00:00+07:00").event?.state == "recommended")
        walk.definition.roles["kepala_pd_dituju"] = role
        #expect(try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00",
                             ["nominees": .array([.string(Pemalang.prakomMuda)])]).event?.state == "approved")
    }

    @Test("a text field's limit counts characters, not bytes; a period has exactly a start and an end")
    func textLengthAndPeriodShape() throws {
        var contents = Walk.contents
        for extra in [["start": "2025-07-01", "end": "2025-12-31", "until": "2025-12-31"], ["start": "2025-07-01"]] as [[String: JSONValue]] {
            contents["duration"] = .object(extra)
            var walk = try Walk()
            let refusal = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents).refusal)
            #expect(refusal.code == .invalidField)
            #expect(refusal.message.contains("duration (Durasi pelibatan): expected {\"start\": \"YYYY-MM-DD\", \"end\": \"YYYY-MM-DD\"}"))
        }
        contents = Walk.contents
        // "reference" (in a definition stored before letters cited each other) takes at most 200 characters; "é" is two bytes in UTF-8.
        contents["reference"] = .string(String(repeating: "é", count: 200))
        var walk = try Walk()
        walk.definition = try Fixtures.pemalangWorkflowWithReference()
        let accepted = try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents)
        #expect(accepted.event?.detail.fields["reference"] == contents["reference"])
        contents["reference"] = .string(String(repeating: "é", count: 201))
        walk = try Walk()
        walk.definition = try Fixtures.pemalangWorkflowWithReference()
        let refusal = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", contents).refusal)
        #expect(refusal.code == .invalidField)
        #expect(refusal.message == "reference (Nomor surat permohonan): longer than 200 characters")
    }

    @Test("Pasal 11 ayat (4) huruf b: only the Kepala Perangkat Daerah dituju recommends")
    func wrongActor() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        let refusal = try #require(try walk.run("recommend", by: Pemalang.kabidAptika, at: "2025-03-04T09:00:00+07:00").refusal)
        #expect(refusal.code == .wrongActor)
        #expect(refusal.message.contains("Agus Setiawan"), "the message names who should act")
        #expect(refusal.article == "Pasal 11 ayat (4) huruf b Perbup Pemalang 38/2023")
        let stranger = try #require(try walk.run("recommend", by: "199001012015031001", at: "2025-03-04T09:00:00+07:00").refusal)
        #expect(stranger.code == .unknownActor)
        // Who acts is checked before what they sent: a stranger's incomplete request letter is refused as a stranger's.
        var incomplete = Walk.contents
        incomplete["purpose"] = nil
        var fresh = try Walk()
        let strangerSubmits = try #require(try fresh.run("submit", by: "199001012015031001", at: "2025-03-03T09:00:00+07:00", incomplete).refusal)
        #expect(strangerSubmits.code == .unknownActor)
        #expect(strangerSubmits.message.contains("NIP 199001012015031001 is not in the org directory in force on 2025-03-03"))
    }

    @Test("Pasal 11 ayat (4) huruf a: only a unit head submits, and not to their own unit")
    func submitter() throws {
        var walk = try Walk()
        let employee = try #require(try walk.run("submit", by: Pemalang.prakomMuda, at: "2025-03-03T09:00:00+07:00", Walk.contents).refusal)
        #expect(employee.code == .wrongActor)
        #expect(employee.message.contains("heads no Perangkat Daerah or Unit Organisasi"))
        var ownUnit = Walk.contents
        ownUnit["target_unit"] = "dinkes-p2p"
        let own = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", ownUnit).refusal)
        #expect(own.code == .invalidField)
        #expect(own.message.contains("it must be a unit other than owner_unit"))
    }

    @Test("Pasal 11 ayat (4) huruf c: nominees sit in the target unit and are Pejabat Fungsional or Pelaksana")
    func nominees() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00")
        let outsider = try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00", ["nominees": .array([.string(Pemalang.statistisi)])])
        #expect(outsider.refusal?.message.contains("does not sit in Bidang Aplikasi Informatika") == true)
        let head = try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00", ["nominees": .array([.string(Pemalang.kabidAptika)])])
        #expect(head.refusal?.message.contains("administrator position") == true)
        let twice = try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00",
                                 ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomMuda)])])
        #expect(twice.refusal?.message.contains("named twice") == true)
        let pppk = try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00", ["nominees": .array([.string(Pemalang.pppkPelaksana)])])
        #expect(pppk.event?.state == "approved", "a PPPK pelaksana may be assigned")
    }

    @Test("a NIP named twice among the nominees is the first that repeats an earlier one, in a short list and in a list longer than 16")
    func nomineeNamedTwice() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00")
        func approve(_ nips: [String]) throws -> Refusal? {
            try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00", ["nominees": .array(nips.map { .string($0) })]).refusal
        }
        let short = try #require(try approve([Pemalang.prakomMuda, Pemalang.prakomPertama, Pemalang.prakomPertama, Pemalang.prakomMuda]))
        #expect(short.code == .invalidField)
        #expect(short.message == "nominees (Pejabat Fungsional/Pelaksana yang ditugaskan): NIP \(Pemalang.prakomPertama) is named twice")
        let everyone = [Pemalang.bupati, Pemalang.sekda, Pemalang.kabagOrganisasi, Pemalang.analisKelembagaan, Pemalang.kadisKominfo,
                        Pemalang.kabidAptika, Pemalang.prakomMuda, Pemalang.prakomPertama, Pemalang.pppkPelaksana, Pemalang.kabidStatistik,
                        Pemalang.statistisi, Pemalang.kadinkes, Pemalang.kabidP2P, Pemalang.epidemiologPertama, Pemalang.pltKepalaBKPSDM,
                        Pemalang.kabidKompetensi, Pemalang.analisSDMPPPK]
        #expect(everyone.count == 17 && Set(everyone).count == 17)
        let long = try #require(try approve(everyone + [Pemalang.kadinkes, Pemalang.sekda]))
        #expect(long.message == "nominees (Pejabat Fungsional/Pelaksana yang ditugaskan): NIP \(Pemalang.kadinkes) is named twice")
        let early = try #require(try approve([Pemalang.sekda, Pemalang.sekda] + everyone))
        #expect(early.message == "nominees (Pejabat Fungsional/Pelaksana yang ditugaskan): NIP \(Pemalang.sekda) is named twice")
        let unknown = try #require(try approve(everyone + ["199001012015031001", Pemalang.sekda]))
        #expect(unknown.message.hasPrefix("nominees (Pejabat Fungsional/Pelaksana yang ditugaskan): NIP 199001012015031001 is not in the org directory in force"))
    }

    @Test("a step's fields are kept as given: text, units, NIPs and a period, the same values as the command's")
    func fieldsKeptAsGiven() throws {
        var walk = try Walk()
        let submitted = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents).event)
        for (name, value) in Walk.contents { #expect(submitted.detail.fields[name] == value, "\(name)") }
        try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00")
        let nominees: JSONValue = .array([.string(Pemalang.prakomPertama), .string(Pemalang.prakomMuda)])
        let approved = try #require(try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00", ["nominees": nominees]).event)
        #expect(approved.detail.fields["nominees"] == nominees)
        #expect(walk.state?.fields["nominees"] == nominees && walk.state?.fields["duration"] == Walk.contents["duration"])
    }

    @Test("an action the current state does not allow is refused, naming what is allowed")
    func actionNotAllowed() throws {
        var walk = try Walk()
        let before = try #require(try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00").refusal)
        #expect(before.code == .unknownRequest)
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        let early = try #require(try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00").refusal)
        #expect(early.code == .actionNotAllowed)
        #expect(early.hint == "Allowed now: recommend, reject.")
        let again = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-04T09:00:00+07:00", Walk.contents).refusal)
        #expect(again.code == .requestExists)
        #expect(try walk.run("withdraw", by: Pemalang.kabidP2P, at: "2025-03-04T09:00:00+07:00").refusal?.code == .unknownAction)
        #expect(try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00", ["catatan": "x"]).refusal?.code == .invalidField)
    }

    @Test("a step dated before the regulation is in force, in the future, or before the previous step is refused")
    func dates() throws {
        var walk = try Walk()
        let early = try #require(try walk.run("submit", by: Pemalang.kabidP2P, at: "2023-10-24T09:00:00+07:00", Walk.contents).refusal)
        #expect(early.code == .notInForce)
        #expect(early.message.contains("in force from 25 Oktober 2023"))
        let future = try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-07-30T09:00:00+07:00", Walk.contents)
        #expect(future.refusal?.code == .futureTime)
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        let backwards = try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-02T09:00:00+07:00")
        #expect(backwards.refusal?.code == .outOfOrder)
    }

    @Test("a Plt acts validly only inside the dates of the appointment, and the event records the capacity")
    func actingOfficial() throws {
        func walkToBKPSDM(rejectOn date: String) throws -> Decision {
            var walk = try Walk()
            var contents = Walk.contents
            contents["target_unit"] = "bkpsdm-kompetensi"
            try walk.run("submit", by: Pemalang.kabagOrganisasi, at: "2024-12-20T09:00:00+07:00", contents)
            return try walk.run("reject", by: Pemalang.pltKepalaBKPSDM, at: date, ["reason": "Sedang seleksi PPPK"], now: "2027-02-01T12:00:00+07:00")
        }
        let inside = try walkToBKPSDM(rejectOn: "2025-03-04T09:00:00+07:00")
        let event = try #require(inside.event)
        #expect(event.detail.capacity == .plt)
        #expect(event.detail.actorTitle == "Plt. Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia")
        #expect(event.detail.position == "kepala-bkpsdm")
        let before = try walkToBKPSDM(rejectOn: "2025-01-01T09:00:00+07:00")
        #expect(before.refusal?.code == .noOfficeholder, "vacant and the Plt not yet appointed")
        let after = try walkToBKPSDM(rejectOn: "2027-01-04T09:00:00+07:00")
        #expect(after.refusal?.code == .noOfficeholder, "the appointment has ended")
    }

    @Test("moving an employee after a decision does not change the replay of that decision")
    func directoryChangesDoNotRewriteHistory() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00")
        let replayed = try RequestState.replay(walk.events)
        // The Kepala Dinas moves: a new directory version in which someone else heads Diskominfo.
        let moved = try Directory.decode(try Fixtures.directoryDocument { members in
            members["effective_from"] = "2025-04-01"
            var employees = members["employees"]!.arrayValue!.map { $0.objectValue! }
            let index = employees.firstIndex { $0["nip"] == .string(Pemalang.kadisKominfo) }!
            employees[index]["position"] = "inspektur"
            employees.removeAll { $0["position"] == "inspektur" && $0["nip"] != .string(Pemalang.kadisKominfo) }
            members["employees"] = .array(employees.map(JSONValue.object))
        }, source: "moved.json")
        walk.directory = moved
        #expect(try RequestState.replay(walk.events) == replayed, "evolve reads only the events")
        #expect(walk.events[1].detail.actorTitle == "Kepala Dinas Komunikasi dan Informatika", "the title at the time is frozen in the event")
        // New decisions use the new directory: the Kepala Dinas post is now vacant.
        let next = try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-04-02T09:00:00+07:00", ["nominees": .array([.string(Pemalang.prakomMuda)])])
        #expect(next.event != nil, "the unit head still heads Bidang Aptika")
        let letter = try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-04-03T09:00:00+07:00")
        #expect(letter.refusal?.code == .noOfficeholder)
    }

    @Test("each nominee accepts once")
    func acceptOnce() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        try walk.run("recommend", by: Pemalang.kadisKominfo, at: "2025-03-04T09:00:00+07:00")
        try walk.run("approve", by: Pemalang.kabidAptika, at: "2025-03-05T09:00:00+07:00",
                     ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomPertama)])])
        try walk.run("issue_letter", by: Pemalang.kadisKominfo, at: "2025-03-06T09:00:00+07:00")
        try walk.run("accept", by: Pemalang.prakomMuda, at: "2025-03-07T09:00:00+07:00")
        #expect(try walk.run("accept", by: Pemalang.prakomMuda, at: "2025-03-07T10:00:00+07:00").refusal?.code == .alreadyDone)
        #expect(try walk.run("accept", by: Pemalang.statistisi, at: "2025-03-07T10:00:00+07:00").refusal?.code == .wrongActor)
    }

    @Test("events and states encode to canonical JSON and read back unchanged")
    func encodingRoundTrip() throws {
        var walk = try Walk()
        try walk.run("submit", by: Pemalang.kabidP2P, at: "2025-03-03T09:00:00+07:00", Walk.contents)
        let event = walk.events[0]
        #expect(try Event.Detail(json: try JSONValue.parse(event.detail.json.canonicalText)) == event.detail)
        let state = try #require(walk.state)
        #expect(try RequestState(json: try JSONValue.parse(state.json.canonicalText)) == state)
        #expect(String(decoding: event.canonicalBytes, as: UTF8.self).hasPrefix(#"{"action":"submit","actor":"\#(Pemalang.kabidP2P)","at":"#))
    }
}
