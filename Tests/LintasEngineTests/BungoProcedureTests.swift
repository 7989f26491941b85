import LintasCore
import TestSupport
import Testing

/// What this file's walks share beside the people (TestSupport.Bungo).
fileprivate extension Bungo {
    static let regulation = "Perbup Bungo 15/2024"
    static let contents = requestContents(purpose: "Dasbor surveilans penyakit menular",
                                          competence: "Epidemiologi lapangan dan analisis data",
                                          target: "Laporan mingguan dari 19 Puskesmas", duration: period("2025-04-01", "2025-09-30"))
}

@Suite("Perbup Bungo 15/2024: every procedure, walked through the daemon and a real SQLite file")
struct BungoProcedureTests {
    // MARK: Pasal 6 ayat (2)

    @Test("Pasal 6 ayat (2): the Pimpinan Unit Organisasi appoints within the unit directly; each nominee accepts the surat penugasan")
    func appointmentWithinUnit() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-62", workflow: "bungo.penunjukan.dalam-uo")
        #expect(try walk.take("assign", by: Bungo.kabidAptika, on: "2025-03-03", [
            "nominees": nips(Bungo.prakomMuda, Bungo.prakomTerampilPPPK), "purpose": "Aplikasi antrean Puskesmas",
            "duration": period("2025-03-10", "2025-08-31"),
        ]) == nil)
        #expect(try walk.current?.letters.map(\.number) == ["800.1.11.1/1/DISKOMINFO/2025"])
        #expect(try walk.take("accept", by: Bungo.prakomPertama, on: "2025-03-04")?.code == .wrongActor, "not among the nominees")
        #expect(try walk.take("accept", by: Bungo.prakomMuda, on: "2025-03-04") == nil)
        #expect(try walk.take("accept", by: Bungo.prakomTerampilPPPK, on: "2025-03-05") == nil)
        #expect(try walk.state == "accepted")
    }

    @Test("Perbup Bungo 15/2024 is in force from 29 May 2024 (Pasal 31): a request dated the day before is refused")
    func notInForceBefore29May2024() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-31", workflow: "bungo.penunjukan.dalam-uo")
        let data: [String: JSONValue] = ["nominees": nips(Bungo.prakomMuda), "purpose": "Aplikasi antrean", "duration": period("2024-06-01", "2024-06-30")]
        let early = try walk.take("assign", by: Bungo.kabidAptika, on: "2024-05-28", data)
        #expect(early?.code == .notInForce)
        #expect(early?.message.contains("2024") == true)
        #expect(try walk.state == nil)
        #expect(try walk.take("assign", by: Bungo.kabidAptika, on: "2024-05-29", data) == nil)
    }

    // MARK: Pasal 6 ayat (3)

    /// The Kepala Bidang Aplikasi Informatika's request for one employee of the Bidang P2P, with the contents of Pasal 6 ayat (5).
    private func acrossUnits(nominee: String) -> [String: JSONValue] {
        Bungo.contents.merging(["target_unit": "dinkes-p2p", "nominee": .string(nominee)]) { _, new in new }
    }

    @Test("Pasal 6 ayat (3) huruf a–e: the target PPK answers first, then the UO head recommends, then the PPK drafts the surat penugasan")
    func appointmentAcrossUnits() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-63", workflow: "bungo.penunjukan.lintas-uo")
        #expect(try walk.take("submit", by: Bungo.kabidAptika, on: "2025-03-03", acrossUnits(nominee: Bungo.epidemiologPertama)) == nil)
        let recommendFirst = try walk.take("recommend", by: Bungo.kabidP2P, on: "2025-03-04")
        #expect(recommendFirst?.code == .actionNotAllowed, "unlike Pemalang, the recommendation follows the PPK's answer")
        let headAnswers = try walk.take("agree", by: Bungo.kabidP2P, on: "2025-03-04")
        #expect(headAnswers?.code == .wrongActor, "the nominee sits in a Seksi: the Kepala Seksi is the PPK")
        #expect(headAnswers?.article == "Pasal 6 ayat (3) huruf b dan huruf c \(Bungo.regulation)")
        #expect(try walk.take("agree", by: Bungo.kasiSurveilans, on: "2025-03-04") == nil)
        #expect(try walk.take("recommend", by: Bungo.kabidP2P, on: "2025-03-05") == nil)
        #expect(try walk.take("issue_letter", by: Bungo.kasiSurveilans, on: "2025-03-06") == nil)
        #expect(try walk.take("accept", by: Bungo.epidemiologPertama, on: "2025-03-07") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.events().map(\.detail.role) == ["pimpinan_uo_pemilik", "ppk_dituju", "pimpinan_uo_dituju", "ppk_dituju", "pegawai_ditugaskan"])
        let numbers = try walk.current?.letters.map(\.number)
        #expect(numbers == ["800.1.11.1/1/DISKOMINFO/2025", "800.1.11.1/1/DINKES/2025"], "the surat permohonan (huruf a), the surat penugasan (huruf c)")
    }

    @Test("Pasal 6 ayat (3) huruf d: the PPK refuses only with the reason why it cannot agree")
    func appointmentAcrossUnitsRefusedWithReason() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-63", workflow: "bungo.penunjukan.lintas-uo")
        var blank = acrossUnits(nominee: Bungo.epidemiologMuda)
        blank["competence"] = " "
        #expect(try walk.take("submit", by: Bungo.kabidAptika, on: "2025-03-03", blank)?.code == .missingField)
        #expect(try walk.take("submit", by: Bungo.kabidAptika, on: "2025-03-03", acrossUnits(nominee: Bungo.epidemiologMuda)) == nil)
        let bare = try walk.take("reject", by: Bungo.kabidP2P, on: "2025-03-04")
        #expect(bare?.code == .missingField)
        #expect(bare?.article == "Pasal 6 ayat (3) huruf d \(Bungo.regulation)")
        // An Ahli Muda placed directly in the Bidang: the Kepala Bidang is the PPK (Pasal 25 ayat (2) huruf b).
        #expect(try walk.take("reject", by: Bungo.kabidP2P, on: "2025-03-04", ["reason": "Sedang menangani KLB campak"]) == nil)
        #expect(try walk.state == "rejected")
        #expect(try walk.current?.fields["reason"] == "Sedang menangani KLB campak")
    }

    // MARK: Pasal 6 ayat (4)

    @Test("Pasal 6 ayat (4) huruf a–e: UO head → PyB Bungo → PyB Tebo instructs the PPK → UO head recommends → PPK answers with the list → PyB replies → UO head issues the letter → each accepts")
    func appointmentAcrossAgencies() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-64", workflow: "bungo.penunjukan.lintas-instansi")
        #expect(try walk.take("submit", by: Bungo.kabidP2P, on: "2025-03-03", Bungo.contents.merging(["target_agency": "tebo"]) { _, new in new }) == nil)
        #expect(try walk.take("forward", by: Bungo.sekda, on: "2025-03-04") == nil)
        #expect(try walk.take("instruct", by: Bungo.sekdaTebo, on: "2025-03-05", ["target_unit": "tebo-dinkes-p2p-surveilans"]) == nil)
        let answerFirst = try walk.take("answer_available", by: Bungo.kasiSurveilansTebo, on: "2025-03-06", [
            "nominees": nips(Bungo.epidemiologTebo, Bungo.epidemiologTeboPPPK),
        ])
        #expect(answerFirst?.code == .actionNotAllowed, "the PPK answers with the recommendation of the UO head (huruf d)")
        #expect(try walk.take("recommend", by: Bungo.kabidP2PTebo, on: "2025-03-06") == nil)
        #expect(try walk.take("answer_available", by: Bungo.kasiSurveilansTebo, on: "2025-03-07", [
            "nominees": nips(Bungo.epidemiologTebo, Bungo.epidemiologTeboPPPK),
        ]) == nil)
        #expect(try walk.take("approve_answer", by: Bungo.sekdaTebo, on: "2025-03-10") == nil)
        let kepalaPD = try walk.take("issue_letter", by: Bungo.kadinkesTebo, on: "2025-03-11")
        #expect(kepalaPD?.code == .wrongActor, "in Bungo the Pimpinan Unit Organisasi issues the surat penugasan, not the Kepala PD")
        #expect(try walk.take("issue_letter", by: Bungo.kabidP2PTebo, on: "2025-03-11") == nil)
        let letter = try signerAndCopies(of: walk)
        #expect(letter.signer == Bungo.kabidP2PTebo)
        #expect(letter.copies == [[Bungo.sekdaTebo], [Bungo.kasiSurveilansTebo], [Bungo.sekda]],
                "tembusan: PyB of this agency, the PPK concerned, PyB of the requesting agency (huruf e angka 3)")
        #expect(try walk.take("accept", by: Bungo.epidemiologTebo, on: "2025-03-12") == nil)
        #expect(try walk.take("accept", by: Bungo.epidemiologTeboPPPK, on: "2025-03-12") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.events().map(\.detail.role) == ["pimpinan_uo_pemilik", "pyb_pemohon", "pyb_dituju", "pimpinan_uo_dituju", "ppk_dituju",
                                                         "pyb_dituju", "pimpinan_uo_dituju", "pegawai_ditugaskan", "pegawai_ditugaskan"])
        let numbers = try walk.current?.letters.map(\.number)
        #expect(numbers == [
            "800.1.11.1/1/DINKES/2025", "800.1.11.1/1/BUNGO/2025", "800.1.11.1/1/TEBO/2025", "800.1.11.1/1/DINKES.TEBO/2025",
        ], "the surat permohonan of huruf a, the one the PyB forwards (huruf b), the answer (huruf e angka 1), the surat penugasan (angka 3)")

        let places = try walk.letters().compactMap { $0.content?["place"]?.stringValue }
        #expect(places == ["Bungo", "Bungo", "Tebo", "Tebo"],
                "each letter is dated where its signing office's instansi sits: Tebo's answer and surat penugasan in Tebo, not Bungo")
    }

    @Test("Pasal 6 ayat (4) huruf b–c: the requesting PyB forwards and the target PyB answers; a refusal carries its reason")
    func appointmentAcrossAgenciesRefused() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-64", workflow: "bungo.penunjukan.lintas-instansi")
        #expect(try walk.take("submit", by: Bungo.kabidP2P, on: "2025-03-03", Bungo.contents.merging(["target_agency": "tebo"]) { _, new in new }) == nil)
        #expect(try walk.take("forward", by: Bungo.sekdaTebo, on: "2025-03-04")?.code == .wrongActor)
        #expect(try walk.take("forward", by: Bungo.sekda, on: "2025-03-04") == nil)
        #expect(try walk.take("reject", by: Bungo.sekda, on: "2025-03-05", ["reason": "-"])?.code == .wrongActor)
        #expect(try walk.take("reject", by: Bungo.sekdaTebo, on: "2025-03-05")?.code == .missingField)
        #expect(try walk.take("reject", by: Bungo.sekdaTebo, on: "2025-03-05", ["reason": "Tenaga epidemiolog sedang dikerahkan ke KLB"]) == nil)
        #expect(try walk.state == "rejected")
    }

    // MARK: Pasal 7

    @Test("Pasal 7 ayat (2): sukarela within the unit: oral wish, the UO head agrees and assigns, no Kepala PD step, the applicant accepts")
    func volunteeringWithinUnit() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-72", workflow: "bungo.pengajuan-sukarela.dalam-uo")
        #expect(try walk.take("apply", by: Bungo.epidemiologTerampilPPPK, on: "2025-03-03", ["purpose": "Pendataan imunisasi kejar"]) == nil)
        let kepalaPD = try walk.take("assign", by: Bungo.kadinkes, on: "2025-03-04", ["duration": period("2025-03-10", "2025-05-31")])
        #expect(kepalaPD?.code == .wrongActor)
        #expect(try walk.take("assign", by: Bungo.kabidP2P, on: "2025-03-04", ["duration": period("2025-03-10", "2025-05-31")]) == nil)
        #expect(try walk.take("accept", by: Bungo.epidemiologTerampilPPPK, on: "2025-03-05") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.events().map(\.detail.role) == ["pemohon", "pimpinan_uo", "pemohon"])
    }

    @Test("Pasal 7 ayat (2) huruf b: the Plh Kepala Bagian Organisasi decides only in March 2025, and the event says Plh")
    func actingHeadDecidesWithinItsDates() throws {
        let harness = try Harness(directory: Bungo.directory)
        let during = Walk(harness, request: "BGO-PLH-1", workflow: "bungo.pengajuan-sukarela.dalam-uo")
        #expect(try during.take("apply", by: Bungo.analisKebijakanPertama, on: "2025-03-10", ["purpose": "Evaluasi kelembagaan UPTD"]) == nil)
        #expect(try during.take("decline", by: Bungo.plhKabagOrganisasi, on: "2025-03-11")?.code == .missingField)
        #expect(try during.take("decline", by: Bungo.plhKabagOrganisasi, on: "2025-03-11", ["reason": "Menunggu hasil evaluasi tahun lalu"]) == nil)
        let decision = try #require(try during.events().last)
        #expect(decision.detail.capacity == .plh)
        #expect(decision.detail.actorTitle == "Plh. Kepala Bagian Organisasi")

        let after = Walk(harness, request: "BGO-PLH-2", workflow: "bungo.pengajuan-sukarela.dalam-uo")
        #expect(try after.take("apply", by: Bungo.analisKebijakanPertama, on: "2025-04-01", ["purpose": "Evaluasi kelembagaan UPTD"]) == nil)
        let expired = try after.take("assign", by: Bungo.plhKabagOrganisasi, on: "2025-04-01", ["duration": period("2025-04-07", "2025-06-30")])
        #expect(expired?.code == .wrongActor)
        #expect(try after.take("assign", by: Bungo.kabagOrganisasi, on: "2025-04-01", ["duration": period("2025-04-07", "2025-06-30")]) == nil)
    }

    @Test("Pasal 7 ayat (3): sukarela across UO: the employee's own surat permohonan (huruf a) to the target UO head; own PPK, own UO head, target UO head; the own UO head issues the surat penugasan citing it, without the Kepala PD")
    func volunteeringAcrossUnits() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-73", workflow: "bungo.pengajuan-sukarela.lintas-uo")
        #expect(try walk.take("apply", by: Bungo.epidemiologPertama, on: "2025-03-03", [
            "target_unit": "diskominfo-aptika", "purpose": "Uji coba aplikasi pelaporan imunisasi", "duration": period("2025-04-01", "2025-06-30"),
        ]) == nil)
        #expect(try walk.take("approve_own_head", by: Bungo.kabidP2P, on: "2025-03-04")?.code == .actionNotAllowed)
        #expect(try walk.take("approve_appraiser", by: Bungo.kasiSurveilans, on: "2025-03-04") == nil)
        #expect(try walk.take("approve_own_head", by: Bungo.kabidP2P, on: "2025-03-05") == nil)
        #expect(try walk.take("approve", by: Bungo.kabidAptika, on: "2025-03-06") == nil)
        #expect(try walk.take("issue_letter", by: Bungo.kadinkes, on: "2025-03-07")?.code == .wrongActor)
        #expect(try walk.take("issue_letter", by: Bungo.kabidP2P, on: "2025-03-07") == nil)
        #expect(try walk.take("accept", by: Bungo.epidemiologPertama, on: "2025-03-08") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.events().map(\.detail.role) == ["pemohon", "ppk_pemohon", "pimpinan_uo_pemohon", "pimpinan_uo_dituju", "pimpinan_uo_pemohon", "pemohon"])
        #expect(try walk.current?.letters.map(\.number) == ["", "800.1.11.1/1/DINKES/2025"], "the employee's letter draws nothing from the Dinkes register")
        try expectEmployeeApplication(of: walk, signedBy: Bungo.epidemiologPertama, addressedTo: "Kepala Bidang Aplikasi Informatika",
                                      article: "Pasal 7 ayat (3) huruf a")
    }

    @Test("Pasal 7 ayat (1): a pengajuan sukarela stays within the agency and goes to another organisational unit")
    func volunteeringAcrossUnitsTarget() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-73", workflow: "bungo.pengajuan-sukarela.lintas-uo")
        let data: (JSONValue) -> [String: JSONValue] = { ["target_unit": $0, "purpose": "Surveilans", "duration": period("2025-04-01", "2025-06-30")] }
        #expect(try walk.take("apply", by: Bungo.epidemiologPertama, on: "2025-03-03", data("dinkes-p2p"))?.code == .invalidField)
        #expect(try walk.take("apply", by: Bungo.epidemiologPertama, on: "2025-03-03", data("tebo-dinkes-p2p"))?.code == .invalidField)
        #expect(try walk.take("apply", by: Bungo.epidemiologPertama, on: "2025-03-03", data("dinkes-yankes")) == nil)
        #expect(try walk.take("approve_appraiser", by: Bungo.kasiSurveilans, on: "2025-03-04") == nil)
        #expect(try walk.take("refuse_own_head", by: Bungo.kabidP2P, on: "2025-03-05", ["reason": "Musim KLB DBD"]) == nil)
        #expect(try walk.state == "declined")
    }

    // MARK: Pasal 9

    @Test("Pasal 9 ayat (1)-(4): in a unit of two levels a Pengawas leads; members from other units; the Kepala PD sets the surat tugas; all accept")
    func teamWithPengawasLead() throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-9", workflow: "bungo.pembentukan-tim.lintas-uo")
        #expect(try walk.take("appoint", by: Bungo.kabidP2P, on: "2025-03-03", [
            "lead": .string(Bungo.kasiSurveilans), "members": nips(Bungo.epidemiologPertama, Bungo.prakomMuda),
            "purpose": "Sistem peringatan dini KLB", "duration": period("2025-04-01", "2025-12-31"),
        ]) == nil)
        #expect(try walk.take("issue_letter", by: Bungo.kabidP2P, on: "2025-03-04")?.code == .wrongActor)
        #expect(try walk.take("issue_letter", by: Bungo.kadinkes, on: "2025-03-04") == nil)
        #expect(try walk.take("accept_lead", by: Bungo.kasiSurveilans, on: "2025-03-05") == nil)
        #expect(try walk.take("accept", by: Bungo.epidemiologPertama, on: "2025-03-05") == nil)
        #expect(try walk.take("accept", by: Bungo.prakomMuda, on: "2025-03-06") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.current?.warnings == [])
        #expect(try walk.current?.letters.map(\.number) == ["800.1.11.1/1/DINKES/2025"])
    }

    @Test("Pasal 9 ayat (2): in a Bidang of the Dinas Kesehatan, whose two levels are recorded on the Dinas, a non-Pengawas lead is refused", arguments: [Bungo.epidemiologMuda, Bungo.epidemiologPertama])
    func teamLeadMustBePengawas(lead: String) throws {
        let walk = try Walk(directory: Bungo.directory, request: "BGO-92", workflow: "bungo.pembentukan-tim.lintas-uo")
        let refusal = try walk.take("appoint", by: Bungo.kabidP2P, on: "2025-03-03", [
            "lead": .string(lead), "members": nips(Bungo.epidemiologTerampilPPPK), "purpose": "Sistem peringatan dini KLB",
            "duration": period("2025-04-01", "2025-12-31"),
        ])
        #expect(refusal?.code == .ruleBroken)
        #expect(refusal?.article == "Pasal 9 ayat (2) \(Bungo.regulation)")
        #expect(try walk.state == nil)
    }

    @Test("Pasal 9 ayat (3): with members from other units the lead must come from the owner unit; refused, where Pemalang only warns")
    func teamLeadFromOwnerUnit() throws {
        let harness = try Harness(directory: Bungo.directory)
        let team: (String) -> [String: JSONValue] = { lead in [
            "lead": .string(lead), "members": nips(Bungo.prakomPertama, Bungo.epidemiologPertama), "purpose": "Aplikasi pelaporan imunisasi",
            "duration": period("2025-04-01", "2025-09-30"),
        ] }
        let outsider = Walk(harness, request: "BGO-93-1", workflow: "bungo.pembentukan-tim.lintas-uo")
        let refusal = try outsider.take("appoint", by: Bungo.kabidAptika, on: "2025-03-03", team(Bungo.epidemiologPertama))
        #expect(refusal?.code == .ruleBroken)
        #expect(refusal?.article == "Pasal 9 ayat (3) \(Bungo.regulation)")
        #expect(refusal?.message.contains("Bidang Aplikasi Informatika") == true)
        let own = Walk(harness, request: "BGO-93-2", workflow: "bungo.pembentukan-tim.lintas-uo")
        #expect(try own.take("appoint", by: Bungo.kabidAptika, on: "2025-03-03", team(Bungo.prakomMuda)) == nil)
        #expect(try own.current?.warnings == [])
    }

    // MARK: Pasal 16-29

    @Test("Pasal 16-29: the PPK of each kind of position, from the regulation's rules and the directory", arguments: [
        (Bungo.analisHukumMadya, Bungo.sekda, "Pasal 16 ayat (2) huruf a: Ahli Madya of the Setda under the Sekda (named in the directory)"),
        (Bungo.analisHukumMuda, Bungo.kabagHukum, "Pasal 16 ayat (2) huruf b: Ahli Muda under the Kepala Bagian"),
        (Bungo.perancangMadya, Bungo.sekwan, "Pasal 19 ayat (2) huruf a: Ahli Madya under the Sekretaris DPRD"),
        (Bungo.perancangPertama, Bungo.kabagPersidangan, "Pasal 19 ayat (2) huruf b: Ahli Pertama under the Kepala Bagian"),
        (Bungo.auditorMadya, Bungo.inspektur, "Pasal 22 ayat (2) huruf a: Ahli Madya under the Inspektur"),
        (Bungo.auditorPertamaPPPK, Bungo.inspekturPembantu1, "Pasal 22 ayat (2) huruf b: Ahli Pertama (PPPK) under the Inspektur Pembantu"),
        (Bungo.epidemiologMadya, Bungo.kadinkes, "Pasal 25 ayat (2) huruf a: Ahli Madya under the Kepala Dinas"),
        (Bungo.epidemiologMuda, Bungo.kabidP2P, "Pasal 25 ayat (2) huruf b: Ahli Muda under the Kepala Bidang"),
        (Bungo.epidemiologPertama, Bungo.kasiSurveilans, "Pasal 29 ayat (2) huruf d: Ahli Pertama under the Kepala Seksi"),
        (Bungo.pengadministrasiUmpegPPPK, Bungo.kasubbagUmpeg, "Pasal 28 ayat (2) huruf d: Pelaksana under the Kepala Subbagian"),
        (Bungo.humasPertama, Bungo.kadisKominfo, "Pasal 27 ayat (2) huruf b: in a Dinas of one level, under the Kepala Dinas"),
    ])
    func appraiserOfEachPosition(employee: String, appraiser: String, article: String) throws {
        #expect(try appraisers(of: employee, regency: "bungo") == [appraiser], "\(article)")
    }
}
