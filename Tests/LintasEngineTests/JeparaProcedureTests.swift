import LintasCore
import LintasEngine
import LintasStore
import TestSupport
import Testing

/// What this file's walks share beside the people (TestSupport.Jepara).
fileprivate extension Jepara {
    static func harness() throws -> Harness { try Harness(directory: directory) }

    /// A command line dated `day` March 2025, 09:00 WIB (or another month).
    static func line(_ id: String, _ request: String, _ action: String, _ actor: String, day: Int, month: Int = 3,
                     _ data: [String: JSONValue] = [:], workflow: String? = nil) -> String {
        Harness.line(id, request, action, actor, at: String(format: "2025-%02d-%02dT09:00:00+07:00", month, day), data,
                     workflow: workflow.map { "jepara.\($0)" })
    }

    static let duration: JSONValue = period("2025-04-01", "2025-12-31")

    /// The four contents every request letter carries (Lampiran B.2, muatan surat permohonan).
    static let contents = requestContents(purpose: "Dasbor produksi perikanan tangkap",
                                          competence: "Pengembangan aplikasi web dan basis data",
                                          target: "Dasbor terbit untuk 11 TPI", duration: duration)
}

/// Submits the lines, runs the daemon's batches until the queue is empty, and returns the harness.
@discardableResult
private func run(_ harness: Harness, _ lines: [String]) throws -> Harness {
    try harness.submit(lines)
    try harness.drain()
    return harness
}

@Suite("Perbup Jepara 17/2024: every procedure of Lampiran B.2, the squads of Pasal 14-15 and the quota of Lampiran B.4")
struct JeparaProcedureTests {
    private typealias J = Jepara

    // MARK: Lampiran B.2.a.1) — penunjukan dalam unit kerja

    @Test("Lampiran B.2.a.1) huruf a): the UO head appoints directly by Surat Perintah Tugas; each nominee accepts")
    func directAppointment() throws {
        let harness = try run(J.harness(), [
            J.line("a1", "JPR-1", "appoint", J.kadisDiskan, day: 3, ["work_unit": "diskan-tangkap", "nominees": nips(J.penyuluhMuda, J.pengelolaProduksi),
                                                                    "purpose": "Pendataan kapal", "duration": J.duration], workflow: "penunjukan.dalam-uk"),
            J.line("a2", "JPR-1", "accept", J.penyuluhMuda, day: 4),
        ])
        #expect(try harness.state("JPR-1")?.state == "letter_issued")
        try run(harness, [J.line("a3", "JPR-1", "accept", J.pengelolaProduksi, day: 5)])
        let state = try #require(try harness.state("JPR-1"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DISKAN/2025"])
        #expect(state.letters.map(\.type) == ["surat_perintah_tugas"])
    }

    @Test("Lampiran B.2.a.1) huruf b)-d): the UK head proposes, the UO head returns it with arahan, the UK head proposes again, the UO head approves")
    func proposalLoop() throws {
        let harness = try run(J.harness(), [
            J.line("p1", "JPR-2", "propose", J.kabidTangkap, day: 3, ["nominees": nips(J.analisPasarPPPK), "purpose": "Analisis harga ikan",
                                                                     "duration": J.duration], workflow: "penunjukan.dalam-uk"),
            J.line("p2", "JPR-2", "return", J.kadisDiskan, day: 4, ["direction": "Libatkan juga penyuluh ahli muda"]),
            J.line("p3", "JPR-2", "approve", J.kadisDiskan, day: 5),
            J.line("p4", "JPR-2", "propose_again", J.kabidTangkap, day: 6, ["nominees": nips(J.analisPasarPPPK, J.penyuluhMuda)]),
            J.line("p5", "JPR-2", "approve", J.kabidTangkap, day: 7),
            J.line("p6", "JPR-2", "approve", J.kadisDiskan, day: 8),
            J.line("p7", "JPR-2", "accept", J.analisPasarPPPK, day: 9),
            J.line("p8", "JPR-2", "accept", J.penyuluhMuda, day: 9),
        ])
        #expect(try harness.refusal("p3")?.code == .actionNotAllowed)   // returned: only propose_again or withdraw
        #expect(try harness.refusal("p5")?.code == .wrongActor)         // the UK head does not approve his own proposal
        let state = try #require(try harness.state("JPR-2"))
        #expect(state.state == "accepted")
        #expect(state.participants["propose_again"] == [NIP(J.kabidTangkap)])
        #expect(state.fields["direction"] == "Libatkan juga penyuluh ahli muda")
    }

