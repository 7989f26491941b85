import Foundation
import LintasCore
import TestSupport
import Testing

/// Golden copies of every letter a procedure issues, per regulation, as `lintas letter show`
/// prints them (text and HTML). Regenerate on purpose with
/// `LINTAS_UPDATE_GOLDEN=1 swift test --filter LetterGoldenTests`, then read the diff.
enum Golden {
    static let folder = Lintas.repository.appendingPathComponent("Tests/LintasCLITests/Golden")
    static var updating: Bool { ProcessInfo.processInfo.environment["LINTAS_UPDATE_GOLDEN"] == "1" }

    /// Compares `actual` with the golden file `name`, or rewrites the file when updating.
    static func check(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let url = folder.appendingPathComponent(name)
        if updating {
            try? actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            Issue.record("golden file \(name) is missing; create it with LINTAS_UPDATE_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        guard actual != expected else { return }
        let got = actual.components(separatedBy: "\n"), want = expected.components(separatedBy: "\n")
        let line = zip(got, want).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(got.count, want.count)
        Issue.record("""
            \(name) differs from the golden copy at line \(line + 1):
              golden: \(line < want.count ? want[line] : "<end of file>")
              actual: \(line < got.count ? got[line] : "<end of file>")
            If the change is intended, regenerate with LINTAS_UPDATE_GOLDEN=1 swift test --filter LetterGoldenTests and review the diff.
            """, sourceLocation: sourceLocation)
    }

    /// `Pasal 11 ayat (4) huruf d` → `11-4-d`; `Lampiran B.2.a.3) huruf b)` → `b-2-a-3-b`.
    static func slug(_ article: String) -> String {
        var text = article.lowercased()
        for word in ["pasal", "ayat", "huruf", "angka", "lampiran", "butir"] { text = text.replacingOccurrences(of: word, with: " ") }
        return text.split { !($0.isLetter || $0.isNumber) }.joined(separator: "-")
    }
}

/// One regulation's procedures walked through the real `lintas` on a real SQLite file.
struct LetterScenario {
    var regency: String
    var directory: String
    /// Command lines in order; the first of each request names its workflow.
    var lines: [String]

    /// `lintas` with the shipped workflows and this regency's sample directory, the lines processed.
    func run() throws -> Lintas {
        let lintas = try Lintas()
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        try lintas.expectSuccess(["org", "import", Lintas.repository.appendingPathComponent("workflows/directories/\(directory).json").path])
        try lintas.process(lines)
        return lintas
    }

    /// One command line; `day` is a day of March 2026, at 09:00 in the regency's zone. All five are on WIB (UTC+7):
    /// Grobogan, Pemalang and Jepara in Jawa Tengah, Bungo in Jambi, and Barito Utara in Kalimantan Tengah, which
    /// keeps WIB like Kalimantan Barat (WITA starts with Kalimantan Selatan); the sample directories say `"time_zone": "WIB"`.
    static func line(_ id: String, _ request: String, _ action: String, _ actor: String, day: Int, _ data: [String: JSONValue] = [:],
                     workflow: String? = nil, zone: String = "+07:00") -> String {
        var members: [String: JSONValue] = ["id": .string(id), "request": .string(request), "action": .string(action), "actor": .string(actor),
                                            "at": .string(String(format: "2026-03-%02dT09:00:00", day) + zone), "data": .object(data)]
        if let workflow { members["workflow"] = .string(workflow) }
        return JSONValue.object(members).canonicalText
    }

    static func nips(_ values: String...) -> JSONValue { .array(values.map { .string($0) }) }
}

@Suite("Letters of every regulation: golden text and HTML through the real lintas, required contents, tembusan in order")
struct LetterGoldenTests {
    typealias S = LetterScenario
    static let duration: JSONValue = .object(["start": "2026-04-01", "end": "2026-09-30"])
    static func contents(_ purpose: String, _ competence: String, _ target: String) -> [String: JSONValue] {
        ["purpose": .string(purpose), "competence": .string(competence), "performance_target": .string(target), "duration": duration]
    }

    /// Barito Utara's Pasal 20 ayat (2): what a surat perintah carries besides the people.
    static let baritoUtaraOrder: [String: JSONValue] = ["purpose": "Penyelidikan kasus malaria", "performance_target": "Laporan penyelidikan 5 desa",
                                                       "duration": duration, "arrangements": "Berkoordinasi dengan Puskesmas setempat"]

    /// One request walked step by step: each step a day after the one before, from `day` of March 2026.
    /// - Parameters:
    ///   - steps: (action, actor, data); the first opens the request in `workflow`.
    static func walk(_ request: String, _ workflow: String, day: Int = 2, _ steps: [(String, String, [String: JSONValue])]) -> [String] {
        steps.enumerated().map { offset, step in
            S.line("\(request)-\(offset + 1)", request, step.0, step.1, day: day + offset, step.2, workflow: offset == 0 ? workflow : nil)
        }
    }

    /// Every letter-producing step of each regulation, walked with the actors its article names. Scenario
    /// indices 0-4 (one per regency) are used by the tests below; a regency has one scenario, so its golden
    /// file names (`<regency>-<article>-<type>`) never meet another scenario's.
    static let scenarios: [LetterScenario] = [
        // Pemalang Pasal 11 ayat (3), (4) huruf a, c and d, ayat (5) huruf a, b, d, e; Pasal 12 ayat (3) huruf b, (4) huruf b; Pasal 13 ayat (2).
        S(regency: "pemalang", directory: "pemalang", lines: [
            Pemalang.submit("PML-4D"),
            S.line("d1", "PML-4D", "reject", Pemalang.kadisKominfo, day: 3, ["reason": "Pranata Komputer sedang menyelesaikan migrasi SPBE sampai Juni 2026"]),
            S.line("e1", "PML-5", "submit", Pemalang.kadinkes, day: 2,
                   Pemalang.contents.merging(["owner_unit": "dinkes-p2p", "target_agency": "pekalongan"]) { $1 }.filter { $0.key != "target_unit" },
                   workflow: "pemalang.penunjukan.lintas-instansi"),
            S.line("e2", "PML-5", "forward", Pemalang.sekda, day: 3),
            S.line("e3", "PML-5", "instruct", Pemalang.sekdaPekalongan, day: 4, ["target_unit": "pekalongan-dinkominfo-statistik"]),
            S.line("e4", "PML-5", "answer_available", Pemalang.kabidStatistikPekalongan, day: 5,
                   ["nominees": S.nips(Pemalang.statistisiPekalongan, Pemalang.prakomPekalonganPPPK)]),
            S.line("e5", "PML-5", "approve_answer", Pemalang.sekdaPekalongan, day: 6),
            S.line("e6", "PML-5", "issue_letter", Pemalang.kadisKominfoPekalongan, day: 9, ["staffing_department": "pekalongan-bkpsdm"]),
        ] + walk("PML-113", "pemalang.penunjukan.dalam-uo", [
            ("assign", Pemalang.kabidAptika, ["nominees": S.nips(Pemalang.prakomMuda, Pemalang.prakomPertama),
                                              "purpose": "Pengembangan aplikasi layanan perizinan", "duration": duration]),
        ]) + walk("PML-4C", Pemalang.workflow, [
            ("submit", Pemalang.kabidP2P, Pemalang.contents), ("recommend", Pemalang.kadisKominfo, [:]),
            ("approve", Pemalang.kabidAptika, ["nominees": S.nips(Pemalang.prakomMuda, Pemalang.prakomPertama)]),
            ("issue_letter", Pemalang.kadisKominfo, [:]),
        ]) + walk("PML-5D", "pemalang.penunjukan.lintas-instansi", [
            ("submit", Pemalang.kadinkes, Pemalang.contents.merging(["owner_unit": "dinkes-p2p", "target_agency": "pekalongan"]) { $1 }.filter { $0.key != "target_unit" }),
            ("forward", Pemalang.sekda, [:]), ("instruct", Pemalang.sekdaPekalongan, ["target_unit": "pekalongan-dinkominfo-statistik"]),
            ("answer_unavailable", Pemalang.kabidStatistikPekalongan, ["reason": "Statistisi sedang menyusun Pekalongan Dalam Angka 2026"]),
            ("confirm_unavailable", Pemalang.sekdaPekalongan, [:]),
        ]) + walk("PML-123", "pemalang.pengajuan-sukarela.dalam-uo", [
            ("apply", Pemalang.epidemiologPertama, ["purpose": "Penyelidikan epidemiologi DBD"]), ("agree", Pemalang.kabidP2P, [:]),
            ("approve", Pemalang.kadinkes, [:]), ("assign", Pemalang.kabidP2P, ["duration": duration]),
        ]) + walk("PML-124", "pemalang.pengajuan-sukarela.lintas-uo", [
            ("apply", Pemalang.epidemiologTerampil, ["target_unit": "diskominfo-aptika", "purpose": "Uji coba aplikasi pelaporan imunisasi", "duration": duration]),
            ("approve_appraiser", Pemalang.kasiSurveilans, [:]), ("approve_own_head", Pemalang.kabidP2P, [:]), ("approve", Pemalang.kabidAptika, [:]),
            ("draft_letter", Pemalang.kabidP2P, [:]), ("issue_letter", Pemalang.kadinkes, [:]),
        ]) + walk("PML-13", "pemalang.pembentukan-tim.lintas-uo", [
            ("form", Pemalang.kabidAptika, ["lead": .string(Pemalang.prakomMuda), "members": S.nips(Pemalang.prakomPertama, Pemalang.statistisi),
                                            "purpose": "Satu data kesehatan", "performance_target": "Portal data terintegrasi", "duration": duration]),
        ])),
        // Grobogan Pasal 11 ayat (2)-(4); ayat (5) by the national chain to the Provinsi Jawa Tengah; Pasal 12 ayat (2) huruf b, (3) huruf b; Pasal 14.
        S(regency: "grobogan", directory: "grobogan", lines: [
            S.line("g1", "GBG-11", "submit", Grobogan.kabidP2P, day: 2,
                   contents("Aplikasi surveilans penyakit", "Pengembangan aplikasi web", "Aplikasi dipakai 30 Puskesmas")
                       .merging(["target_unit": "diskominfo-aptika"]) { $1 }, workflow: "grobogan.penunjukan.lintas-pd"),
            S.line("g2", "GBG-11", "issue_letter", Grobogan.kabidAptika, day: 4, ["nominees": S.nips(Grobogan.prakomMuda, Grobogan.prakomPertamaPPPK)]),
        ] + walk("GBG-11-2", "grobogan.penunjukan.dalam-pd", [
            ("appoint", Grobogan.kabidP2P, ["nominees": S.nips(Grobogan.epidemiologMuda, Grobogan.sanitarian), "purpose": "Penyelidikan epidemiologi DBD", "duration": duration]),
        ]) + walk("GBG-11-5", "national.penunjukan.lintas-instansi", [
            ("submit", Grobogan.kabidP2P, contents("Integrasi data surveilans ke Satu Data", "Interoperabilitas sistem", "Data tersinkron harian")
                .merging(["target_unit": "jateng-diskominfo-aptika"]) { $1 }),
            ("forward", Grobogan.sekda, [:]), ("instruct", Grobogan.sekdaJateng, [:]),
            ("answer", Grobogan.kabidAptikaJateng, ["nominees": S.nips(Grobogan.prakomMudaJateng, Grobogan.prakomPertamaJateng)]),
            ("approve_answer", Grobogan.sekdaJateng, [:]), ("send_reply", Grobogan.sekdaJateng, [:]), ("issue_letter", Grobogan.kabidAptikaJateng, [:]),
        ]) + walk("GBG-12-2", "grobogan.pengajuan-sukarela.dalam-pd", [
            ("apply", Grobogan.humasMuda, ["unit": "diskominfo-ikp", "involvement": "Kampanye layanan aduan", "participation": "anggota Tim Kerja"]),
            ("approve", Grobogan.kabidIKP, ["duration": duration]),
        ]) + walk("GBG-12-3", "grobogan.pengajuan-sukarela.lintas-pd", [
            ("apply", Grobogan.analisBencana, ["home_unit": "bpbd-kedaruratan", "owner_unit": "dinkes-p2p", "involvement": "Pemetaan risiko penyakit pascabanjir"]),
            ("consent", Grobogan.kabidKedaruratan, [:]), ("approve", Grobogan.kabidP2P, ["duration": duration]), ("issue_letter", Grobogan.kabidKedaruratan, [:]),
        ]) + walk("GBG-14", "grobogan.pembentukan-tim.dalam-pd", [
            ("form", Grobogan.kabidKedaruratan, ["lead": .string(Grobogan.kasiKedaruratan),
                                            "members": S.nips(Grobogan.analisBencana, Grobogan.pengelolaKedaruratanPPPK, Grobogan.pengadministrasiLogistik),
                                            "purpose": "Kesiapsiagaan musim hujan", "performance_target": "Rencana kontinjensi 19 kecamatan", "duration": duration]),
        ])),
        // Bungo Pasal 6 ayat (2), (3) huruf a, c and d, (4) huruf a, b, e; Pasal 7 ayat (2) huruf b, (3) huruf b; Pasal 9 ayat (4).
        S(regency: "bungo", directory: "bungo", lines: [
            S.line("b1", "BGO-63", "submit", Bungo.kabidAptika, day: 2,
                   contents("Dasbor surveilans DBD", "Analisis data epidemiologi", "Dasbor terbit untuk 18 Puskesmas")
                       .merging(["target_unit": "dinkes-p2p", "nominee": .string(Bungo.epidemiologPertama)]) { $1 },
                   workflow: "bungo.penunjukan.lintas-uo"),
        ] + walk("BGO-62", "bungo.penunjukan.dalam-uo", [
            ("assign", Bungo.kabidAptika, ["nominees": S.nips(Bungo.prakomMuda, Bungo.prakomTerampilPPPK), "purpose": "Aplikasi antrean Puskesmas", "duration": duration]),
        ]) + walk("BGO-63C", "bungo.penunjukan.lintas-uo", [
            ("submit", Bungo.kabidAptika, contents("Dasbor surveilans DBD", "Analisis data epidemiologi", "Dasbor terbit untuk 18 Puskesmas")
                .merging(["target_unit": "dinkes-p2p", "nominee": .string(Bungo.epidemiologPertama)]) { $1 }),
            ("agree", Bungo.kasiSurveilans, [:]), ("recommend", Bungo.kabidP2P, [:]), ("issue_letter", Bungo.kasiSurveilans, [:]),
        ]) + walk("BGO-64", "bungo.penunjukan.lintas-instansi", [
            ("submit", Bungo.kabidP2P, contents("Dasbor surveilans penyakit menular", "Epidemiologi lapangan dan analisis data", "Laporan mingguan dari 19 Puskesmas")
                .merging(["target_agency": "tebo"]) { $1 }),
            ("forward", Bungo.sekda, [:]), ("instruct", Bungo.sekdaTebo, ["target_unit": "tebo-dinkes-p2p-surveilans"]), ("recommend", Bungo.kabidP2PTebo, [:]),
            ("answer_available", Bungo.kasiSurveilansTebo, ["nominees": S.nips(Bungo.epidemiologTebo, Bungo.epidemiologTeboPPPK)]),
            ("approve_answer", Bungo.sekdaTebo, [:]), ("issue_letter", Bungo.kabidP2PTebo, [:]),
        ]) + walk("BGO-72", "bungo.pengajuan-sukarela.dalam-uo", [
            ("apply", Bungo.epidemiologTerampilPPPK, ["purpose": "Pendataan imunisasi kejar"]), ("assign", Bungo.kabidP2P, ["duration": duration]),
        ]) + walk("BGO-73", "bungo.pengajuan-sukarela.lintas-uo", [
            ("apply", Bungo.epidemiologPertama, ["target_unit": "diskominfo-aptika", "purpose": "Uji coba aplikasi pelaporan imunisasi", "duration": duration]),
            ("approve_appraiser", Bungo.kasiSurveilans, [:]), ("approve_own_head", Bungo.kabidP2P, [:]), ("approve", Bungo.kabidAptika, [:]),
            ("issue_letter", Bungo.kabidP2P, [:]),
        ]) + walk("BGO-9", "bungo.pembentukan-tim.lintas-uo", [
            ("appoint", Bungo.kabidP2P, ["lead": .string(Bungo.kasiSurveilans), "members": S.nips(Bungo.epidemiologPertama, Bungo.prakomMuda),
                                       "purpose": "Sistem peringatan dini KLB", "duration": duration]),
            ("issue_letter", Bungo.kadinkes, [:]),
        ])),
        // Jepara Lampiran B.2.a.1)-4), B.2.b.1)-2) and the Satuan Kerja/Squad of Pasal 14 ayat (1).
        S(regency: "jepara", directory: "jepara", lines: [
            S.line("j1", "JPR-23", "submit", Jepara.kadisDiskan, day: 2,
                   contents("Dasbor produksi perikanan tangkap", "Pengembangan aplikasi web dan basis data", "Dasbor terbit untuk 11 TPI")
                       .merging(["target_unit": "diskominfo-aptika"]) { $1 }, workflow: "jepara.penunjukan.lintas-pd"),
            S.line("j2", "JPR-23", "dispose", Jepara.kadisKominfo, day: 3, ["direction": "Kabid Aptika: tindak lanjuti sesuai ketersediaan Pranata Komputer"]),
            S.line("j3", "JPR-23", "draft_refusal", Jepara.kabidAptika, day: 4, ["reason": "Pranata Komputer menangani SPBE sampai Desember 2026"]),
            S.line("j4", "JPR-23", "sign_refusal", Jepara.kadisKominfo, day: 5),
        ] + walk("JPR-1", "jepara.penunjukan.dalam-uk", [
            ("appoint", Jepara.kadisDiskan, ["work_unit": "diskan-tangkap", "nominees": S.nips(Jepara.penyuluhMuda, Jepara.pengelolaProduksi),
                                          "purpose": "Pendataan kapal", "duration": duration]),
        ]) + walk("JPR-2", "jepara.penunjukan.dalam-uk", [
            ("propose", Jepara.kabidTangkap, ["nominees": S.nips(Jepara.analisPasarPPPK), "purpose": "Analisis harga ikan", "duration": duration]),
            ("approve", Jepara.kadisDiskan, [:]),
        ]) + walk("JPR-10", "jepara.penunjukan.lintas-uk", [
            ("request", Jepara.kabidTangkap, contents("Pendataan produksi budidaya", "Penyuluhan perikanan", "Data 16 kecamatan")
                .merging(["target_unit": "diskan-budidaya"]) { $1 }),
            ("approve", Jepara.kabidBudidaya, ["nominees": S.nips(Jepara.penyuluhTerampil)]), ("propose", Jepara.kabidTangkap, [:]), ("issue_letter", Jepara.kadisDiskan, [:]),
        ]) + walk("JPR-11", "jepara.penunjukan.lintas-uk", [
            ("request", Jepara.kabidTangkap, contents("Pendataan produksi budidaya", "Penyuluhan perikanan", "Data 16 kecamatan")
                .merging(["target_unit": "diskan-budidaya"]) { $1 }),
            ("reject", Jepara.kabidBudidaya, ["reason": "Penyuluh sedang musim tebar benih"]),
        ]) + walk("JPR-20", "jepara.penunjukan.lintas-pd", [
            ("submit", Jepara.kadisDiskan, contents("Dasbor produksi perikanan tangkap", "Pengembangan aplikasi web dan basis data", "Dasbor terbit untuk 11 TPI")
                .merging(["target_unit": "diskominfo-aptika"]) { $1 }),
            ("dispose", Jepara.kadisKominfo, ["direction": "Kabid Aptika: tindak lanjuti"]),
            ("draft_approval", Jepara.kabidAptika, ["nominees": S.nips(Jepara.prakomMuda)]), ("sign_approval", Jepara.kadisKominfo, [:]),
            ("issue_assignment", Jepara.kadisDiskan, [:]),
        ]) + walk("JPR-21", "jepara.penunjukan.lintas-pd", [
            ("submit", Jepara.kadisDiskan, contents("Dasbor produksi perikanan tangkap", "Pengembangan aplikasi web dan basis data", "Dasbor terbit untuk 11 TPI")
                .merging(["target_unit": "diskominfo-aptika"]) { $1 }),
            ("dispose", Jepara.kadisKominfo, ["direction": "Kabid Aptika: tindak lanjuti"]),
            ("draft_approval", Jepara.kabidAptika, ["nominees": S.nips(Jepara.prakomMuda)]), ("sign_approval", Jepara.kadisKominfo, [:]),
            ("list_in_decree", Jepara.kadisDiskan, ["team_name": "Tim Dasbor TPI", "lead": .string(Jepara.penyuluhMuda), "members": S.nips(Jepara.pengelolaProduksi)]),
            ("set_decree", Jepara.sekda, [:]),
        ]) + walk("JPR-30", "jepara.penunjukan.lintas-instansi", [
            ("submit", Jepara.kadisDiskan, contents("Dasbor produksi perikanan tangkap", "Pengembangan aplikasi web dan basis data", "Dasbor terbit untuk 11 TPI")
                .merging(["target_agency": "jateng"]) { $1 }),
            ("forward", Jepara.sekda, [:]), ("instruct", Jepara.sekdaJateng, ["target_unit": "jateng-dkp-tangkap"]),
            ("report_available", Jepara.kabidJatengTangkap, ["nominees": S.nips(Jepara.jatengPengawas)]), ("send_answer", Jepara.sekdaJateng, [:]),
            ("issue_letter", Jepara.kabidJatengTangkap, [:]),
        ]) + walk("JPR-40", "jepara.pengajuan_sukarela.dalam-uo", [
            ("apply", Jepara.statistisi, ["purpose": "Statistik sektoral kominfo"]), ("approve", Jepara.kadisKominfo, [:]),
        ]) + walk("JPR-41", "jepara.pengajuan_sukarela.lintas-uo", [
            ("apply", Jepara.prakomPertama, ["target_unit": "dinkes", "purpose": "Aplikasi surveilans", "duration": duration]),
            ("target_approve", Jepara.kadinkes, [:]), ("forward_approval", Jepara.prakomPertama, [:]), ("own_approve", Jepara.kadisKominfo, [:]),
        ]) + walk("JPR-SQ", "jepara.pembentukan_tim.dalam-uo", [
            ("form", Jepara.kadisDiskan, ["squad_name": "Squad Pendataan", "service": "Pendataan produksi perikanan tangkap",
                                       "lead": .string(Jepara.penyuluhMuda), "members": S.nips(Jepara.penyuluhMuda, Jepara.pengelolaProduksi)]),
        ])),
        // Barito Utara Pasal 20 ayat (1), (3), (4) huruf a and b; Pasal 21 ayat (1)-(4); Pasal 23 ayat (5); Pasal 19 ayat (2) by the national chain.
        S(regency: "barito-utara", directory: "barito-utara", lines: [
            S.line("u1", "BU-21", "submit", BaritoUtara.kabidP2P, day: 2,
                   contents("Aplikasi surveilans malaria", "Pemrograman aplikasi web", "Aplikasi dipakai 17 Puskesmas")
                       .merging(["target_unit": "diskominfo-aptika"]) { $1 }, workflow: "barito-utara.pembentukan-tim.lintas-pd"),
            S.line("u2", "BU-21", "reject", BaritoUtara.kabidAptika, day: 3, ["reason": "Seluruh Pranata Komputer sedang menangani migrasi pusat data"]),
        ] + walk("BU-20-1", "barito-utara.penunjukan.dalam-uo", [
            ("issue", BaritoUtara.kabidP2P, baritoUtaraOrder.merging(["nominee": .string(BaritoUtara.epidemiologMuda)]) { $1 }),
        ]) + walk("BU-20-4A", "barito-utara.penunjukan.lintas-uo", [
            ("submit", BaritoUtara.kabidKesmas, contents("Penyelidikan kasus malaria", "Epidemiologi lapangan", "Laporan penyelidikan 5 desa")
                .merging(["target_unit": "dinkes-p2p"]) { $1 }),
            ("approve", BaritoUtara.kabidP2P, ["nominee": .string(BaritoUtara.epidemiologPertama)]), ("issue_letter", BaritoUtara.kadinkes, [:]),
        ]) + walk("BU-20-4B", "barito-utara.penunjukan.lintas-pd", [
            ("submit", BaritoUtara.kabidAptika, contents("Sistem informasi kewaspadaan dini", "Surveilans dan analisis data", "Notifikasi KLB otomatis")
                .merging(["target_unit": "dinkes-p2p"]) { $1 }),
            ("approve", BaritoUtara.kabidP2P, ["nominee": .string(BaritoUtara.epidemiologMuda)]), ("issue_letter", BaritoUtara.sekda, [:]),
        ]) + walk("BU-21-1", "barito-utara.pembentukan-tim.dalam-uo", [
            ("issue", BaritoUtara.kabidP2P, baritoUtaraOrder.merging(["unit": "dinkes-p2p", "lead": .string(BaritoUtara.epidemiologMuda),
                                                    "members": S.nips(BaritoUtara.epidemiologPertama, BaritoUtara.pengelolaP2PPPPK)]) { $1 }),
        ]) + walk("BU-21-4", "barito-utara.pembentukan-tim.lintas-pd", [
            ("submit", BaritoUtara.kabidAptika, contents("Sistem informasi kewaspadaan dini", "Surveilans dan analisis data", "Notifikasi KLB otomatis")
                .merging(["target_unit": "dinkes-p2p"]) { $1 }),
            ("approve", BaritoUtara.kabidP2P, ["nominees": S.nips(BaritoUtara.epidemiologMuda, BaritoUtara.epidemiologPertama)]),
            ("issue_letter", BaritoUtara.sekda, ["lead": .string(BaritoUtara.epidemiologMuda), "members": S.nips(BaritoUtara.prakomMuda)]),
        ]) + walk("BU-23", "barito-utara.pengajuan-sukarela.lintas-uo", [
            ("apply", BaritoUtara.nutrisionisMuda, ["owner_unit": "dinkes-p2p", "involvement": "Analisis gizi pada kasus diare", "duration": duration]),
            ("endorse", BaritoUtara.kabidKesmas, [:]), ("agree", BaritoUtara.kabidP2P, [:]), ("issue_letter", BaritoUtara.kabidKesmas, [:]),
        ]) + walk("BU-19-2", "national.penunjukan.lintas-instansi", [
            ("submit", BaritoUtara.kabidP2PKalteng, contents("Penanggulangan KLB malaria di DAS Barito", "Epidemiologi lapangan", "Penyelidikan epidemiologi 10 desa")
                .merging(["target_unit": "dinkes-p2p"]) { $1 }),
            ("forward", BaritoUtara.sekdaKalteng, [:]), ("instruct", BaritoUtara.sekda, [:]), ("answer", BaritoUtara.kabidP2P, ["nominees": S.nips(BaritoUtara.epidemiologMuda)]),
            ("approve_answer", BaritoUtara.sekda, [:]), ("send_reply", BaritoUtara.sekda, [:]), ("issue_letter", BaritoUtara.kabidP2P, [:]),
        ])),
    ]

    /// The golden file of each letter: `<regency>-<article>-<type>`. Where one article issues the same type
    /// twice (an approval and a refusal, a request within a unit organisasi and across Perangkat Daerah)
    /// the later one adds the words of its subject the first does not have (`…-surat_jawaban-disetujui`);
    /// the same letter again (a request letter of a second walk) is not compared twice.
    static func goldenNames(_ scenario: LetterScenario, _ letters: [JSONValue]) -> [(id: String, name: String)] {
        var subjects: [String: [String]] = [:]
        return letters.compactMap { letter in
            let words = (letter["subject"]?.stringValue ?? "").lowercased().split { !($0.isLetter || $0.isNumber) }.map(String.init)
            let name = "\(scenario.regency)-\(Golden.slug(letter["legal_basis"]?["article"]?.stringValue ?? ""))-\(letter["type"]?.stringValue ?? "")"
            guard let id = letter["id"]?.stringValue else { return nil }
            guard let first = subjects[name] else { subjects[name] = words; return (id, name) }
            let own = words.filter { !first.contains($0) }
            return own.isEmpty ? nil : (id, name + "-" + own.joined(separator: "-"))
        }
    }

    @Test("each letter of each regulation prints as its golden copy, text and HTML", arguments: scenarios.indices)
    func golden(_ index: Int) throws {
        let scenario = Self.scenarios[index]
        let lintas = try scenario.run()
        #expect(try lintas.refusals() == [:], "every step of the walk is taken")
        let letters = try (lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? []).map { listed in
            try lintas.expectSuccess(["letter", "show", listed["id"]?.stringValue ?? "", "--format", "json"]).json()
        }
        #expect(!letters.isEmpty)
        // A number identifies one letter: no two letters of the walk print the same one, and each is shown by its number.
        let numbers = letters.compactMap { $0["number"]?.stringValue }
        #expect(Set(numbers).count == numbers.count, "numbers printed twice: \(Dictionary(grouping: numbers) { $0 }.filter { $0.value.count > 1 }.keys.sorted())")
        for letter in letters where letter["numbering"] != "none" {
            let shown = try lintas.run(["letter", "show", letter["number"]?.stringValue ?? "", "--format", "json"])
            #expect(shown.status == 0 && (try? shown.json()["id"]) == letter["id"], "letter show \(letter["number"]?.stringValue ?? ""): \(shown.stderr)")
        }
        for (id, name) in Self.goldenNames(scenario, letters) {
            Golden.check(try lintas.expectSuccess(["letter", "show", id, "--format", "text"]).stdout, name + ".txt")
            Golden.check(try lintas.expectSuccess(["letter", "show", id, "--format", "html"]).stdout, name + ".html")
        }
    }

    /// The letters of a request, by type, as JSON.
    static func letters(_ lintas: Lintas, _ request: String) throws -> [String: JSONValue] {
        var byType: [String: JSONValue] = [:]
        for listed in try lintas.expectSuccess(["letter", "list", request, "--json"]).json()["letters"]?.arrayValue ?? [] {
            let letter = try lintas.expectSuccess(["letter", "show", listed["id"]?.stringValue ?? "", "--format", "json"]).json()
            byType[letter["type"]?.stringValue ?? ""] = letter
        }
        return byType
    }

    static func ccNIPs(_ letter: JSONValue?) -> [[String]] {
        (letter?["cc"]?.arrayValue ?? []).map { ($0["holders"]?.arrayValue ?? []).compactMap { $0["nip"]?.stringValue } }
    }

    @Test("the words before the request's contents: a keputusan or surat perintah issued without a request (Grobogan 14, Barito Utara 20(1)) cites no permohonan; a pengajuan sukarela is cited as one; a surat penugasan answering a permohonan cites it")
    func contentsHeading() throws {
        let grobogan = try Self.scenarios[1].run(), baritoUtara = try Self.scenarios[4].run()
        for (lintas, request, type, heading) in [(grobogan, "GBG-14", "keputusan", "Dengan rincian sebagai berikut:"),
                                                 (baritoUtara, "BU-20-1", "surat_perintah", "Dengan rincian sebagai berikut:"),
                                                 (grobogan, "GBG-12-3", "surat_penugasan", "Memperhatikan pengajuan sukarela:"),
                                                 (baritoUtara, "BU-23", "surat_perintah", "Memperhatikan pengajuan sukarela:"),
                                                 (grobogan, "GBG-11", "surat_penugasan", "Memperhatikan permohonan pelibatan:")] {
            let id = try #require(try Self.letters(lintas, request)[type]?["id"]?.stringValue, "\(request) has a \(type)")
            let text = try lintas.expectSuccess(["letter", "show", id]).stdout
            #expect(text.contains("\n\(heading)\n"), "\(request) \(type)")
            #expect(text.components(separatedBy: "Memperhatikan").count <= 2, "one lead-in only")
        }
    }

    /// Every letter of `request` in the order its steps issued them (`status --json`), with its content.
    static func issued(_ lintas: Lintas, _ request: String) throws -> [JSONValue] {
        try (lintas.expectSuccess(["status", request, "--json"]).json()["letters"]?.arrayValue ?? []).map { listed in
            try lintas.expectSuccess(["letter", "show", listed["id"]?.stringValue ?? "", "--format", "json"]).json()
        }
    }

    @Test("a letter cites the earlier letter of its request by the number and date lintas recorded, printed under Dasar: Pemalang 11(4) huruf c and d, 11(5) huruf b and e; Jepara B.2.a.2), B.2.a.3) and B.2.b.2) (a letter without a number by its date); Grobogan 11(3)-(4) and 12(3) huruf b; Bungo 6(3) and 6(4); Barito Utara 20(3)-(4) and 21(3)-(4); Permenpan RB 7/2022 huruf b) and e)", arguments: scenarios.indices)
    func citations(_ index: Int) throws {
        // (request, letter type, the type it cites) per regulation, in scenario order.
        let expected: [[(String, String, String)]] = [
            [("PML-4C", "surat_penugasan", "surat_permohonan_pelibatan"), ("PML-4D", "surat_jawaban", "surat_permohonan_pelibatan"),
             ("PML-5D", "surat_permohonan_pelibatan", "surat_permohonan"), ("PML-5D", "surat_jawaban", "surat_permohonan_pelibatan"),
             ("PML-5", "surat_penugasan", "surat_permohonan_pelibatan")],
            [("GBG-11-5", "surat_permohonan_pelibatan", "surat_permohonan"), ("GBG-11-5", "surat_penugasan", "surat_permohonan_pelibatan"),
             ("GBG-12-3", "surat_penugasan", "surat_pengajuan")],
            [("BGO-63C", "surat_penugasan", "surat_permohonan_pelibatan"), ("BGO-64", "surat_permohonan_pelibatan", "surat_permohonan"),
             ("BGO-64", "surat_penugasan", "surat_permohonan_pelibatan")],
            [("JPR-10", "surat_perintah_tugas", "nota_dinas"), ("JPR-20", "disposisi", "surat_permohonan"), ("JPR-20", "surat_balasan", "surat_permohonan"),
             ("JPR-20", "surat_perintah_tugas", "surat_balasan"), ("JPR-41", "surat_persetujuan", "surat_permohonan"),
             ("JPR-41", "surat_penugasan", "surat_persetujuan")],
            [("BU-20-4A", "surat_perintah", "surat_permohonan"), ("BU-21-4", "surat_jawaban", "surat_permohonan"),
             ("BU-21-4", "surat_perintah", "surat_jawaban"), ("BU-19-2", "surat_penugasan", "surat_permohonan_pelibatan")],
        ]
        let lintas = try Self.scenarios[index].run()
        var requests: [String] = []
        for listed in try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? [] {
            if let request = listed["request"]?.stringValue, !requests.contains(request) { requests.append(request) }
        }
        var citing: Set<String> = []
        for request in requests {
            let letters = try Self.issued(lintas, request)
            for (offset, letter) in letters.enumerated() {
                let type = letter["type"]?.stringValue ?? ""
                guard let cites = letter["cites"] else {
                    #expect(!expected[index].contains { $0.0 == request && $0.1 == type }, "\(request) \(type) cites nothing")
                    continue
                }
                citing.insert("\(request) \(type)")
                // The latest earlier letter of the type named (or the request's first letter): what the log says of it.
                let earlier = letters[..<offset]
                let cited = try #require(earlier.last { $0["type"] == cites["type"] } ?? earlier.first, "\(request) \(type)")
                #expect(cites["number"] == (cited["number"] ?? .null) && cites["date"] == cited["date"] && cites["label"] == cited["label"],
                        "\(request) \(type) cites \(cited["id"]?.stringValue ?? "")")
                if let want = expected[index].first(where: { $0.0 == request && $0.1 == type }) { #expect(cites["type"]?.stringValue == want.2, "\(request) \(type)") }
                let line = (cited["label"]?.stringValue ?? "") + (cited["number"]?.stringValue.map { " Nomor \($0)" } ?? "")
                    + " tanggal \(cited["date_text"]?.stringValue ?? "?")"
                let text = try lintas.expectSuccess(["letter", "show", letter["id"]?.stringValue ?? "", "--format", "text"]).stdout
                #expect(text.contains("\nDasar   : \(letter["legal_basis"]?["regulation"]?.stringValue ?? ""), \(letter["legal_basis"]?["article"]?.stringValue ?? "")\n          \(line)\n"),
                        "\(request) \(type): \(line)")
            }
        }
        for (request, type, _) in expected[index] { #expect(citing.contains("\(request) \(type)"), "\(request) \(type) cites its earlier letter") }
    }

    /// The addressee each article names, by (request, article) in each scenario's walk: the office and the place of its
    /// instansi, as printed under `Kepada Yth.`. Every other letter of the walk (an assignment, a keputusan, a disposisi,
    /// the replies that none is available, whose articles name no recipient) prints none.
    static let national = "Lampiran, Penunjukan lintas Instansi Pemerintah, huruf"
    static let addressees: [[String: (office: String, place: String)]] = [
        [   // Pemalang 11(4) huruf a and d; 11(5) huruf a, b and e angka 1 (the reply goes back to the PyB pemohon, in Pemalang);
            // 12(4) huruf a, the employee's own surat permohonan to the Pimpinan Unit Organisasi dituju.
            "PML-4C Pasal 11 ayat (4) huruf a": ("Kepala Bidang Aplikasi Informatika", "Pemalang"),
            "PML-4D Pasal 11 ayat (4) huruf a": ("Kepala Bidang Aplikasi Informatika", "Pemalang"),
            "PML-4D Pasal 11 ayat (4) huruf d": ("Kepala Bidang Pencegahan dan Pengendalian Penyakit", "Pemalang"),
            "PML-5 Pasal 11 ayat (5) huruf a": ("Sekretaris Daerah", "Pemalang"),
            "PML-5 Pasal 11 ayat (5) huruf b": ("Sekretaris Daerah Kabupaten Pekalongan", "Pekalongan"),
            "PML-5 Pasal 11 ayat (5) huruf e angka 1": ("Sekretaris Daerah", "Pemalang"),
            "PML-5D Pasal 11 ayat (5) huruf a": ("Sekretaris Daerah", "Pemalang"),
            "PML-5D Pasal 11 ayat (5) huruf b": ("Sekretaris Daerah Kabupaten Pekalongan", "Pekalongan"),
            "PML-124 Pasal 12 ayat (4) huruf a": ("Kepala Bidang Aplikasi Informatika", "Pemalang"),
        ],
        [   // Grobogan 11(3), 12(3) huruf a; 11(5) by the national chain with the Provinsi Jawa Tengah.
            "GBG-11 Pasal 11 ayat (3)": ("Kepala Bidang Aplikasi Informatika", "Grobogan"),
            "GBG-12-3 Pasal 12 ayat (3) huruf a": ("Kepala Bidang Pencegahan dan Pengendalian Penyakit", "Grobogan"),
            "GBG-11-5 \(national) a)": ("Sekretaris Daerah", "Grobogan"),
            "GBG-11-5 \(national) b)": ("Sekretaris Daerah Provinsi Jawa Tengah", "Semarang"),
            "GBG-11-5 \(national) e) butir 1": ("Sekretaris Daerah", "Grobogan"),
        ],
        [   // Bungo 6(3) huruf a (the nominee's PPK, a Kepala Seksi); 6(4) huruf a, b and e angka 1 (back from Tebo to Bungo);
            // 7(3) huruf a, the employee's own surat permohonan to the Pimpinan Unit Organisasi dituju.
            "BGO-63 Pasal 6 ayat (3) huruf a": ("Kepala Seksi Surveilans dan Imunisasi", "Bungo"),
            "BGO-63C Pasal 6 ayat (3) huruf a": ("Kepala Seksi Surveilans dan Imunisasi", "Bungo"),
            "BGO-64 Pasal 6 ayat (4) huruf a": ("Sekretaris Daerah", "Bungo"),
            "BGO-64 Pasal 6 ayat (4) huruf b": ("Sekretaris Daerah Kabupaten Tebo", "Tebo"),
            "BGO-64 Pasal 6 ayat (4) huruf e angka 1": ("Sekretaris Daerah", "Bungo"),
            "BGO-73 Pasal 7 ayat (3) huruf a": ("Kepala Bidang Aplikasi Informatika", "Bungo"),
        ],
        [   // Jepara Lampiran B.2.a.2) a)-d), B.2.a.3) a), c), d), B.2.a.4) a), b), d)-e), B.2.b.2) a), b).
            "JPR-10 Lampiran B.2.a.2) huruf a)": ("Kepala Bidang Perikanan Budidaya", "Jepara"),
            "JPR-10 Lampiran B.2.a.2) huruf b) dan huruf c)": ("Kepala Bidang Perikanan Tangkap", "Jepara"),
            "JPR-11 Lampiran B.2.a.2) huruf a)": ("Kepala Bidang Perikanan Budidaya", "Jepara"),
            "JPR-11 Lampiran B.2.a.2) huruf d)": ("Kepala Bidang Perikanan Tangkap", "Jepara"),
            "JPR-20 Lampiran B.2.a.3) huruf a)": ("Kepala Dinas Komunikasi dan Informatika", "Jepara"),
            "JPR-20 Lampiran B.2.a.3) huruf c)": ("Kepala Dinas Perikanan", "Jepara"),
            "JPR-21 Lampiran B.2.a.3) huruf a)": ("Kepala Dinas Komunikasi dan Informatika", "Jepara"),
            "JPR-21 Lampiran B.2.a.3) huruf c)": ("Kepala Dinas Perikanan", "Jepara"),
            "JPR-23 Lampiran B.2.a.3) huruf a)": ("Kepala Dinas Komunikasi dan Informatika", "Jepara"),
            "JPR-23 Lampiran B.2.a.3) huruf d)": ("Kepala Dinas Perikanan", "Jepara"),
            "JPR-30 Lampiran B.2.a.4) huruf a)": ("Sekretaris Daerah", "Jepara"),
            "JPR-30 Lampiran B.2.a.4) huruf b)": ("Sekretaris Daerah Provinsi Jawa Tengah", "Semarang"),
            "JPR-30 Lampiran B.2.a.4) huruf d) dan huruf e) angka 1": ("Sekretaris Daerah Provinsi Jawa Tengah", "Semarang"),
            "JPR-30 Lampiran B.2.a.4) huruf e) angka 1": ("Sekretaris Daerah", "Jepara"),
            "JPR-41 Lampiran B.2.b.2) huruf a)": ("Kepala Dinas Kesehatan", "Jepara"),
            "JPR-41 Lampiran B.2.b.2) huruf b)": ("Kepala Dinas Komunikasi dan Informatika", "Jepara"),
        ],
        [   // Barito Utara 20(3), 21(2), 21(3); 19(2) by the national chain from the Provinsi Kalimantan Tengah.
            "BU-21 Pasal 21 ayat (2)": ("Kepala Bidang Aplikasi Informatika", "Barito Utara"),
            "BU-21 Pasal 21 ayat (3)": ("Kepala Bidang Pencegahan dan Pengendalian Penyakit", "Barito Utara"),
            "BU-20-4A Pasal 20 ayat (3)": ("Kepala Bidang Pencegahan dan Pengendalian Penyakit", "Barito Utara"),
            "BU-20-4B Pasal 20 ayat (3)": ("Kepala Bidang Pencegahan dan Pengendalian Penyakit", "Barito Utara"),
            "BU-21-4 Pasal 21 ayat (2)": ("Kepala Bidang Pencegahan dan Pengendalian Penyakit", "Barito Utara"),
            "BU-21-4 Pasal 21 ayat (3)": ("Kepala Bidang Aplikasi Informatika", "Barito Utara"),
            "BU-19-2 \(national) a)": ("Sekretaris Daerah Provinsi Kalimantan Tengah", "Palangka Raya"),
            "BU-19-2 \(national) b)": ("Sekretaris Daerah", "Barito Utara"),
            "BU-19-2 \(national) e) butir 1": ("Sekretaris Daerah Provinsi Kalimantan Tengah", "Palangka Raya"),
        ],
    ]

    @Test("each letter is addressed (Kepada Yth. office, di place) to whom its article says: Pemalang 11(4) a, d, 11(5) a, b, e angka 1, 12(4) a; Grobogan 11(3), 12(3) a; Bungo 6(3) a, 6(4) a, b, e angka 1, 7(3) a; Jepara B.2.a.2) a)-d), B.2.a.3) a), c), d), B.2.a.4) a), b), d), e), B.2.b.2) a), b); Barito Utara 20(3), 21(2), 21(3); Permenpan RB 7/2022 a), b), e) butir 1. A reply back across instansi names the asking instansi's place; assignments name none", arguments: scenarios.indices)
    func addressedAsTheArticleSays(_ index: Int) throws {
        let lintas = try Self.scenarios[index].run()
        var seen: Set<String> = []
        for listed in try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue ?? [] {
            let id = listed["id"]?.stringValue ?? ""
            let letter = try lintas.expectSuccess(["letter", "show", id, "--format", "json"]).json()
            let key = "\(listed["request"]?.stringValue ?? "") \(letter["legal_basis"]?["article"]?.stringValue ?? "")"
            let text = try lintas.expectSuccess(["letter", "show", id, "--format", "text"]).stdout
            guard let expected = Self.addressees[index][key] else {
                #expect(!text.contains("Kepada Yth."), "\(key) \(letter["type"]?.stringValue ?? ""): its article names no recipient")
                continue
            }
            seen.insert(key)
            #expect(text.contains("\nKepada Yth.\n\(expected.office)\ndi \(expected.place)\n"), "\(key): \(String(describing: letter["addressee"]))")
            let html = try lintas.expectSuccess(["letter", "show", id, "--format", "html"]).stdout
            #expect(html.contains("<p>Kepada Yth.</p><p>\(expected.office)</p><p>di \(expected.place)</p>"), "\(key)")
        }
        #expect(seen == Set(Self.addressees[index].keys), "every letter of the table is issued by the walk")
    }

    @Test("a refusal letter carries its reasons: Pemalang 11(4) huruf d, Bungo 6(3) huruf d, Jepara B.2.a.3) huruf d), Barito Utara 21(3)")
    func refusalCarriesReason() throws {
        for (scenario, request, type, article) in [(0, "PML-4D", "surat_jawaban", "Pasal 11 ayat (4) huruf d"), (3, "JPR-23", "surat_balasan", "Lampiran B.2.a.3) huruf d)"),
                                                   (4, "BU-21", "surat_jawaban", "Pasal 21 ayat (3)")] {
            let lintas = try Self.scenarios[scenario].run()
            let letter = try #require(try Self.letters(lintas, request)[type], "\(request) has a \(type)")
            let reason = letter["particulars"]?.arrayValue?.first { $0["field"] == "reason" }
            #expect(reason?["article"]?.stringValue == article)
            #expect(reason?["text"]?.stringValue?.isEmpty == false)
            #expect(letter["assigned"] == nil && letter["signature"]?["nip"] != nil)
        }
        // Bungo Pasal 6 ayat (3) huruf d: the PPK of the nominee refuses, with the reason.
        let bungo = try Self.scenarios[2].run()
        try bungo.process([S.line("b2", "BGO-63", "reject", Bungo.kasiSurveilans, day: 3, ["reason": "Epidemiolog menangani KLB campak"])])
        #expect(try bungo.refusals() == [:])
        let reply = try #require(try Self.letters(bungo, "BGO-63")["surat_jawaban"])
        #expect(reply["particulars"]?.arrayValue?.first?["article"] == "Pasal 6 ayat (3) huruf d")
        #expect(reply["signature"]?["nip"]?.stringValue == Bungo.kasiSurveilans)
        Golden.check(try bungo.expectSuccess(["letter", "show", reply["id"]?.stringValue ?? "", "--format", "text"]).stdout, "bungo-6-3-d-surat_jawaban.txt")
        Golden.check(try bungo.expectSuccess(["letter", "show", reply["id"]?.stringValue ?? "", "--format", "html"]).stdout, "bungo-6-3-d-surat_jawaban.html")
    }

    @Test("a letter step missing a content its regulation requires is refused naming the article, and no number is drawn")
    func missingContentRefused() throws {
        // Each regulation: a request letter without its competence (huruf b of the four contents).
        let cases: [(String, String, String, String, [String: JSONValue], String)] = [
            ("pemalang", "pemalang.penunjukan.lintas-pd", Pemalang.kabidP2P, "PML-X", Pemalang.contents, "Pasal 11 ayat (6) huruf b"),
            ("grobogan", "grobogan.penunjukan.lintas-pd", Grobogan.kabidP2P, "GBG-X", Self.contents("a", "b", "c").merging(["target_unit": "diskominfo-aptika"]) { $1 }, "Pasal 11 ayat (6) huruf b"),
            ("bungo", "bungo.penunjukan.lintas-uo", Bungo.kabidAptika, "BGO-X",
             Self.contents("a", "b", "c").merging(["target_unit": "dinkes-p2p", "nominee": .string(Bungo.epidemiologPertama)]) { $1 }, "Pasal 6 ayat (5) huruf b"),
            ("jepara", "jepara.penunjukan.lintas-pd", Jepara.kadisDiskan, "JPR-X", Self.contents("a", "b", "c").merging(["target_unit": "diskominfo-aptika"]) { $1 },
             "Lampiran B.2, muatan surat permohonan huruf b"),
            ("barito-utara", "barito-utara.pembentukan-tim.lintas-pd", BaritoUtara.kabidP2P, "BU-X", Self.contents("a", "b", "c").merging(["target_unit": "diskominfo-aptika"]) { $1 },
             "Pasal 21 ayat (2) huruf b"),
        ]
        for (directory, workflow, actor, request, data, article) in cases {
            let lintas = try LetterScenario(regency: directory, directory: directory, lines: [
                S.line("x1", request, "submit", actor, day: 2, data.filter { $0.key != "competence" }, workflow: workflow),
            ]).run()
            let refused = try lintas.expectSuccess(["commands", "--status", "refused", "--json"]).json()["commands"]?.arrayValue?.first
            #expect(refused?["refusal"]?["code"] == "missing_field", "\(workflow)")
            #expect(refused?["refusal"]?["article"]?.stringValue?.contains(article) == true, "\(workflow): \(String(describing: refused?["refusal"]))")
            #expect(try lintas.expectSuccess(["letter", "list", "--json"]).json()["letters"]?.arrayValue?.isEmpty == true)
        }
        // Jepara Lampiran B.2.a.3) huruf b): what the disposisi directs is on the letter.
        let jepara = try Self.scenarios[3].run()
        #expect(try Self.letters(jepara, "JPR-23")["disposisi"]?["particulars"]?.arrayValue?.last?["text"]
                == "Kabid Aptika: tindak lanjuti sesuai ketersediaan Pranata Komputer", "the disposisi carries its direction (huruf b)")
    }

    @Test("the tembusan resolve to the named officials in the regulation's order: Pemalang 11(5) huruf e angka 3, Jepara B.2.a.3) huruf a)")
    func tembusanInOrder() throws {
        let pemalang = try Self.scenarios[0].run()
        let assignment = try Self.letters(pemalang, "PML-5")["surat_penugasan"]
        #expect(Self.ccNIPs(assignment) == [[Pemalang.sekdaPekalongan], [Pemalang.kabidStatistikPekalongan], [Pemalang.sekda], [Pemalang.kepalaBKPSDMPekalongan]],
                "PyB instansi bersangkutan, pimpinan unit kerja bersangkutan, PyB instansi pemohon, Kepala PD kepegawaian")
        #expect(assignment?["cc"]?.arrayValue?.compactMap { $0["number"]?.intValue } == [1, 2, 3, 4])
        let request = try Self.letters(pemalang, "PML-5")["surat_permohonan"]
        #expect(request?["signature"]?["nip"]?.stringValue == Pemalang.kadinkes, "huruf a: the Kepala PD writes to the PyB")
        #expect(Self.ccNIPs(request) == [[Pemalang.kabidP2P]], "huruf a: tembusan pimpinan unit organisasi bersangkutan (Kepala Bidang P2P)")

        let jepara = try Self.scenarios[3].run()
        let letters = try Self.letters(jepara, "JPR-23")
        #expect(Self.ccNIPs(letters["surat_permohonan"]) == [[Jepara.kabidAptika]], "ditembuskan kepada Pimpinan Unit kerja dimana Pejabat Fungsional berada")
        #expect(letters["surat_balasan"]?["signature"]?["nip"]?.stringValue == Jepara.kadisKominfo, "huruf d: signed by the Kepala PD, drafted by the UK head")
    }

