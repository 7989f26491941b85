import LintasCore
import LintasEngine
import LintasStore
import TestSupport
import Testing

/// What this file's walks share beside the people (TestSupport.Grobogan).
fileprivate extension Grobogan {
    static func harness() throws -> Harness { try Harness(directory: directory) }
}

@Suite("Perbup Grobogan 49/2024: every procedure with the sample directory")
struct GroboganProcedureTests {
    fileprivate typealias G = Grobogan

    @Test("Pasal 11 ayat (2): the head of a Unit Kerja appoints its own Pejabat Nonmanajerial by keputusan; each receives it")
    func appointmentWithinUnit() throws {
        let harness = try G.harness()
        let appoint: [String: JSONValue] = ["nominees": nips(G.epidemiologMuda, G.sanitarian), "purpose": "Penyelidikan epidemiologi DBD",
                                            "duration": period("2025-04-01", "2025-06-30")]
        let refusals = try Walk(harness, request: "GBG-11-2", workflow: "grobogan.penunjukan.dalam-pd").take(from: "2025-03-03", [
            Step("appoint", by: G.kabidP2P, appoint.merging(["nominees": nips(G.epidemiologMuda, G.admkesMudaYankes)])),
            Step("appoint", by: G.kabidP2P, appoint),
            Step("accept", by: G.epidemiologMuda),
            Step("accept", by: G.sanitarian),
        ])
        #expect(refusals[0]?.code == .invalidField, "a nominee from another Bidang is not the head's to appoint")
        #expect(refusals.dropFirst().allSatisfy { $0 == nil })
        let state = try #require(try harness.state("GBG-11-2"))
        #expect(state.state == "accepted")
        #expect(state.fields["owner_unit"] == "dinkes-p2p")
        #expect(state.letters.map(\.type) == ["keputusan"])
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DINKES/2025"])
    }

    @Test("Pasal 11 ayat (2), Pasal 1 angka 6: the keputusan kepala Perangkat Daerah/Unit Kerja is signed by the head of the unit that appoints: the Kepala Dinas for the Dinas, the Kepala Bidang for a Bidang (a Unit Kerja)")
    func keputusanSignedByTheAppointingHead() throws {
        let harness = try G.harness()
        let appoint: [String: JSONValue] = ["nominees": nips(G.epidemiologMuda), "purpose": "Penyelidikan epidemiologi DBD",
                                            "duration": period("2025-04-01", "2025-06-30")]
        for (request, head, unit) in [("GBG-PD", G.kadinkes, "dinkes"), ("GBG-UK", G.kabidP2P, "dinkes-p2p")] {
            let refusals = try Walk(harness, request: request, workflow: "grobogan.penunjukan.dalam-pd").take(from: "2025-03-03", [
                Step("appoint", by: head, appoint.merging(["owner_unit": .string(unit)]) { $1 }),
            ])
            #expect(refusals.allSatisfy { $0 == nil })
            let state = try #require(try harness.state(RequestID(request)))
            let letter = try #require(try IssuedLetters.load(state, in: harness.store).first?.record.content)
            #expect(letter["signature"]?["nip"] == .string(head), "\(request)")
            #expect(letter["label"] == "Keputusan Kepala Perangkat Daerah/Unit Kerja")
        }
    }

    @Test("Pasal 11 ayat (3)-(4): across Perangkat Daerah, the owner's head asks and the addressed head gives the surat penugasan")
    func appointmentAcrossDepartments() throws {
        let harness = try G.harness()
        let request = requestContents(purpose: "Aplikasi surveilans penyakit", competence: "Pengembangan aplikasi web",
                                      target: "Aplikasi dipakai 30 Puskesmas").merging(["target_unit": "diskominfo-aptika"])
        let refusals = try Walk(harness, request: "GBG-11-4", workflow: "grobogan.penunjukan.lintas-pd").take(from: "2025-03-03", [
            Step("submit", by: G.kabidP2P, request),
            Step("issue_letter", by: G.kabidP2P, ["nominees": nips(G.prakomMuda)]),
            Step("issue_letter", by: G.kabidAptika, ["nominees": nips(G.prakomMuda, G.prakomPertamaPPPK)]),
            Step("accept", by: G.prakomMuda),
            Step("accept", by: G.prakomPertamaPPPK),
        ])
        #expect(refusals[1]?.code == .wrongActor)
        #expect(refusals[1]?.article == "Pasal 11 ayat (4) Perbup Grobogan 49/2024")
        #expect(refusals.enumerated().allSatisfy { $0.offset == 1 || $0.element == nil })
        let state = try #require(try harness.state("GBG-11-4"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DINKES/2025", "800.1.11.1/1/DISKOMINFO/2025"], "the surat permohonan (ayat (3)), the surat penugasan (ayat (4))")
        #expect(state.participants["accept"] == [NIP(G.prakomMuda), NIP(G.prakomPertamaPPPK)])
    }

