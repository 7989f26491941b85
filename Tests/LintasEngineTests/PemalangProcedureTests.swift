import LintasCore
import TestSupport
import Testing

/// What this file's walks share beside the people (TestSupport.Pemalang).
fileprivate extension Pemalang {
    static let regulation = "Perbup Pemalang 38/2023"
    static let contents = requestContents(purpose: "Dasbor surveilans penyakit menular",
                                          competence: "Analisis data statistik dan visualisasi",
                                          target: "Dasbor terbit di 22 Puskesmas", duration: period("2025-07-01", "2025-12-31"))
}

@Suite("Perbup Pemalang 38/2023: the procedures beside Pasal 11 ayat (4), walked through the daemon and a real SQLite file")
struct PemalangProcedureTests {
    // MARK: Pasal 11 ayat (3)

    @Test("Pasal 11 ayat (3): the Pimpinan Unit Organisasi appoints within the unit directly; each nominee accepts")
    func appointmentWithinUnit() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-113", workflow: "pemalang.penunjukan.dalam-uo")
        #expect(try walk.take("assign", by: Pemalang.kabidAptika, on: "2025-03-03", [
            "nominees": nips(Pemalang.prakomMuda, Pemalang.prakomPertama), "purpose": "Pengembangan aplikasi layanan perizinan",
            "duration": period("2025-03-10", "2025-06-30"),
        ]) == nil)
        #expect(try walk.state == "letter_issued")
        #expect(try walk.current?.letters.map(\.number) == ["800.1.11.1/1/DISKOMINFO/2025"])
        #expect(try walk.take("accept", by: Pemalang.prakomMuda, on: "2025-03-04") == nil)
        #expect(try walk.state == "letter_issued", "one nominee of two has accepted")
        #expect(try walk.take("accept", by: Pemalang.prakomPertama, on: "2025-03-04") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.events().map(\.detail.article) == [
            "Pasal 11 ayat (3) \(Pemalang.regulation)", "Pasal 10 ayat (6) \(Pemalang.regulation)", "Pasal 10 ayat (6) \(Pemalang.regulation)",
        ])
    }

    @Test("Pasal 11 ayat (3): only the unit's own people, and only its head, appoint directly")
    func appointmentWithinUnitRefusals() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-113", workflow: "pemalang.penunjukan.dalam-uo")
        let outsider = try walk.take("assign", by: Pemalang.kabidAptika, on: "2025-03-03", [
            "nominees": nips(Pemalang.statistisi), "purpose": "Pengembangan aplikasi", "duration": period("2025-03-10", "2025-06-30"),
        ])
        #expect(outsider?.code == .invalidField)
        #expect(outsider?.message.contains("does not sit in Bidang Aplikasi Informatika") == true)
        let notHead = try walk.take("assign", by: Pemalang.prakomMuda, on: "2025-03-03", [
            "nominees": nips(Pemalang.prakomPertama), "purpose": "Pengembangan aplikasi", "duration": period("2025-03-10", "2025-06-30"),
        ])
        #expect(notHead?.code == .wrongActor)
        #expect(notHead?.article == "Pasal 11 ayat (3) \(Pemalang.regulation)")
        #expect(try walk.state == nil)
    }

    // MARK: Pasal 11 ayat (5)

    /// The Kepala Dinas Kesehatan's request for the Bidang P2P, with the contents of Pasal 11 ayat (6).
    private func acrossAgencies(to agency: JSONValue) -> [String: JSONValue] {
        Pemalang.contents.merging(["owner_unit": "dinkes-p2p", "target_agency": agency]) { _, new in new }
    }

    @Test("Pasal 11 ayat (5) huruf a–e: Kepala PD → PyB → PyB of Kabupaten Pekalongan → UO head answers with the list → PyB replies → Kepala PD there assigns → each accepts")
    func appointmentAcrossAgencies() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-115", workflow: "pemalang.penunjukan.lintas-instansi")
        #expect(try walk.take("submit", by: Pemalang.kadinkes, on: "2025-03-03", acrossAgencies(to: "pekalongan")) == nil)
        #expect(try walk.take("forward", by: Pemalang.sekda, on: "2025-03-04") == nil)
        #expect(try walk.take("instruct", by: Pemalang.sekdaPekalongan, on: "2025-03-06", ["target_unit": "pekalongan-dinkominfo-statistik"]) == nil)
        #expect(try walk.take("answer_available", by: Pemalang.kabidStatistikPekalongan, on: "2025-03-10", [
            "nominees": nips(Pemalang.statistisiPekalongan, Pemalang.prakomPekalonganPPPK),
        ]) == nil)
        #expect(try walk.take("approve_answer", by: Pemalang.sekdaPekalongan, on: "2025-03-11") == nil)
        let noCopy = try walk.take("issue_letter", by: Pemalang.kadisKominfoPekalongan, on: "2025-03-12")
        #expect(noCopy?.code == .missingField, "the staffing department is copied (huruf e angka 3)")
        #expect(try walk.take("issue_letter", by: Pemalang.kadisKominfoPekalongan, on: "2025-03-12", ["staffing_department": "pekalongan-bkpsdm"]) == nil)
        let letter = try signerAndCopies(of: walk)
        #expect(letter.signer == Pemalang.kadisKominfoPekalongan)
        #expect(letter.copies == [[Pemalang.sekdaPekalongan], [Pemalang.kabidStatistikPekalongan], [Pemalang.sekda], [Pemalang.kepalaBKPSDMPekalongan]],
                "tembusan: PyB of this agency, the unit head, PyB of the requesting agency, Kepala PD for kepegawaian")
        #expect(try walk.take("accept", by: Pemalang.statistisiPekalongan, on: "2025-03-13") == nil)
        #expect(try walk.take("accept", by: Pemalang.prakomPekalonganPPPK, on: "2025-03-13") == nil)
        #expect(try walk.state == "accepted")
        let events = try walk.events()
        #expect(events.map(\.detail.role) == ["kepala_pd_pemohon", "pyb_pemohon", "pyb_dituju", "pimpinan_uo_dituju", "pyb_dituju",
                                              "kepala_pd_dituju", "pegawai_ditugaskan", "pegawai_ditugaskan"])
        #expect(events[2].detail.actorTitle == "Sekretaris Daerah Kabupaten Pekalongan")
        let numbers = try walk.current?.letters.map(\.number)
        #expect(numbers == [
            "800.1.11.1/1/DINKES/2025", "800.1.11.1/1/PML/2025", "800.1.11.1/1/PKL/2025", "800.1.11.1/1/DINKOMINFO.PKL/2025",
        ], "the Kepala PD's surat permohonan (huruf a), the PyB's (huruf b), the answer (huruf e angka 1), the surat penugasan (angka 3)")
    }

    @Test("Pasal 11 ayat (5): each office acts for its own agency, a refusal carries its reason, and the target is another agency")
    func appointmentAcrossAgenciesRefusals() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-115", workflow: "pemalang.penunjukan.lintas-instansi")
        #expect(try walk.take("submit", by: Pemalang.kadinkes, on: "2025-03-03", acrossAgencies(to: "pemalang"))?.code == .invalidField)
        #expect(try walk.take("submit", by: Pemalang.kadinkes, on: "2025-03-03", acrossAgencies(to: "pekalongan")) == nil)
        #expect(try walk.take("forward", by: Pemalang.sekda, on: "2025-03-04") == nil)
        let ownPyB = try walk.take("instruct", by: Pemalang.sekda, on: "2025-03-05", ["target_unit": "pekalongan-dinkominfo-statistik"])
        #expect(ownPyB?.code == .wrongActor)
        #expect(ownPyB?.article == "Pasal 11 ayat (5) huruf c \(Pemalang.regulation)")
        let foreignUnit = try walk.take("instruct", by: Pemalang.sekdaPekalongan, on: "2025-03-06", ["target_unit": "diskominfo-statistik"])
        #expect(foreignUnit?.code == .invalidField)
        #expect(try walk.take("instruct", by: Pemalang.sekdaPekalongan, on: "2025-03-06", ["target_unit": "pekalongan-dinkominfo-statistik"]) == nil)
        #expect(try walk.take("answer_unavailable", by: Pemalang.kabidStatistikPekalongan, on: "2025-03-10")?.code == .missingField)
        #expect(try walk.take("answer_unavailable", by: Pemalang.kabidStatistikPekalongan, on: "2025-03-10",
                              ["reason": "Statistisi sedang menyelesaikan sensus pertanian"]) == nil)
        #expect(try walk.take("confirm_unavailable", by: Pemalang.sekdaPekalongan, on: "2025-03-11") == nil)
        #expect(try walk.state == "unavailable")
        #expect(try walk.current?.fields["reason"] == "Statistisi sedang menyelesaikan sensus pertanian")
    }

    @Test("Pasal 11 ayat (2): a unit in another agency is asked by ayat (5), through the Pejabat yang Berwenang, not by ayat (4)")
    func acrossDepartmentsStaysInTheAgency() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-114", workflow: "pemalang.penunjukan.lintas-pd")
        let refusal = try walk.take("submit", by: Pemalang.kabidP2P, on: "2025-03-03",
                                    Pemalang.contents.merging(["target_unit": "pekalongan-dinkominfo-statistik"]) { _, new in new })
        #expect(refusal?.code == .invalidField)
        #expect(refusal?.message.contains("in the same Instansi Pemerintah as owner_unit") == true)
        #expect(try walk.state == nil)
    }

    // MARK: Pasal 12 ayat (3)

    @Test("Pasal 12 ayat (3): sukarela within the unit: oral wish, the UO head agrees, the Kepala PD approves, the UO head assigns, the applicant accepts")
    func volunteeringWithinUnit() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-123", workflow: "pemalang.pengajuan-sukarela.dalam-uo")
        #expect(try walk.take("apply", by: Pemalang.epidemiologPertama, on: "2025-03-03", ["purpose": "Penyelidikan epidemiologi DBD"]) == nil)
        #expect(try walk.take("agree", by: Pemalang.kabidP2P, on: "2025-03-04") == nil)
        let early = try walk.take("assign", by: Pemalang.kabidP2P, on: "2025-03-04", ["duration": period("2025-03-10", "2025-04-30")])
        #expect(early?.code == .actionNotAllowed, "the head assigns only with the Kepala PD's approval")
        #expect(try walk.take("approve", by: Pemalang.kabidP2P, on: "2025-03-05")?.code == .wrongActor)
        #expect(try walk.take("approve", by: Pemalang.kadinkes, on: "2025-03-05") == nil)
        #expect(try walk.take("assign", by: Pemalang.kabidP2P, on: "2025-03-06", ["duration": period("2025-03-10", "2025-04-30")]) == nil)
        #expect(try walk.take("accept", by: Pemalang.epidemiologPertama, on: "2025-03-07") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.events().map(\.detail.role) == ["pemohon", "pimpinan_uo", "kepala_pd", "pimpinan_uo", "pemohon"])
    }

    @Test("Pasal 12 ayat (3) huruf b: the Kepala PD's refusal needs a reason; a head cannot apply as a volunteer")
    func volunteeringWithinUnitRefusals() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-123", workflow: "pemalang.pengajuan-sukarela.dalam-uo")
        #expect(try walk.take("apply", by: Pemalang.kabidP2P, on: "2025-03-03", ["purpose": "Penyelidikan epidemiologi"])?.code == .invalidField)
        #expect(try walk.take("apply", by: Pemalang.epidemiologPertama, on: "2025-03-03", ["purpose": "Penyelidikan epidemiologi"]) == nil)
        #expect(try walk.take("agree", by: Pemalang.kabidP2P, on: "2025-03-04") == nil)
        let bare = try walk.take("refuse", by: Pemalang.kadinkes, on: "2025-03-05")
        #expect(bare?.code == .missingField)
        #expect(bare?.article == "Pasal 12 ayat (3) huruf b \(Pemalang.regulation)")
        #expect(try walk.take("refuse", by: Pemalang.kadinkes, on: "2025-03-05", ["reason": "Beban kerja bidang sedang tinggi"]) == nil)
        #expect(try walk.state == "declined")
    }

    @Test("Pasal 12 ayat (3): the Plt Kepala BKPSDM approves only within the dates of the Surat Perintah, and the event says Plt")
    func actingHeadApprovesWithinItsDates() throws {
        let before = try Walk(directory: Pemalang.directory, request: "PML-PLT-1", workflow: "pemalang.pengajuan-sukarela.dalam-uo")
        #expect(try before.take("apply", by: Pemalang.analisSDMPPPK, on: "2025-01-01", ["purpose": "Penyusunan analisis kebutuhan diklat"]) == nil)
        #expect(try before.take("agree", by: Pemalang.kabidKompetensi, on: "2025-01-01") == nil)
        #expect(try before.take("approve", by: Pemalang.pltKepalaBKPSDM, on: "2025-01-01")?.code == .noOfficeholder)
        #expect(try before.take("approve", by: Pemalang.pltKepalaBKPSDM, on: "2025-01-02") == nil)
        let approval = try #require(try before.events().last)
        #expect(approval.detail.capacity == .plt)
        #expect(approval.detail.actorTitle == "Plt. Kepala Badan Kepegawaian dan Pengembangan Sumber Daya Manusia")

        let after = Walk(try Harness(directory: Pemalang.directory, now: Timestamp(iso8601: "2027-02-01T12:00:00+07:00")!),
                         request: "PML-PLT-2", workflow: "pemalang.pengajuan-sukarela.dalam-uo")
        #expect(try after.take("apply", by: Pemalang.analisSDMPPPK, on: "2027-01-04", ["purpose": "Penyusunan analisis kebutuhan diklat"]) == nil)
        #expect(try after.take("agree", by: Pemalang.kabidKompetensi, on: "2027-01-04") == nil)
        #expect(try after.take("approve", by: Pemalang.pltKepalaBKPSDM, on: "2027-01-05")?.code == .noOfficeholder)
    }

    // MARK: Pasal 12 ayat (4)

    @Test("Pasal 12 ayat (4): sukarela across UO: the employee's own surat permohonan (huruf a) to the target head; own PPK, then own UO head, then the target head; own head drafts, the Kepala PD signs the surat penugasan citing it")
    func volunteeringAcrossUnits() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-124", workflow: "pemalang.pengajuan-sukarela.lintas-uo")
        #expect(try walk.take("apply", by: Pemalang.epidemiologTerampil, on: "2025-03-03", [
            "target_unit": "diskominfo-aptika", "purpose": "Uji coba aplikasi pelaporan imunisasi", "duration": period("2025-04-01", "2025-06-30"),
        ]) == nil)
        let headFirst = try walk.take("approve_own_head", by: Pemalang.kabidP2P, on: "2025-03-04")
        #expect(headFirst?.code == .actionNotAllowed, "the PPK approves before the unit head")
        let notPPK = try walk.take("approve_appraiser", by: Pemalang.kabidP2P, on: "2025-03-04")
        #expect(notPPK?.code == .wrongActor, "under a Pengawas the Pengawas is the PPK (Pasal 9 huruf e)")
        #expect(try walk.take("approve_appraiser", by: Pemalang.kasiSurveilans, on: "2025-03-04") == nil)
        #expect(try walk.take("approve_own_head", by: Pemalang.kabidP2P, on: "2025-03-05") == nil)
        #expect(try walk.take("approve", by: Pemalang.kabidAptika, on: "2025-03-06") == nil)
        #expect(try walk.take("draft_letter", by: Pemalang.kabidP2P, on: "2025-03-07") == nil)
        let unsigned = try walk.take("issue_letter", by: Pemalang.kabidP2P, on: "2025-03-07")
        #expect(unsigned?.code == .wrongActor)
        #expect(unsigned?.article == "Pasal 12 ayat (4) huruf b \(Pemalang.regulation)")
        #expect(try walk.take("issue_letter", by: Pemalang.kadinkes, on: "2025-03-08") == nil)
        #expect(try walk.take("accept", by: Pemalang.epidemiologTerampil, on: "2025-03-09") == nil)
        #expect(try walk.state == "accepted")
        #expect(try walk.events().map(\.detail.role) == ["pemohon", "ppk_pemohon", "pimpinan_uo_pemohon", "pimpinan_uo_dituju",
                                                         "pimpinan_uo_pemohon", "kepala_pd", "pemohon"])
        #expect(try walk.current?.letters.map(\.number) == ["", "800.1.11.1/1/DINKES/2025"], "the employee's letter draws nothing from the Dinkes register")
        try expectEmployeeApplication(of: walk, signedBy: Pemalang.epidemiologTerampil, addressedTo: "Kepala Bidang Aplikasi Informatika",
                                      article: "Pasal 12 ayat (4) huruf a")
    }

    @Test("Pasal 12 ayat (2) and (4): the target is another organisational unit of this agency, and the target head's refusal carries its reason")
    func volunteeringAcrossUnitsRefusals() throws {
        let walk = try Walk(directory: Pemalang.directory, request: "PML-124", workflow: "pemalang.pengajuan-sukarela.lintas-uo")
        let sameUnit = try walk.take("apply", by: Pemalang.epidemiologTerampil, on: "2025-03-03", [
            "target_unit": "dinkes-p2p", "purpose": "Surveilans", "duration": period("2025-04-01", "2025-06-30"),
        ])
        #expect(sameUnit?.code == .invalidField)
        let otherAgency = try walk.take("apply", by: Pemalang.epidemiologTerampil, on: "2025-03-03", [
            "target_unit": "pekalongan-dinkominfo-statistik", "purpose": "Surveilans", "duration": period("2025-04-01", "2025-06-30"),
        ])
        #expect(otherAgency?.code == .invalidField, "a pengajuan sukarela never crosses agencies (Pasal 12 ayat (2))")
        #expect(try walk.take("apply", by: Pemalang.epidemiologTerampil, on: "2025-03-03", [
            "target_unit": "diskominfo-aptika", "purpose": "Uji coba aplikasi", "duration": period("2025-04-01", "2025-06-30"),
        ]) == nil)
        #expect(try walk.take("approve_appraiser", by: Pemalang.kasiSurveilans, on: "2025-03-04") == nil)
        #expect(try walk.take("approve_own_head", by: Pemalang.kabidP2P, on: "2025-03-05") == nil)
        #expect(try walk.take("reject", by: Pemalang.kabidAptika, on: "2025-03-06")?.code == .missingField)
        #expect(try walk.take("reject", by: Pemalang.kabidAptika, on: "2025-03-06", ["reason": "Uji coba ditunda ke tahun anggaran berikutnya"]) == nil)
        #expect(try walk.state == "declined")
    }

    // MARK: Pasal 13

    @Test("Pasal 10 ayat (8), Pasal 13 ayat (3): a lead from outside the owner unit is only a warning, recorded in the history and the status")
    func teamLeadPreferredFromOwnerUnit() throws {
        let harness = try Harness(directory: Pemalang.directory)
        let base: [String: JSONValue] = [
            "purpose": "Satu data kesehatan", "performance_target": "Portal data terintegrasi", "duration": period("2025-04-01", "2025-09-30"),
        ]
        let own = Walk(harness, request: "PML-TIM-1", workflow: "pemalang.pembentukan-tim.lintas-uo")
        var team = base
        team["lead"] = .string(Pemalang.prakomMuda)
        team["members"] = nips(Pemalang.prakomPertama, Pemalang.statistisi)
        #expect(try own.take("form", by: Pemalang.kabidAptika, on: "2025-03-03", team) == nil)
        #expect(try own.current?.warnings == [])

        let outside = Walk(harness, request: "PML-TIM-2", workflow: "pemalang.pembentukan-tim.lintas-uo")
        team["lead"] = .string(Pemalang.statistisi)
        team["members"] = nips(Pemalang.prakomPertama, Pemalang.statistisi)
        #expect(try outside.take("form", by: Pemalang.kabidAptika, on: "2025-03-03", team) == nil)
        #expect(try outside.state == "formed")
        let warnings = try #require(try outside.current?.warnings)
        #expect(warnings.count == 1)
        #expect(warnings.first?.hasSuffix("[Pasal 10 ayat (8) dan Pasal 13 ayat (3) \(Pemalang.regulation)]") == true)
        #expect(try outside.events().first?.detail.warnings == warnings)
        #expect(try outside.take("accept", by: Pemalang.prakomPertama, on: "2025-03-04")?.code == .actionNotAllowed)
        #expect(try outside.take("accept_lead", by: Pemalang.statistisi, on: "2025-03-04") == nil)
        #expect(try outside.take("accept", by: Pemalang.prakomPertama, on: "2025-03-04") == nil)
        #expect(try outside.take("accept", by: Pemalang.statistisi, on: "2025-03-04") == nil)
        #expect(try outside.state == "accepted")
    }

    // MARK: Pasal 9

    @Test("Pasal 9: the PPK of a Pejabat Fungsional or Pelaksana is the nearest Administrator, Pengawas or unit-heading Fungsional above them", arguments: [
        (Pemalang.prakomMuda, Pemalang.kabidAptika, "huruf a: in a Bidang led by an Administrator"),
        (Pemalang.analisKelembagaan, Pemalang.kabagOrganisasi, "huruf d: in the Sekretariat Daerah, the Kepala Bagian"),
        (Pemalang.epidemiologTerampil, Pemalang.kasiSurveilans, "huruf e: placed under a Pengawas, the Pengawas"),
        (Pemalang.analisSDMPPPK, Pemalang.kabidKompetensi, "huruf a: a PPPK in a Bidang of the BKPSDM"),
    ])
    func appraiserOfEachPosition(employee: String, appraiser: String, condition: String) throws {
        #expect(try appraisers(of: employee, regency: "pemalang") == [appraiser], "Pasal 9 \(condition)")
    }
}
