import LintasCore
import LintasEngine
import LintasStore
import TestSupport
import Testing

/// What this file's walks share beside the people (TestSupport.BaritoUtara).
fileprivate extension BaritoUtara {
    static func harness() throws -> Harness { try Harness(directory: directory) }

    static let order: [String: JSONValue] = ["purpose": "Penyelidikan kasus malaria", "performance_target": "Laporan penyelidikan 5 desa",
                                             "duration": period("2025-04-01", "2025-06-30"),
                                             "arrangements": "Berkoordinasi dengan Puskesmas setempat"]
}

@Suite("Perbup Barito Utara 18/2024: every procedure with the sample directory")
struct BaritoUtaraProcedureTests {
    fileprivate typealias B = BaritoUtara

    /// Pasal 17 ayat (3)-(4): whose surat perintah each position takes, and someone who is not their PPK.
    static let appraisers: [(nominee: String, ppk: String, notPPK: String)] = [
        (B.epidemiologMadya, B.kadinkes, B.kabidP2P),            // ahli madya: under the JPT Pratama
        (B.epidemiologMuda, B.kabidP2P, B.kadinkes),             // ahli muda: under the Administrator
        (B.epidemiologPertama, B.kabidP2P, B.kadinkes),          // ahli pertama, no Pengawas in the Bidang: one level above
        (B.prakomTerampilPPPK, B.kasubbagUmpeg, B.sekretarisDinkes), // keterampilan: under the Pengawas
        (B.pengadministrasiUmpeg, B.kasubbagUmpeg, B.sekretarisDinkes), // pelaksana: under the Pengawas
    ]

    @Test("Pasal 20 ayat (1) with Pasal 17: the surat perintah within one unit organisasi comes from the nominee's PPK by jenjang", arguments: appraisers)
    func individualWithinByAppraiser(_ row: (nominee: String, ppk: String, notPPK: String)) throws {
        let harness = try B.harness()
        let data = B.order.merging(["nominee": .string(row.nominee)])
        let refusals = try Walk(harness, request: "BU-20-1", workflow: "barito-utara.penunjukan.dalam-uo").take(from: "2025-03-03", [
            Step("issue", by: row.notPPK, data),
            Step("issue", by: row.ppk, data),
            Step("accept", by: row.nominee),
        ])
        #expect(refusals.map { $0?.code } == [.wrongActor, nil, nil])
        let state = try #require(try harness.state("BU-20-1"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DINKES/2025"])
        #expect(try harness.events("BU-20-1").first?.detail.role == "ppk")
    }

    @Test("Pasal 20 ayat (2): a surat perintah without its other arrangements (huruf d) is refused")
    func individualWithinNeedsAllItems() throws {
        let harness = try B.harness()
        var data = B.order.merging(["nominee": .string(B.epidemiologMuda)])
        data["arrangements"] = nil
        let refusals = try Walk(harness, request: "BU-20-2", workflow: "barito-utara.penunjukan.dalam-uo").take(from: "2025-03-03", [Step("issue", by: B.kabidP2P, data)])
        #expect(refusals[0]?.code == .missingField)
        #expect(refusals[0]?.article == "Pasal 20 ayat (2) huruf d Perbup Barito Utara 18/2024")
    }