    @Test("Lampiran B.2.a.1) huruf d): returning a proposal needs the UO head's arahan")
    func returnNeedsDirection() throws {
        let harness = try run(J.harness(), [
            J.line("r1", "JPR-3", "propose", J.kabidTangkap, day: 3, ["nominees": nips(J.penyuluhMuda), "purpose": "Pendataan",
                                                                     "duration": J.duration], workflow: "penunjukan.dalam-uk"),
            J.line("r2", "JPR-3", "return", J.kadisDiskan, day: 4),
        ])
        let refusal = try #require(try harness.refusal("r2"))
        #expect(refusal.code == .missingField)
        #expect(refusal.article == "Lampiran B.2.a.1) huruf d) Perbup Jepara 17/2024")
        #expect(try harness.state("JPR-3")?.state == "proposed")
    }

    // MARK: Lampiran B.2.a.2) — lintas unit kerja dalam satu unit organisasi

    @Test("Lampiran B.2.a.2) huruf a)-c), e): nota dinas to the target UK head, approved, proposed to the UO head, Surat Perintah Tugas, accepted")
    func acrossWorkUnits() throws {
        let harness = try run(J.harness(), [
            J.line("u1", "JPR-10", "request", J.kabidTangkap, day: 3, J.contents.merging(["target_unit": "diskan-budidaya"]) { $1 },
                   workflow: "penunjukan.lintas-uk"),
            J.line("u2", "JPR-10", "approve", J.kabidBudidaya, day: 4, ["nominees": nips(J.penyuluhTerampil)]),
            J.line("u3", "JPR-10", "issue_letter", J.kadisDiskan, day: 5),
            J.line("u4", "JPR-10", "propose", J.kabidTangkap, day: 5),
            J.line("u5", "JPR-10", "issue_letter", J.kadisDiskan, day: 6),
            J.line("u6", "JPR-10", "accept", J.penyuluhTerampil, day: 7),
        ])
        #expect(try harness.refusal("u3")?.code == .actionNotAllowed)   // the UO head sets it only on the requesting head's proposal
        let state = try #require(try harness.state("JPR-10"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.type) == ["nota_dinas", "nota_dinas", "surat_perintah_tugas"])
        #expect(state.letters.map(\.number) == ["000.1.2.3/1/PT/2025", "000.1.2.3/1/PB/2025", "800.1.11.1/1/DISKAN/2025"])
    }

    @Test("Lampiran B.2.a.2) huruf d): the target UK head refuses by nota dinas only with reasons; units of another UO are not lintas UK")
    func acrossWorkUnitsRefused() throws {
        let harness = try run(J.harness(), [
            J.line("d0", "JPR-12", "request", J.kabidTangkap, day: 3, J.contents.merging(["target_unit": "diskominfo-aptika"]) { $1 },
                   workflow: "penunjukan.lintas-uk"),
            J.line("d1", "JPR-11", "request", J.kabidTangkap, day: 3, J.contents.merging(["target_unit": "diskan-budidaya"]) { $1 },
                   workflow: "penunjukan.lintas-uk"),
            J.line("d2", "JPR-11", "reject", J.kabidBudidaya, day: 4),
            J.line("d3", "JPR-11", "reject", J.kabidBudidaya, day: 4, ["reason": "Penyuluh sedang musim tebar benih"]),
        ])
        #expect(try harness.refusal("d0")?.code == .invalidField)
        #expect(try harness.refusal("d2")?.code == .missingField)
        let state = try #require(try harness.state("JPR-11"))
        #expect(state.state == "rejected")
        #expect(state.fields["reason"] == "Penyuluh sedang musim tebar benih")
        #expect(state.letters.map(\.label) == ["Nota Dinas permohonan pelibatan", "Nota Dinas jawaban permohonan pelibatan"])
    }

    // MARK: Lampiran B.2.a.3) — lintas perangkat daerah