    @Test("Pasal 11 ayat (6): a surat permohonan without competence and duration is refused, naming each missing item")
    func requestContentsAreMandatory() throws {
        let harness = try G.harness()
        let refusals = try Walk(harness, request: "GBG-11-6", workflow: "grobogan.penunjukan.lintas-pd").take(from: "2025-03-03", [
            Step("submit", by: G.kabidP2P, ["target_unit": "diskominfo-aptika", "purpose": "Aplikasi surveilans", "performance_target": "30 Puskesmas"]),
        ])
        let refusal = try #require(refusals[0])
        #expect(refusal.code == .missingField)
        #expect(refusal.message.contains("competence") && refusal.message.contains("duration"))
        #expect(refusal.article == "Pasal 11 ayat (6) huruf b; Pasal 11 ayat (6) huruf d Perbup Grobogan 49/2024")
        #expect(try harness.state("GBG-11-6") == nil)
    }

    @Test("Pasal 11 ayat (4): the addressed head who cannot assign answers with a reason; without one the answer is refused")
    func refusalNeedsReason() throws {
        let harness = try G.harness()
        let request = requestContents(purpose: "Publikasi", competence: "Kehumasan", target: "12 rilis").merging(["target_unit": "diskominfo-ikp"])
        let refusals = try Walk(harness, request: "GBG-REJ", workflow: "grobogan.penunjukan.lintas-pd").take(from: "2025-03-03", [
            Step("submit", by: G.kabidP2P, request),
            Step("reject", by: G.kabidIKP),
            Step("reject", by: G.kabidIKP, ["reason": "Pranata Humas sedang menangani Pilkada"]),
            Step("issue_letter", by: G.kabidIKP, ["nominees": nips(G.humasMuda)]),
        ])
        #expect(refusals.map { $0?.code } == [nil, .missingField, nil, .requestClosed])
        #expect(try harness.state("GBG-REJ")?.state == "rejected")
    }

    @Test("Pasal 12 ayat (2): sukarela within, told orally to the head, who approves and gives the surat penugasan")
    func volunteeringWithin() throws {
        let harness = try G.harness()
        let refusals = try Walk(harness, request: "GBG-12-2", workflow: "grobogan.pengajuan-sukarela.dalam-pd").take(from: "2025-03-03", [
            Step("apply", by: G.humasMuda, ["unit": "diskominfo-ikp", "involvement": "Kampanye layanan aduan", "participation": "anggota Tim Kerja"]),
            Step("approve", by: G.humasMuda, ["duration": period("2025-04-01", "2025-09-30")]),
            Step("approve", by: G.kabidIKP, ["duration": period("2025-04-01", "2025-09-30")]),
            Step("accept", by: G.humasMuda),
        ])
        #expect(refusals.map { $0?.code } == [nil, .wrongActor, nil, nil])
        let state = try #require(try harness.state("GBG-12-2"))
        #expect(state.state == "accepted")
        #expect(state.fields["applicant"] == .string(G.humasMuda))
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DISKOMINFO/2025"])
    }