    @Test("Bungo Pasal 6 ayat (4) huruf e angka 3: tembusan PyB instansi bersangkutan, PPK bersangkutan, PyB instansi pemohon, in that order")
    func bungoTembusanInOrder() throws {
        let bungo = try Self.scenarios[2].run()
        let assignment = try #require(try Self.letters(bungo, "BGO-64")["surat_penugasan"])
        #expect(assignment["signature"]?["nip"]?.stringValue == Bungo.kabidP2PTebo, "angka 2: the Pimpinan Unit Organisasi dituju assigns")
        #expect(Self.ccNIPs(assignment) == [[Bungo.sekdaTebo], [Bungo.kasiSurveilansTebo], [Bungo.sekda]],
                "the Sekda of Tebo, the nominees' Pejabat Penilai Kinerja (Kepala Seksi Surveilans), the Sekda of Bungo")
        #expect(assignment["cc"]?.arrayValue?.compactMap { $0["label"]?.stringValue }
                == ["Pejabat yang Berwenang instansi bersangkutan", "Pejabat Penilai Kinerja bersangkutan", "Pejabat yang Berwenang instansi pemohon"])
    }

    @Test("Permenpan RB 7/2022 Lampiran huruf e) butir 2 dan 3 (Grobogan Pasal 11 ayat (5), Barito Utara Pasal 19 ayat (2)): tembusan PyB bersangkutan, PyB pemohon, Pimpinan UO pemohon")
    func nationalChainTembusanInOrder() throws {
        // Grobogan asks the Provinsi Jawa Tengah; the Provinsi Kalimantan Tengah asks Barito Utara.
        for (scenario, request, signer, expected) in [
            (1, "GBG-11-5", Grobogan.kabidAptikaJateng, [[Grobogan.sekdaJateng], [Grobogan.sekda], [Grobogan.kabidP2P]]),
            (4, "BU-19-2", BaritoUtara.kabidP2P, [[BaritoUtara.sekda], [BaritoUtara.sekdaKalteng], [BaritoUtara.kabidP2PKalteng]]),
        ] {
            let lintas = try Self.scenarios[scenario].run()
            let assignment = try #require(try Self.letters(lintas, request)["surat_penugasan"], "\(request)")
            #expect(assignment["signature"]?["nip"]?.stringValue == signer, "\(request): the Pimpinan Unit Organisasi dituju signs")
            #expect(Self.ccNIPs(assignment) == expected, "\(request)")
            #expect(assignment["cc"]?.arrayValue?.compactMap { $0["number"]?.intValue } == [1, 2, 3])
        }
    }

    @Test("the list of people is headed as the letter says: MENUGASKAN in an assignment, the names approved in a reply, MEMUTUSKAN in a keputusan")
    func headingOfThePeople() throws {
        let jepara = try Self.scenarios[3].run()
        let cases: [(String, String, String?)] = [
            ("JPR-30", "surat_penugasan", nil), ("JPR-30", "surat_jawaban", "DAFTAR NAMA PEJABAT FUNGSIONAL/PELAKSANA YANG DITUGASKAN"),
            ("JPR-20", "surat_balasan", "MENYETUJUI PELIBATAN"), ("JPR-20", "surat_perintah_tugas", nil), ("JPR-21", "keputusan", "MEMUTUSKAN"),
        ]
        for (request, type, heading) in cases {
            let letter = try #require(try Self.letters(jepara, request)[type], "\(request) \(type)")
            #expect(letter["assigned_heading"]?.stringValue == heading, "\(request) \(type)")
            let text = try jepara.expectSuccess(["letter", "show", letter["id"]?.stringValue ?? "", "--format", "text"]).stdout
            #expect(text.contains("\n\(heading ?? "MENUGASKAN"):\n"), "\(request) \(type)")
            #expect(text.contains("MENUGASKAN:") == (heading == nil), "\(request) \(type): only an assignment says MENUGASKAN")
            #expect(text.contains("Penugasan dilaksanakan") == (heading == nil), "\(request) \(type): the closing sentence is an assignment's")
        }
    }
}