    @Test("Pasal 20 ayat (3)-(4) huruf a: across unit organisasi of one Perangkat Daerah, the Kepala Perangkat Daerah sets the surat perintah")
    func individualAcrossOrgUnits() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Survei gizi balita", competence: "Analisis data epidemiologi",
                                      target: "Peta risiko stunting").merging(["target_unit": "dinkes-p2p"])
        let refusals = try Walk(harness, request: "BU-20-4A", workflow: "barito-utara.penunjukan.lintas-uo").take(from: "2025-03-03", [
            Step("submit", by: B.kabidKesmas, request),
            Step("approve", by: B.kabidP2P, ["nominee": .string(B.epidemiologPertama)]),
            Step("issue_letter", by: B.kabidP2P),
            Step("issue_letter", by: B.kadinkes),
            Step("accept", by: B.epidemiologPertama),
        ])
        #expect(refusals.map { $0?.code } == [nil, nil, .wrongActor, nil, nil])
        #expect(refusals[2]?.article == "Pasal 20 ayat (4) huruf a Perbup Barito Utara 18/2024")
        let state = try #require(try harness.state("BU-20-4A"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DINKES/2025", "800.1.11.1/2/DINKES/2025"],
                "the surat permohonan (ayat (3)) and the surat perintah (ayat (4) huruf a) of the Dinas: one register for the code 800.1.11.1, so no number is printed twice")
    }

    @Test("Pasal 20 ayat (3): across unit organisasi means the same Perangkat Daerah; another one is refused")
    func acrossOrgUnitsStaysInDepartment() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Aplikasi", competence: "Pemrograman", target: "Aplikasi").merging(["target_unit": "diskominfo-aptika"])
        let refusals = try Walk(harness, request: "BU-20-3", workflow: "barito-utara.penunjukan.lintas-uo").take(from: "2025-03-03", [Step("submit", by: B.kabidKesmas, request)])
        #expect(refusals[0]?.code == .invalidField)
    }

    @Test("Pasal 20 ayat (4) huruf b: across Perangkat Daerah only the Sekretaris Daerah sets the surat perintah")
    func individualAcrossDepartmentsBySekda() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Validasi data penyakit untuk dasbor", competence: "Epidemiologi",
                                      target: "Dasbor tervalidasi").merging(["target_unit": "dinkes-p2p"])
        let refusals = try Walk(harness, request: "BU-20-4B", workflow: "barito-utara.penunjukan.lintas-pd").take(from: "2025-03-03", [
            Step("submit", by: B.kabidAptika, request),
            Step("approve", by: B.kabidP2P, ["nominee": .string(B.epidemiologMuda)]),
            Step("issue_letter", by: B.kadinkes),
            Step("issue_letter", by: B.sekda),
            Step("accept", by: B.epidemiologMuda),
        ])
        #expect(refusals.map { $0?.code } == [nil, nil, .wrongActor, nil, nil])
        #expect(refusals[2]?.article == "Pasal 20 ayat (4) huruf b Perbup Barito Utara 18/2024")
        let state = try #require(try harness.state("BU-20-4B"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DISKOMINFOSP/2025", "800.1.11.1/1/SETDA/2025"])
    }

    @Test("The Plh. Kepala Dinas Kesehatan sets a surat perintah only from 10 to 14 March 2025")
    func plhActsOnlyInsideDates() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Survei", competence: "Epidemiologi", target: "Laporan").merging(["target_unit": "dinkes-p2p"])
        let inside = try Walk(harness, request: "BU-PLH-1", workflow: "barito-utara.penunjukan.lintas-uo").take(from: "2025-03-09", [
            Step("submit", by: B.kabidKesmas, request),
            Step("approve", by: B.kabidP2P, ["nominee": .string(B.epidemiologPertama)]),
            Step("issue_letter", by: B.sekretarisDinkes),
        ])
        let after = try Walk(harness, request: "BU-PLH-2", workflow: "barito-utara.penunjukan.lintas-uo").take(from: "2025-03-13", [
            Step("submit", by: B.kabidKesmas, request),
            Step("approve", by: B.kabidP2P, ["nominee": .string(B.epidemiologPertama)]),
            Step("issue_letter", by: B.sekretarisDinkes),
            Step("issue_letter", by: B.kadinkes),
        ])
        #expect(inside.allSatisfy { $0 == nil })
        let letter = try #require(try harness.events("BU-PLH-1").last)
        #expect(letter.detail.capacity == .plh)
        #expect(letter.detail.actorTitle == "Plh. Kepala Dinas Kesehatan")
        #expect(after.map { $0?.code } == [nil, nil, .wrongActor, nil], "on 15 March the Plh no longer acts")
    }

    @Test("A Plh displaces the Kepala Dinas Kesehatan while the Kepala is berhalangan sementara (10-14 March 2025): the Kepala's own step is refused and says why; before and after, the Kepala acts")
    func plhDisplacesTheHolder() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Survei", competence: "Epidemiologi", target: "Laporan").merging(["target_unit": "dinkes-p2p"])
        let walk = Walk(harness, request: "BU-PLH-3", workflow: "barito-utara.penunjukan.lintas-uo")
        let opened = try walk.take(from: "2025-03-08", [
            Step("submit", by: B.kabidKesmas, request),
            Step("approve", by: B.kabidP2P, ["nominee": .string(B.epidemiologPertama)]),
        ])
        #expect(opened.allSatisfy { $0 == nil })
        let refusal = try #require(try walk.take("issue_letter", by: B.kadinkes, on: "2025-03-11"))
        #expect(refusal.code == .wrongActor)
        #expect(refusal.message.contains("Plh. Kepala Dinas Kesehatan"), "\(refusal.message)")
        #expect(refusal.message.contains("10 Maret 2025") && refusal.message.contains("14 Maret 2025"), "\(refusal.message)")
        #expect(refusal.message.contains("berhalangan sementara"), "\(refusal.message)")
        #expect(try walk.take("issue_letter", by: B.sekretarisDinkes, on: "2025-03-11") == nil)
        #expect(try harness.events("BU-PLH-3").last?.detail.capacity == .plh)

        let before = Walk(harness, request: "BU-PLH-4", workflow: "barito-utara.penunjukan.lintas-uo")
        let steps = try before.take(from: "2025-03-07", [
            Step("submit", by: B.kabidKesmas, request),
            Step("approve", by: B.kabidP2P, ["nominee": .string(B.epidemiologPertama)]),
            Step("issue_letter", by: B.kadinkes),
        ])
        #expect(steps.allSatisfy { $0 == nil }, "on 9 March the Kepala acts: \(steps)")
        #expect(try harness.events("BU-PLH-4").last?.detail.capacity == .definitive)
    }

    @Test("Pasal 21 ayat (1): a tim kerja within one unit organisasi, by surat perintah of the members' PPK")
    func teamWithinOrgUnit() throws {
        let harness = try B.harness()
        let team = B.order.merging(["unit": "dinkes-p2p", "lead": .string(B.epidemiologMuda), "members": nips(B.epidemiologPertama, B.pengelolaP2PPPPK)])
        let refusals = try Walk(harness, request: "BU-21-1", workflow: "barito-utara.pembentukan-tim.dalam-uo").take(from: "2025-03-03", [
            Step("issue", by: B.kabidKesmas, team),
            Step("issue", by: B.kabidP2P, team),
            Step("accept", by: B.epidemiologPertama),
            Step("accept", by: B.pengelolaP2PPPPK),
        ])
        #expect(refusals.map { $0?.code } == [.wrongActor, nil, nil, nil])
        let state = try #require(try harness.state("BU-21-1"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.type) == ["surat_perintah"])
    }

    @Test("Pasal 21 ayat (2)-(4) and Pasal 22 ayat (3): a team across Perangkat Daerah, answered in writing, set by the Sekretaris Daerah; a Ketua from outside the owner is a warning")
    func teamAcrossDepartments() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Sistem informasi kewaspadaan dini", competence: "Surveilans dan analisis data",
                                      target: "Notifikasi KLB otomatis").merging(["target_unit": "dinkes-p2p"])
        let steps: (String) -> [Step] = { lead in [
            Step("submit", by: B.kabidAptika, request),
            Step("approve", by: B.kabidP2P, ["nominees": nips(B.epidemiologMuda, B.epidemiologPertama)]),
            Step("issue_letter", by: B.kadisKominfo, ["lead": .string(lead), "members": nips(B.prakomMuda)]),
            Step("issue_letter", by: B.sekda, ["lead": .string(lead), "members": nips(B.prakomMuda)]),
            Step("accept", by: B.epidemiologMuda),
            Step("accept", by: B.epidemiologPertama),
        ] }
        let fromTarget = try Walk(harness, request: "BU-21-4A", workflow: "barito-utara.pembentukan-tim.lintas-pd").take(from: "2025-03-03", steps(B.epidemiologMuda))
        let fromOwner = try Walk(harness, request: "BU-21-4B", workflow: "barito-utara.pembentukan-tim.lintas-pd").take(from: "2025-03-03", steps(B.prakomMuda))
        for refusals in [fromTarget, fromOwner] {
            #expect(refusals.map { $0?.code } == [nil, nil, .wrongActor, nil, nil, nil])
        }
        let warned = try #require(try harness.state("BU-21-4A"))
        #expect(warned.state == "accepted")
        #expect(warned.warnings.count == 1)
        #expect(warned.warnings.first?.hasSuffix("[Pasal 22 ayat (3) Perbup Barito Utara 18/2024]") == true)
        #expect(warned.letters.map(\.type) == ["surat_permohonan", "surat_jawaban", "surat_perintah"])
        #expect(warned.letters.map(\.number) == ["800.1.11.1/1/DISKOMINFOSP/2025", "800.1.11.1/1/DINKES/2025", "800.1.11.1/1/SETDA/2025"])
        #expect(try harness.state("BU-21-4B")?.warnings == [])
    }

    @Test("Pasal 21 ayat (2)-(3): a team across unit organisasi of one Perangkat Daerah, set by the Kepala Perangkat Daerah")
    func teamAcrossOrgUnits() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Intervensi gizi terpadu", competence: "Epidemiologi", target: "Penurunan stunting 2%")
            .merging(["target_unit": "dinkes-p2p"])
        let refusals = try Walk(harness, request: "BU-21-UO", workflow: "barito-utara.pembentukan-tim.lintas-uo").take(from: "2025-03-03", [
            Step("submit", by: B.kabidKesmas, request),
            Step("approve", by: B.kabidP2P, ["nominees": nips(B.epidemiologPertama)]),
            Step("issue_letter", by: B.kadinkes, ["lead": .string(B.nutrisionisMuda)]),
            Step("accept", by: B.epidemiologPertama),
        ])
        #expect(refusals.allSatisfy { $0 == nil })
        let state = try #require(try harness.state("BU-21-UO"))
        #expect(state.state == "accepted")
        #expect(state.warnings == [])
    }

    @Test("Pasal 21 ayat (3): a refusal is answered in writing with its reason; without a reason it is refused")
    func teamRefusalNeedsReason() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Aplikasi", competence: "Pemrograman", target: "Aplikasi").merging(["target_unit": "diskominfo-aptika"])
        let refusals = try Walk(harness, request: "BU-21-3", workflow: "barito-utara.pembentukan-tim.lintas-pd").take(from: "2025-03-03", [
            Step("submit", by: B.kabidP2P, request),
            Step("reject", by: B.kabidAptika),
            Step("reject", by: B.kabidAptika, ["reason": "Seluruh Pranata Komputer sedang menangani migrasi pusat data"]),
        ])
        #expect(refusals.map { $0?.code } == [nil, .missingField, nil])
        #expect(refusals[1]?.article == "Pasal 21 ayat (3) Perbup Barito Utara 18/2024")
        let state = try #require(try harness.state("BU-21-3"))
        #expect(state.state == "rejected")
        #expect(state.letters.map(\.type) == ["surat_permohonan", "surat_jawaban"])
    }

    @Test("Pasal 23 ayat (4)-(5): sukarela across, the PPK approves first and then sets the assignment")
    func volunteeringAcrossWithAppraiser() throws {
        let harness = try B.harness()
        let refusals = try Walk(harness, request: "BU-23", workflow: "barito-utara.pengajuan-sukarela.lintas-uo").take(from: "2025-03-03", [
            Step("apply", by: B.nutrisionisMuda, ["owner_unit": "dinkes-p2p", "involvement": "Analisis gizi pada kasus diare",
                                                  "duration": period("2025-04-01", "2025-06-30")]),
            Step("agree", by: B.kabidP2P),
            Step("endorse", by: B.kabidKesmas),
            Step("agree", by: B.kabidP2P),
            Step("issue_letter", by: B.kabidP2P),
            Step("issue_letter", by: B.kabidKesmas),
            Step("accept", by: B.nutrisionisMuda),
        ])
        #expect(refusals.map { $0?.code } == [nil, .actionNotAllowed, nil, nil, .wrongActor, nil, nil])
        let state = try #require(try harness.state("BU-23"))
        #expect(state.state == "accepted")
        #expect(try harness.events("BU-23").map(\.action) == ["apply", "endorse", "agree", "issue_letter", "accept"])
    }

    @Test("Pasal 35: the regulation is in force from 2 September 2024; a step dated the day before is refused")
    func notInForceBeforePromulgation() throws {
        let harness = try B.harness()
        let refusals = try Walk(harness, request: "BU-35", workflow: "barito-utara.penunjukan.dalam-uo").take(from: "2024-09-01", [
            Step("issue", by: B.kabidP2P, B.order.merging(["nominee": .string(B.epidemiologMuda)])),
        ])
        #expect(refusals[0]?.code == .notInForce)
    }

    @Test("Pasal 19 ayat (2): across agencies by the national chain, the Provinsi Kalimantan Tengah asks Barito Utara; a returned answer is given again")
    func nationalChainToBaritoUtara() throws {
        let harness = try B.harness()
        let request = requestContents(purpose: "Penanggulangan KLB malaria di DAS Barito", competence: "Epidemiologi lapangan",
                                      target: "Penyelidikan epidemiologi 10 desa").merging(["target_unit": "dinkes-p2p"])
        let refusals = try Walk(harness, request: "BU-19-2", workflow: "national.penunjukan.lintas-instansi").take(from: "2025-03-03", [
            Step("submit", by: B.kabidP2PKalteng, request),
            Step("forward", by: B.sekdaKalteng),
            Step("instruct", by: B.sekda),
            Step("answer", by: B.kabidP2P, ["nominees": nips(B.epidemiologPertama)]),
            Step("return_answer", by: B.sekda),
            Step("return_answer", by: B.sekda, ["reason": "Kriteria meminta epidemiolog berpengalaman lapangan"]),
            Step("answer", by: B.kabidP2P, ["nominees": nips(B.epidemiologMuda)]),
            Step("approve_answer", by: B.sekda),
            Step("send_reply", by: B.sekda),
            Step("issue_letter", by: B.kabidP2P),
            Step("accept", by: B.epidemiologMuda),
        ])
        #expect(refusals.map { $0?.code } == [nil, nil, nil, nil, .missingField, nil, nil, nil, nil, nil, nil])
        let state = try #require(try harness.state("BU-19-2"))
        #expect(state.state == "accepted")
        #expect(state.fields["nominees"] == nips(B.epidemiologMuda))
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DINKESPROV/2025", "800.1.11.1/1/KALTENG/2025", "800.1.11.1/1/BARUT/2025", "800.1.11.1/1/DINKES/2025"])
    }
}