    @Test("Pasal 12 ayat (3): sukarela across, own head approves first, then the owner's head, then own head gives the surat penugasan")
    func volunteeringAcrossOwnHeadFirst() throws {
        let harness = try G.harness()
        let refusals = try Walk(harness, request: "GBG-12-3", workflow: "grobogan.pengajuan-sukarela.lintas-pd").take(from: "2025-03-03", [
            Step("apply", by: G.analisBencana, ["home_unit": "bpbd-kedaruratan", "owner_unit": "dinkes-p2p", "involvement": "Pemetaan risiko penyakit pascabanjir",
                                                "reference": "01/AB/2025"]),
            Step("apply", by: G.analisBencana, ["home_unit": "bpbd-kedaruratan", "owner_unit": "dinkes-p2p", "involvement": "Pemetaan risiko penyakit pascabanjir"]),
            Step("approve", by: G.kabidP2P, ["duration": period("2025-04-01", "2025-06-30")]),
            Step("consent", by: G.kabidKedaruratan),
            Step("approve", by: G.kabidP2P, ["duration": period("2025-04-01", "2025-06-30")]),
            Step("issue_letter", by: G.kabidP2P),
            Step("issue_letter", by: G.kabidKedaruratan),
            Step("accept", by: G.analisBencana),
        ])
        #expect(refusals.map { $0?.code } == [.invalidField, nil, .actionNotAllowed, nil, nil, .wrongActor, nil, nil],
                "the surat pengajuan is composed by lintas and has no number, so the apply step asks for none (no \"reference\")")
        let events = try harness.events("GBG-12-3")
        #expect(events.map(\.action) == ["apply", "consent", "approve", "issue_letter", "accept"])
        #expect(events.map(\.actor) == [G.analisBencana, G.kabidKedaruratan, G.kabidP2P, G.kabidKedaruratan, G.analisBencana].map(NIP.init))
        let state = try #require(try harness.state("GBG-12-3"))
        // Huruf a: the employee's own surat pengajuan, signed by them, numbered by no office; huruf b: the surat penugasan.
        #expect(state.letters.map(\.type) == ["surat_pengajuan", "surat_penugasan"])
        #expect(state.letters.map(\.numbering) == [.none, .register])
        #expect(state.letters.map(\.number) == ["", "800.1.11.1/1/BPBD/2025"], "the employee's letter draws nothing from the BPBD's register")
        let letters = try IssuedLetters.load(state, in: harness.store)
        let application = try #require(letters.first?.record.content)
        #expect(letters.first?.reference.id(of: "GBG-12-3") == "GBG-12-3/surat_pengajuan/1")
        #expect(application["id"] == "GBG-12-3/surat_pengajuan/1" && application["number"] == nil && application["numbering"] == "none")
        #expect(application["signature"]?["nip"]?.stringValue == G.analisBencana, "the Pejabat Nonmanajerial signs the surat pengajuan")
        #expect(application["legal_basis"]?["article"] == "Pasal 12 ayat (3) huruf a")
        #expect(application["particulars"]?.arrayValue?.map { $0["field"] } == ["owner_unit", "involvement"],
                "addressed to the Pemilik Kinerja, with the kinerja asked for")
    }

    @Test("Pasal 12 ayat (1): sukarela reaches only Perangkat Daerah of the regency, never another agency")
    func volunteeringNeverAcrossAgencies() throws {
        let harness = try G.harness()
        let refusals = try Walk(harness, request: "GBG-12-1", workflow: "grobogan.pengajuan-sukarela.lintas-pd").take(from: "2025-03-03", [
            Step("apply", by: G.prakomMuda, ["home_unit": "diskominfo-aptika", "owner_unit": "jateng-diskominfo-aptika", "involvement": "Satu Data Jawa Tengah"]),
        ])
        #expect(refusals[0]?.code == .invalidField)
        #expect(refusals[0]?.message.contains("Instansi Pemerintah") == true)
    }

    @Test("Pasal 14 ayat (4): where the structure was not simplified (BPBD, recorded on the Badan and read for its Bidang) the Ketua Tim Kerja is a Pejabat Pengawas")
    func leadIsPengawasWhereNotSimplified() throws {
        let harness = try G.harness()
        let team: [String: JSONValue] = ["members": nips(G.analisBencana, G.pengelolaKedaruratanPPPK, G.pengadministrasiLogistik),
                                         "purpose": "Kesiapsiagaan musim hujan", "performance_target": "Rencana kontinjensi 19 kecamatan",
                                         "duration": period("2025-04-01", "2025-12-31")]
        let refusals = try Walk(harness, request: "GBG-14-4", workflow: "grobogan.pembentukan-tim.dalam-pd").take(from: "2025-03-03", [
            Step("form", by: G.kabidKedaruratan, team.merging(["lead": .string(G.analisBencana)])),
            Step("form", by: G.kabidKedaruratan, team.merging(["lead": .string(G.kasiKedaruratan)])),
            Step("accept", by: G.analisBencana),
            Step("accept", by: G.pengelolaKedaruratanPPPK),
            Step("accept", by: G.pengadministrasiLogistik),
        ])
        #expect(refusals[0]?.code == .ruleBroken)
        #expect(refusals[0]?.article == "Pasal 14 ayat (4) Perbup Grobogan 49/2024")
        #expect(refusals.dropFirst().allSatisfy { $0 == nil })
        let state = try #require(try harness.state("GBG-14-4"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.type) == ["keputusan"])
    }

    @Test("Pasal 14 ayat (5): where the structure was simplified (Diskominfo) the Ketua Tim Kerja is a Pejabat Nonmanajerial, named with the competence they were chosen for")
    func leadIsNonmanagerialWhereSimplified() throws {
        let harness = try G.harness()
        let team: [String: JSONValue] = ["members": nips(G.prakomMuda, G.prakomPertamaPPPK), "purpose": "Aplikasi layanan aduan",
                                         "performance_target": "Aplikasi aduan terpakai di 19 kecamatan", "duration": period("2025-04-01", "2025-12-31")]
        let basis: [String: JSONValue] = ["lead_basis": "Pranata Komputer Ahli Muda; pengembangan aplikasi web"]
        let walk = Walk(harness, request: "GBG-14-5", workflow: "grobogan.pembentukan-tim.dalam-pd")
        let refusals = try walk.take(from: "2025-03-03", [
            Step("form", by: G.kabidAptika, team.merging(["lead": .string(G.kasubagUmpegKominfo)]).merging(basis)),
            Step("form", by: G.kabidAptika, team.merging(["lead": .string(G.prakomMuda)])),
            Step("form", by: G.kabidAptika, team.merging(["lead": .string(G.prakomMuda)]).merging(basis)),
            Step("accept", by: G.prakomMuda),
            Step("accept", by: G.prakomPertamaPPPK),
        ])
        #expect(refusals.map { $0?.code } == [.ruleBroken, .ruleBroken, nil, nil, nil])
        #expect(refusals[0]?.article == "Pasal 14 ayat (5) Perbup Grobogan 49/2024")
        #expect(refusals[0]?.message.contains("Pejabat Nonmanajerial") == true, "\(String(describing: refusals[0]))")
        #expect(refusals[1]?.article == "Pasal 14 ayat (5) Perbup Grobogan 49/2024")
        #expect(refusals[1]?.message.contains("lead_basis") == true, "\(String(describing: refusals[1]))")
        #expect(try walk.state == "accepted")
        #expect(try walk.current?.fields["lead_basis"] == basis["lead_basis"])
    }

    @Test("Pasal 14 ayat (6): with Anggota from another Perangkat Daerah the Ketua must come from the Pemilik Kinerja")
    func leadFromOwnerIsMandatory() throws {
        let harness = try G.harness()
        let team: [String: JSONValue] = ["members": nips(G.epidemiologPertamaPPPK, G.prakomMuda), "purpose": "Dasbor surveilans",
                                         "performance_target": "Dasbor mingguan", "duration": period("2025-04-01", "2025-12-31"),
                                         "lead_basis": "Kompetensi surveilans dan pengolahan data"]
        let refusals = try Walk(harness, request: "GBG-14-6", workflow: "grobogan.pembentukan-tim.dalam-pd").take(from: "2025-03-03", [
            Step("form", by: G.kabidP2P, team.merging(["lead": .string(G.prakomMuda)])),
            Step("form", by: G.kabidP2P, team.merging(["lead": .string(G.epidemiologMuda)])),
        ])
        #expect(refusals[0]?.code == .ruleBroken)
        #expect(refusals[0]?.article == "Pasal 14 ayat (6) Perbup Grobogan 49/2024")
        #expect(refusals[1] == nil)
        #expect(try harness.state("GBG-14-6")?.warnings == [])
    }

    @Test("Pasal 22 and Pasal 24: a request dated before 1 January 2025 is refused")
    func notInForceBefore2025() throws {
        let harness = try G.harness()
        let refusals = try Walk(harness, request: "GBG-22", workflow: "grobogan.penunjukan.dalam-pd").take(from: "2024-12-20", [
            Step("appoint", by: G.kabidP2P, ["nominees": nips(G.epidemiologMuda), "purpose": "Survei",
                                             "duration": period("2025-01-01", "2025-03-31")]),
        ])
        #expect(refusals[0]?.code == .notInForce)
        #expect(try harness.state("GBG-22") == nil)
    }

    @Test("The Plt. Kepala Dinas Komunikasi dan Informatika acts for the vacant post only until 30 June 2025")
    func pltActsOnlyInsideDates() throws {
        let harness = try Harness(directory: G.directory, now: Timestamp(iso8601: "2025-07-31T12:00:00+07:00")!)
        let apply: [String: JSONValue] = ["unit": "diskominfo", "involvement": "Penyusunan arsitektur SPBE"]
        let approve: [String: JSONValue] = ["duration": period("2025-07-01", "2025-12-31")]
        let inside = try Walk(harness, request: "GBG-PLT-1", workflow: "grobogan.pengajuan-sukarela.dalam-pd").take(from: "2025-06-27", [
            Step("apply", by: G.prakomPertamaPPPK, apply), Step("approve", by: G.pltKadisKominfo, approve),
        ])
        let after = try Walk(harness, request: "GBG-PLT-2", workflow: "grobogan.pengajuan-sukarela.dalam-pd").take(from: "2025-07-01", [
            Step("apply", by: G.prakomPertamaPPPK, apply), Step("approve", by: G.pltKadisKominfo, approve),
        ])
        #expect(inside.allSatisfy { $0 == nil })
        let approval = try #require(try harness.events("GBG-PLT-1").last)
        #expect(approval.detail.capacity == .plt)
        #expect(approval.detail.actorTitle == "Plt. Kepala Dinas Komunikasi dan Informatika")
        #expect(after[0] == nil)
        #expect(after[1]?.code == .noOfficeholder)
    }

    @Test("Pasal 11 ayat (5): across agencies by the national chain, Grobogan asks the Pemerintah Provinsi Jawa Tengah")
    func nationalChainFromGrobogan() throws {
        let harness = try G.harness()
        let request = requestContents(purpose: "Integrasi data surveilans ke Satu Data", competence: "Interoperabilitas sistem",
                                      target: "Data tersinkron harian").merging(["target_unit": "jateng-diskominfo-aptika"])
        let refusals = try Walk(harness, request: "GBG-11-5", workflow: "national.penunjukan.lintas-instansi").take(from: "2025-03-03", [
            Step("submit", by: G.kabidP2P, request),
            Step("forward", by: G.sekda),
            Step("instruct", by: G.sekda),
            Step("instruct", by: G.sekdaJateng),
            Step("answer", by: G.kabidAptikaJateng, ["nominees": nips(G.prakomMudaJateng, G.prakomPertamaJateng)]),
            Step("approve_answer", by: G.sekdaJateng),
            Step("send_reply", by: G.sekdaJateng),
            Step("issue_letter", by: G.kabidAptikaJateng),
            Step("accept", by: G.prakomMudaJateng),
            Step("accept", by: G.prakomPertamaJateng),
        ])
        #expect(refusals[2]?.code == .wrongActor, "the instruction is the addressed agency's Pejabat yang Berwenang's")
        #expect(refusals.enumerated().allSatisfy { $0.offset == 2 || $0.element == nil })
        let state = try #require(try harness.state("GBG-11-5"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.type) == ["surat_permohonan", "surat_permohonan_pelibatan", "surat_jawaban", "surat_penugasan"])
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DINKES/2025", "800.1.11.1/1/GBG/2025", "800.1.11.1/1/JATENG/2025", "800.1.11.1/1/DISKOMINFOPROV/2025"])
        #expect(try harness.events("GBG-11-5").first?.detail.article == "Lampiran, Penunjukan lintas Instansi Pemerintah, huruf a) Permenpan RB 7/2022")
    }

    @Test("Lampiran huruf b)-d) of Permenpan RB 7/2022: each office on the chain may stop it, always with its reason")
    func nationalChainStops() throws {
        let harness = try G.harness()
        let request = requestContents(purpose: "Integrasi data", competence: "Interoperabilitas", target: "Data harian")
            .merging(["target_unit": "jateng-diskominfo-aptika"])
        let declined = try Walk(harness, request: "GBG-NAT-B", workflow: "national.penunjukan.lintas-instansi").take(from: "2025-03-03", [
            Step("submit", by: G.kabidP2P, request),
            Step("decline", by: G.sekda),
            Step("decline", by: G.sekda, ["reason": "Dapat dipenuhi Dinas Komunikasi dan Informatika sendiri"]),
        ])
        let unavailable = try Walk(harness, request: "GBG-NAT-D", workflow: "national.penunjukan.lintas-instansi").take(from: "2025-03-03", [
            Step("submit", by: G.kabidP2P, request),
            Step("forward", by: G.sekda),
            Step("instruct", by: G.sekdaJateng),
            Step("report_unavailable", by: G.kabidAptikaJateng, ["reason": "Pranata Komputer sedang menyelesaikan migrasi pusat data"]),
        ])
        #expect(declined.map { $0?.code } == [nil, .missingField, nil])
        #expect(unavailable.allSatisfy { $0 == nil })
        #expect(try harness.state("GBG-NAT-B")?.state == "rejected")
        let state = try #require(try harness.state("GBG-NAT-D"))
        #expect(state.state == "unavailable")
        #expect(state.fields["reason"] == "Pranata Komputer sedang menyelesaikan migrasi pusat data")
    }
}