    /// Huruf a) to c): the request, the disposisi and the signed approval, for `request` asking Diskominfo's Bidang Aptika.
    private static func approvedAcrossDepartments(_ request: String) -> [String] {
        [
            J.line("\(request)-1", request, "submit", J.kadisDiskan, day: 3, J.contents.merging(["target_unit": "diskominfo-aptika"]) { $1 },
                   workflow: "penunjukan.lintas-pd"),
            J.line("\(request)-2", request, "dispose", J.kadisKominfo, day: 4, ["direction": "Kabid Aptika: tindak lanjuti"]),
            J.line("\(request)-3", request, "draft_approval", J.kabidAptika, day: 5, ["nominees": nips(J.prakomMuda)]),
            J.line("\(request)-4", request, "sign_approval", J.kadisKominfo, day: 6),
        ]
    }

    @Test("Lampiran B.2.a.3) huruf a)-c): Kepala PD asks, the target Kepala PD disposes to the UK head, who drafts the reply the Kepala PD signs; individual by Surat Perintah Tugas")
    func acrossDepartmentsIndividual() throws {
        var lines = Self.approvedAcrossDepartments("JPR-20")
        lines.insert(J.line("x1", "JPR-20", "dispose", J.kabidAptika, day: 4, ["direction": "tindak lanjuti"]), at: 1)
        lines.insert(J.line("x2", "JPR-20", "draft_approval", J.kadisKominfo, day: 5, ["nominees": nips(J.prakomMuda)]), at: 3)
        lines += [
            J.line("JPR-20-5", "JPR-20", "issue_assignment", J.kadisDiskan, day: 7),
            J.line("JPR-20-6", "JPR-20", "accept", J.prakomMuda, day: 8),
        ]
        let harness = try run(J.harness(), lines)
        #expect(try harness.refusal("x1")?.code == .wrongActor)   // the disposisi is the target Kepala PD's
        #expect(try harness.refusal("x2")?.code == .wrongActor)   // the reply is drafted by the head of the work unit
        let state = try #require(try harness.state("JPR-20"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.type) == ["surat_permohonan", "disposisi", "surat_balasan", "surat_perintah_tugas"])
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DISKAN/2025", "1/DISKOMINFO/2025", "800.1.11.1/1/DISKOMINFO/2025", "800.1.11.1/2/DISKAN/2025"],
                "the surat permohonan and the Surat Perintah Tugas of Diskan share the register of their code: distinct numbers")
    }

    @Test("Lampiran B.2.a.3) huruf e): for a Tim Kerja the owner head lists the approved names; the Pejabat yang Berwenang sets the keputusan")
    func acrossDepartmentsTeam() throws {
        let harness = try run(J.harness(), Self.approvedAcrossDepartments("JPR-21") + [
            J.line("t1", "JPR-21", "list_in_decree", J.kadisDiskan, day: 7, ["team_name": "Tim Dasbor TPI", "lead": .string(J.penyuluhMuda),
                                                                            "members": nips(J.pengelolaProduksi)]),
            J.line("t2", "JPR-21", "set_decree", J.kadisDiskan, day: 8),
            J.line("t3", "JPR-21", "set_decree", J.sekda, day: 8),
            J.line("t4", "JPR-21", "accept", J.prakomMuda, day: 9),
        ])
        #expect(try harness.refusal("t2")?.code == .wrongActor)
        let state = try #require(try harness.state("JPR-21"))
        #expect(state.state == "accepted")
        #expect(state.letters.last?.type == "keputusan")
        #expect(state.letters.last?.number == "100.3.3.2/1/JPR/2025",
                "the Pemerintah Kabupaten's register: its code tells it from another instansi's keputusan 1 of the year")
    }

    @Test("Pasal 14 ayat (4): a Tim Kerja with members from another UO is led by someone of the owner UO (mandatory)")
    func teamLeadFromOwner() throws {
        let harness = try run(J.harness(), Self.approvedAcrossDepartments("JPR-22") + [
            J.line("l1", "JPR-22", "list_in_decree", J.kadisDiskan, day: 7, ["team_name": "Tim Dasbor TPI", "lead": .string(J.prakomMuda)]),
        ])
        let refusal = try #require(try harness.refusal("l1"))
        #expect(refusal.code == .ruleBroken)
        #expect(refusal.article == "Pasal 14 ayat (4) Perbup Jepara 17/2024")
        #expect(try harness.state("JPR-22")?.state == "approved")
        #expect(try harness.state("JPR-22")?.warnings == [])
    }

    @Test("Lampiran B.2.a.3) huruf d): the UK head drafts a refusal only with reasons, signed by the Kepala PD")
    func acrossDepartmentsRefused() throws {
        let harness = try run(J.harness(), [
            J.line("n1", "JPR-23", "submit", J.kadisDiskan, day: 3, J.contents.merging(["target_unit": "diskominfo-aptika"]) { $1 },
                   workflow: "penunjukan.lintas-pd"),
            J.line("n2", "JPR-23", "dispose", J.kadisKominfo, day: 4, ["direction": "Kabid Aptika: tindak lanjuti"]),
            J.line("n3", "JPR-23", "draft_refusal", J.kabidAptika, day: 5, ["reason": " "]),
            J.line("n4", "JPR-23", "draft_refusal", J.kabidAptika, day: 5, ["reason": "Pranata komputer menangani SPBE sampai Desember"]),
            J.line("n5", "JPR-23", "sign_refusal", J.kadisKominfo, day: 6),
        ])
        #expect(try harness.refusal("n3")?.code == .missingField)
        let state = try #require(try harness.state("JPR-23"))
        #expect(state.state == "rejected")
        #expect(state.letters.map(\.type) == ["surat_permohonan", "disposisi", "surat_balasan"])
    }

    @Test("Lampiran B.2.a.3) huruf a): the request names the four contents and a unit of another Perangkat Daerah")
    func acrossDepartmentsContents() throws {
        let harness = try run(J.harness(), [
            J.line("c1", "JPR-24", "submit", J.kadisDiskan, day: 3, ["target_unit": "diskominfo-aptika", "purpose": "Dasbor"],
                   workflow: "penunjukan.lintas-pd"),
            J.line("c2", "JPR-25", "submit", J.kadisDiskan, day: 3, J.contents.merging(["target_unit": "diskan-budidaya"]) { $1 },
                   workflow: "penunjukan.lintas-pd"),
        ])
        let missing = try #require(try harness.refusal("c1"))
        #expect(missing.code == .missingField)
        for item in ["huruf b", "huruf c", "huruf d"] { #expect(missing.article?.contains("muatan surat permohonan \(item)") == true) }
        #expect(try harness.refusal("c2")?.code == .invalidField)
        #expect(try harness.state("JPR-24") == nil)
    }

    // MARK: Lampiran B.2.a.4) — lintas instansi pemerintah

    /// Huruf a) to c): the request, its forwarding by the Sekda and the province's instruction to its Bidang Perikanan Tangkap.
    private static func instructedAcrossAgencies(_ request: String) -> [String] {
        [
            J.line("\(request)-1", request, "submit", J.kadisDiskan, day: 3, J.contents.merging(["target_agency": "jateng"]) { $1 },
                   workflow: "penunjukan.lintas-instansi"),
            J.line("\(request)-2", request, "forward", J.sekda, day: 4),
            J.line("\(request)-3", request, "instruct", J.sekdaJateng, day: 5, ["target_unit": "jateng-dkp-tangkap"]),
        ]
    }

    @Test("Lampiran B.2.a.4) huruf a)-e): UO head → own PyB → PyB of the province → instruction → answer with names → answer sent → surat penugasan → accepted")
    func acrossAgencies() throws {
        var lines = Self.instructedAcrossAgencies("JPR-30")
        lines.insert(contentsOf: [
            J.line("i3", "JPR-30", "instruct", J.sekda, day: 5, ["target_unit": "jateng-dkp-tangkap"]),
            J.line("i4", "JPR-30", "instruct", J.sekdaJateng, day: 5, ["target_unit": "diskan"]),
        ], at: 2)
        let harness = try run(J.harness(), lines + [
            J.line("i6", "JPR-30", "report_available", J.kabidJatengTangkap, day: 6, ["nominees": nips(J.jatengPengawas)]),
            J.line("i7", "JPR-30", "issue_letter", J.kabidJatengTangkap, day: 7),
            J.line("i8", "JPR-30", "send_answer", J.sekdaJateng, day: 7),
            J.line("i9", "JPR-30", "issue_letter", J.kabidJatengTangkap, day: 8),
            J.line("i10", "JPR-30", "accept", J.jatengPengawas, day: 9),
        ])
        #expect(try harness.refusal("i3")?.code == .wrongActor)     // instructed by the addressed agency's PyB, not the requesting one
        #expect(try harness.refusal("i4")?.code == .invalidField)   // a unit of the addressed agency
        #expect(try harness.refusal("i7")?.code == .actionNotAllowed)  // only once the PyB approved and sent the answer
        let state = try #require(try harness.state("JPR-30"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.type) == ["surat_permohonan", "surat_permohonan", "surat_jawaban", "surat_jawaban", "surat_penugasan"])
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DISKAN/2025", "800.1.11.1/1/JPR/2025", "800.1.11.1/1/BPT/2025",
                                                "800.1.11.1/1/JATENG/2025", "800.1.11.1/2/BPT/2025"],
                "the surat jawaban and the surat penugasan of the BPT share the register of their code: distinct numbers")
    }

    @Test("Lampiran B.2.a.4) huruf d): the addressed UO head answers that nobody suitable is available, with reasons")
    func acrossAgenciesUnavailable() throws {
        let harness = try run(J.harness(), Self.instructedAcrossAgencies("JPR-31") + [
            J.line("v4", "JPR-31", "report_unavailable", J.kabidJatengTangkap, day: 6, ["reason": "Pengawas perikanan bertugas di Karimunjawa"]),
            J.line("v5", "JPR-31", "send_unavailable", J.sekdaJateng, day: 7),
        ])
        #expect(try harness.state("JPR-31")?.state == "closed_unavailable")
    }

    // MARK: Lampiran B.2.b — pengajuan sukarela

    @Test("Lampiran B.2.b.1): sukarela within the UO: oral wish, the UO head approves and assigns, the employee accepts")
    func volunteeringWithin() throws {
        let harness = try run(J.harness(), [
            J.line("s1", "JPR-40", "apply", J.statistisi, day: 3, ["purpose": "Statistik sektoral kominfo"], workflow: "pengajuan_sukarela.dalam-uo"),
            J.line("s2", "JPR-40", "approve", J.kabidAptika, day: 4),
            J.line("s3", "JPR-40", "approve", J.kadisKominfo, day: 4),
            J.line("s4", "JPR-40", "accept", J.statistisi, day: 5),
        ])
        #expect(try harness.refusal("s2")?.code == .wrongActor)
        let state = try #require(try harness.state("JPR-40"))
        #expect(state.state == "accepted")
        #expect(state.fields["applicant"] == .string(J.statistisi))
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DISKOMINFO/2025"])
    }

    @Test("Lampiran B.2.b.2): sukarela across UO: the target UO head approves first, then the own UO head, who issues the surat penugasan")
    func volunteeringAcross() throws {
        let harness = try run(J.harness(), [
            J.line("v1", "JPR-41", "apply", J.prakomPertama, day: 3, ["target_unit": "dinkes", "purpose": "Aplikasi surveilans",
                                                                      "duration": J.duration], workflow: "pengajuan_sukarela.lintas-uo"),
            J.line("v2", "JPR-41", "own_approve", J.kadisKominfo, day: 4),
            J.line("v3", "JPR-41", "target_approve", J.kadisKominfo, day: 4),
            J.line("v4", "JPR-41", "target_approve", J.kadinkes, day: 4),
            J.line("v5", "JPR-41", "forward_approval", J.prakomPertama, day: 5),
            J.line("v6", "JPR-41", "own_approve", J.kadisKominfo, day: 6),
            J.line("v7", "JPR-41", "accept", J.prakomPertama, day: 7),
        ])
        #expect(try harness.refusal("v2")?.code == .actionNotAllowed)   // the own head answers second
        #expect(try harness.refusal("v3")?.code == .wrongActor)
        let state = try #require(try harness.state("JPR-41"))
        #expect(state.state == "accepted")
        // Huruf a: the employee's own surat permohonan, copied to their own UO head; b: the target's persetujuan; c: the surat penugasan.
        #expect(state.letters.map(\.type) == ["surat_permohonan", "surat_persetujuan", "surat_penugasan"])
        #expect(state.letters.map(\.number) == ["", "800.1.11.1/1/DINKES/2025", "800.1.11.1/1/DISKOMINFO/2025"])
        let application = try #require(try IssuedLetters.load(state, in: harness.store).first)
        #expect(application.reference.numbering == .none && application.reference.id(of: "JPR-41") == "JPR-41/surat_permohonan/1")
        let content = try #require(application.record.content)
        #expect(content["signature"]?["nip"]?.stringValue == J.prakomPertama, "the Pejabat Fungsional writes and signs it")
        #expect(content["number"] == nil && content["kop"] == nil, "an employee's letter has no office number and no kop")
        #expect(content["cc"]?.arrayValue?.first?["holders"]?.arrayValue?.first?["nip"]?.stringValue == J.kadisKominfo,
                "ditembuskan kepada Pimpinan Unit Organisasi bersangkutan")
    }

    @Test("Lampiran B.2.b.2) huruf a): sukarela across UO names another UO of the same agency")
    func volunteeringAcrossNeedsAnotherUnit() throws {
        let harness = try run(J.harness(), [
            J.line("w1", "JPR-42", "apply", J.prakomPertama, day: 3, ["target_unit": "diskominfo", "purpose": "Aplikasi", "duration": J.duration],
                   workflow: "pengajuan_sukarela.lintas-uo"),
            J.line("w2", "JPR-43", "apply", J.prakomPertama, day: 3, ["target_unit": "jateng-dkp", "purpose": "Aplikasi", "duration": J.duration],
                   workflow: "pengajuan_sukarela.lintas-uo"),
        ])
        #expect(try harness.refusal("w1")?.code == .invalidField)
        #expect(try harness.refusal("w2")?.code == .invalidField)
    }

    // MARK: Pasal 14-15 and Lampiran B.4 — Satuan Kerja / squad

    private static func form(_ id: String, _ request: String, by head: String = J.kadisDiskan, lead: String = J.penyuluhMuda,
                             members: JSONValue = nips(J.penyuluhMuda, J.pengelolaProduksi), day: Int = 3) -> String {
        J.line(id, request, "form", head, day: day, ["squad_name": .string("Squad \(request)"), "service": "Pendataan produksi perikanan tangkap",
                                                     "lead": .string(lead), "members": members], workflow: "pembentukan_tim.dalam-uo")
    }

    /// The table of Lampiran B.4, as the regulation prints it.
    static let lampiranB4: [(String, Int)] = [
        ("Sekretariat Daerah", 27), ("Sekretariat DPRD", 8), ("Dinas Pendidikan, Pemuda dan Olahraga", 13),
        ("Dinas Pekerjaan Umum dan Penataan Ruang", 11), ("Dinas Perumahan Rakyat dan Kawasan Pemukiman", 6),
        ("Dinas Sosial Pemberdayaan Masyarakat dan Desa", 11),
        ("Dinas Pemberdayaan Perempuan Perlindungan Anak, Pengendalian Penduduk dan Keluarga Berencana", 9),
        ("Dinas Lingkungan Hidup", 9), ("Dinas Komunikasi dan Informatika", 8), ("Dinas Kesehatan", 11),
        ("Dinas Kependudukan dan Pencatatan Sipil", 11), ("Dinas Koperasi, UKM, Tenaga Kerja dan Transmigrasi", 9),
        ("Dinas Penanaman Modal dan Pelayanan Terpadu Satu Pintu", 6), ("Dinas Kearsipan dan Perpustakaan", 6),
        ("Dinas Ketahanan Pangan dan Pertanian", 13), ("Dinas Perikanan", 8), ("Dinas Pariwisata dan Kebudayaan", 9),
        ("Dinas Perindustrian dan Perdagangan", 9), ("Badan Perencanaan Pembangunan, Penelitian dan Pengembangan Daerah", 15),
        ("Badan Pengelolaan Keuangan dan Aset Daerah", 14), ("Badan Kepegawaian dan Pengembangan Sumber Daya Manusia", 8),
        ("Badan Penanggulangan Bencana Daerah", 6), ("Badan Kesatuan Bangsa dan Politik", 7),
        ("Satuan Polisi Pamong Praja dan Pemadam Kebakaran", 9), ("Rumah Sakit Umum Daerah R.A. Kartini", 15),
    ]

    @Test("Lampiran B.4: the sample directory carries the 25 Unit Organisasi of the table with their squad quotas; only the RSUD is flagged rsud")
    func quotaTable() throws {
        let path = Harness.repository.appendingPathComponent(J.directory).path
        let directory = try Directory.decode(try DocumentFile.read(path), source: path)
        let jepara = directory.units.values.filter { $0.kind == .department && directory.ancestor(of: $0.id, kind: .agency) == "jepara" }
        #expect(jepara.count == Self.lampiranB4.count)
        for (name, quota) in Self.lampiranB4 {
            let unit = jepara.first { $0.name == name }
            #expect(unit?.squadQuota == quota, "\(name)")
        }
        #expect(jepara.filter(\.isHospital).map(\.name) == ["Rumah Sakit Umum Daerah R.A. Kartini"])
    }

    @Test("Pasal 14 ayat (1) and Lampiran B.4: Dinas Perikanan forms its 8 squads; a 9th is refused naming Lampiran B.4 until one is dissolved")
    func squadQuota() throws {
        let harness = try run(J.harness(), (1...8).map { Self.form("q\($0)", "SQ-\($0)") })
        #expect(try (1...8).allSatisfy { try harness.state(RequestID("SQ-\($0)"))?.state == "formed" })
        try run(harness, [Self.form("q9", "SQ-9", day: 4)])
        let refusal = try #require(try harness.refusal("q9"))
        #expect(refusal.code == .ruleBroken)
        #expect(refusal.article?.contains("Lampiran B.4") == true)
        #expect(refusal.message.contains("Dinas Perikanan") && refusal.message.contains("8"))
        #expect(try harness.state("SQ-9") == nil)
        try run(harness, [
            J.line("q10", "SQ-3", "dissolve", J.kadisDiskan, day: 5, ["reason": "Digabung dengan squad pendataan"]),
            Self.form("q11", "SQ-9", day: 6),
        ])
        #expect(try harness.state("SQ-9")?.state == "formed")
    }

    @Test("Lampiran B.4: the quota holds when the extra squad arrives in the same daemon batch as the others")
    func squadQuotaInOneBatch() throws {
        let harness = try J.harness()
        try harness.submit((1...9).map { Self.form("b\($0)", "SB-\($0)") })
        let reports = try harness.drain()
        #expect(reports.count == 1)
        #expect((reports.first?.done, reports.first?.refused) == (8, 1))
        #expect(try harness.refusal("b9")?.code == .ruleBroken)
        // Other Unit Organisasi keep their own quota.
        try run(harness, [Self.form("b10", "SB-10", by: J.direkturRSUD, lead: J.perawatMuda, members: nips(J.perawatMuda), day: 4)])
        #expect(try harness.state("SB-10")?.state == "formed")
    }

    @Test("Pasal 14 ayat (4): a squad with members from another UO is led by someone of the owner UO")
    func squadLeadFromOwner() throws {
        let harness = try run(J.harness(), [
            Self.form("o1", "SL-1", lead: J.prakomMuda, members: nips(J.prakomMuda, J.penyuluhMuda)),
            Self.form("o2", "SL-2", lead: J.penyuluhMuda, members: nips(J.prakomMuda, J.penyuluhMuda)),
        ])
        let refusal = try #require(try harness.refusal("o1"))
        #expect(refusal.code == .ruleBroken)
        #expect(refusal.article == "Pasal 14 ayat (4) Perbup Jepara 17/2024")
        #expect(try harness.state("SL-2")?.state == "formed")
    }

    @Test("Pasal 14 ayat (5) and Pasal 15: a PPPK does not lead a squad, except in the RSUD")
    func pppkLead() throws {
        let harness = try run(J.harness(), [
            Self.form("k1", "SK-1", lead: J.analisPasarPPPK, members: nips(J.analisPasarPPPK, J.penyuluhMuda)),
            Self.form("k2", "SK-2", by: J.direkturRSUD, lead: J.perawatPPPK, members: nips(J.perawatPPPK, J.perawatMuda)),
        ])
        let refusal = try #require(try harness.refusal("k1"))
        #expect(refusal.code == .ruleBroken)
        #expect(refusal.article == "Pasal 14 ayat (5) dan Pasal 15 Perbup Jepara 17/2024")
        #expect(try harness.state("SK-2")?.state == "formed")
    }

    @Test("Pasal 16 ayat (2)-(4): the UO head asks for a report, a member reports to the lead, the lead reports to the UO head")
    func squadReporting() throws {
        let harness = try run(J.harness(), [
            Self.form("r1", "SR-1"),
            J.line("r2", "SR-1", "request_report", J.kadisDiskan, day: 10, ["report_request": "Capaian pendataan Maret"]),
            J.line("r3", "SR-1", "report_to_lead", J.pengelolaProduksi, day: 11, ["report": "42 kapal terdata"]),
            J.line("r4", "SR-1", "report", J.pengelolaProduksi, day: 12, ["report": "42 kapal terdata"]),
            J.line("r5", "SR-1", "report", J.penyuluhMuda, day: 12, ["report": "Squad: 42 kapal terdata, 3 TPI selesai"]),
            J.line("r6", "SR-1", "request_report", J.penyuluhMuda, day: 13, ["report_request": "Laporan"]),
        ])
        #expect(try harness.refusal("r4")?.code == .wrongActor)   // the lead reports for the squad
        #expect(try harness.refusal("r6")?.code == .wrongActor)
        let state = try #require(try harness.state("SR-1"))
        #expect(state.state == "formed")
        #expect(state.participants["report"] == [NIP(J.penyuluhMuda)])
        #expect(state.participants["report_to_lead"] == [NIP(J.pengelolaProduksi)])
    }

    @Test("Pasal 14 ayat (1): only the head of the Unit Organisasi forms a squad")
    func squadFormedByUOHead() throws {
        let harness = try run(J.harness(), [Self.form("h1", "SH-1", by: J.kabidTangkap)])
        #expect(try harness.refusal("h1")?.code == .wrongActor)
    }

    // MARK: Acting officials and the date in force

    @Test("Lampiran B.2.a.1) huruf c): a Plh Kepala Dinas approves inside the dates of the Plh, not after")
    func plhInsideDates() throws {
        let propose = { (id: String, request: String, day: Int) in
            J.line(id, request, "propose", J.kabidTangkap, day: day, ["nominees": nips(J.penyuluhMuda), "purpose": "Pendataan",
                                                                     "duration": J.duration], workflow: "penunjukan.dalam-uk")
        }
        let harness = try run(J.harness(), [
            propose("h1", "JPR-50", 11), J.line("h2", "JPR-50", "approve", J.kabidBudidaya, day: 12),
            propose("h3", "JPR-51", 21), J.line("h4", "JPR-51", "approve", J.kabidBudidaya, day: 24),
        ])
        #expect(try harness.state("JPR-50")?.state == "letter_issued")
        let event = try #require(try harness.store.events(of: "JPR-50").last?.decode())
        #expect(event.detail.capacity == .plh)
        #expect(event.detail.actorTitle == "Plh. Kepala Dinas Perikanan")
        #expect(try harness.refusal("h4")?.code == .wrongActor)
        #expect(try harness.state("JPR-51")?.state == "proposed")
    }

    @Test("Pasal 22: a request dated before 26 August 2024 is refused; the regulation is not yet in force")
    func notYetInForce() throws {
        let harness = try J.harness()
        try harness.submit([Harness.line("f1", "JPR-60", "appoint", J.kadisDiskan, at: "2024-08-25T09:00:00+07:00",
                                         ["work_unit": "diskan-tangkap", "nominees": nips(J.penyuluhMuda), "purpose": "Pendataan", "duration": J.duration],
                                         workflow: "jepara.penunjukan.dalam-uk"),
                            Harness.line("f2", "JPR-61", "appoint", J.kadisDiskan, at: "2024-08-26T09:00:00+07:00",
                                         ["work_unit": "diskan-tangkap", "nominees": nips(J.penyuluhMuda), "purpose": "Pendataan", "duration": J.duration],
                                         workflow: "jepara.penunjukan.dalam-uk")])
        try harness.drain()
        let refusal = try #require(try harness.refusal("f1"))
        #expect(refusal.code == .notInForce)
        #expect(refusal.article?.contains("Peraturan Bupati Jepara Nomor 17 Tahun 2024") == true)
        #expect(try harness.state("JPR-61")?.state == "letter_issued")
    }
}
