import Foundation
import LintasCore
import TestSupport
import Testing

@Suite("lintas export ekinerja: accepted assignments of Perbup Pemalang 38/2023 Pasal 11 ayat (4) as hasil kerja tambahan")
struct ExportCommandTests {
    /// Pasal 11 ayat (4) huruf a–e for one request: letter issued on 5 March 2026, both nominees accept on the 6th.
    static func accepted(_ lintas: Lintas, _ request: String, _ contents: [String: JSONValue] = Pemalang.inForce) throws {
        try lintas.process([
            Pemalang.submit(request, contents),
            Pemalang.line("\(request)-r", request, "recommend", Pemalang.kadisKominfo, day: 3),
            Pemalang.line("\(request)-a", request, "approve", Pemalang.kabidAptika, day: 4,
                          ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomPertama)])]),
            Pemalang.line("\(request)-i", request, "issue_letter", Pemalang.kadisKominfo, day: 5),
            Pemalang.line("\(request)-m", request, "accept", Pemalang.prakomMuda, day: 6),
            Pemalang.line("\(request)-p", request, "accept", Pemalang.prakomPertama, day: 6),
        ])
    }

    static func rows(_ lintas: Lintas, _ arguments: [String] = []) throws -> [JSONValue] {
        try lintas.expectSuccess(["export", "ekinerja"] + arguments).json()["hasil_kerja_tambahan"]?.arrayValue ?? []
    }

    @Test("Pasal 11 ayat (4) huruf c–e: one row per assigned employee, with the assignment, penugasan dari, the letter and the period")
    func rowPerEmployee() throws {
        let lintas = try Lintas.prepared()
        try Self.accepted(lintas, "PML-1")
        try lintas.process([Pemalang.submit("PML-2")])   // not accepted: not exported
        let rows = try Self.rows(lintas)
        #expect(rows.compactMap { $0["nip"]?.stringValue } == [Pemalang.prakomMuda, Pemalang.prakomPertama])
        let row = try #require(rows.first)
        #expect(row["nama"] == "Dimas Prasetyo, S.Kom.")
        #expect(row["unit_kerja"] == "Bidang Aplikasi Informatika")
        #expect(row["jenis_hasil_kerja"] == "tambahan")
        #expect(row["rencana_hasil_kerja"] == "Dasbor berjalan di 22 Puskesmas")
        #expect(row["uraian_penugasan"] == "Membangun dasbor surveilans penyakit menular")
        #expect(row["penugasan_dari_jabatan"] == "Kepala Dinas Komunikasi dan Informatika")
        #expect(row["penugasan_dari_nip"] == .string(Pemalang.kadisKominfo))
        #expect(row["penugasan_dari_unit"] == "Dinas Komunikasi dan Informatika")
        #expect(row["nomor_surat"] == "800.1.11.1/1/DISKOMINFO/2026")
        #expect(row["tanggal_surat"] == "2026-03-05")
        #expect(row["periode_mulai"] == "2026-04-01")
        #expect(row["periode_terbuka"] == "tidak")
        #expect(row["permohonan"] == "PML-1")
        #expect(try Self.rows(lintas, ["PML-1"]) == rows)
        let refused = try lintas.run(["export", "ekinerja", "PML-2"])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("request PML-2 is requested, not accepted"), "stderr: \(refused.stderr)")
    }

    @Test("--from/--to keep the assignments whose period overlaps; an assignment that ran out is still exported")
    func periodOverlap() throws {
        let lintas = try Lintas.prepared()
        try Self.accepted(lintas, "PML-1")                       // 2026-04-01 … end of next year
        try Self.accepted(lintas, "PML-2", Pemalang.contents)    // 2026-04-01 … 2026-09-30, ended by the daemon
        #expect(try lintas.status("PML-2")["state"] == "ended")
        func requests(_ arguments: [String]) throws -> [String] {
            Array(Set(try Self.rows(lintas, arguments).compactMap { $0["permohonan"]?.stringValue })).sorted()
        }
        #expect(try requests([]) == ["PML-1", "PML-2"])
        #expect(try requests(["--from", "2026-10-01"]) == ["PML-1"])
        #expect(try requests(["--from", "2026-09-30", "--to", "2026-09-30"]) == ["PML-1", "PML-2"], "the last day overlaps")
        #expect(try requests(["--to", "2026-03-31"]) == [])
        let bad = try lintas.run(["export", "ekinerja", "--from", "1 April 2026"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--from takes a date such as 2026-04-01"))
        #expect(try lintas.run(["export", "ekinerja", "--from", "2026-05-01", "--to", "2026-04-01"]).stderr.contains("before --from"))
    }

    @Test("--format csv: a header of the documented field names, one line per employee, quoted where a name has a comma")
    func csv() throws {
        let lintas = try Lintas.prepared()
        try Self.accepted(lintas, "PML-1")
        let text = try lintas.expectSuccess(["export", "ekinerja", "--format", "csv"]).stdout
        let lines = text.components(separatedBy: "\r\n")
        #expect(lines.count == 4 && lines[3].isEmpty, "header, two rows, CRLF line ends")
        #expect(lines[0].hasPrefix("nip,nama,jabatan,unit_kerja,jenis_hasil_kerja,rencana_hasil_kerja,uraian_penugasan,penugasan_dari,"))
        #expect(lines[1].hasPrefix("\(Pemalang.prakomMuda),\"Dimas Prasetyo, S.Kom.\",Pranata Komputer Ahli Muda,"))
        #expect(lines[1].contains(",800.1.11.1/1/DISKOMINFO/2026,2026-03-05,2026-04-01,"))
        #expect(try lintas.run(["export", "ekinerja", "--format", "xml"]).stderr.contains("--format must be json or csv"))
    }

    @Test("Jepara Pasal 12 ayat (5) huruf a, Pasal 14 ayat (1), Lampiran B.4: a squad has no period, so it is exported from its Surat Perintah Tugas, open (periode_terbuka ya) while it stands, to its dissolution once dissolved")
    func squadPeriod() throws {
        typealias J = Jepara
        let lintas = try Lintas()
        try lintas.expectSuccess(["workflows", "load", Lintas.workflows])
        try lintas.expectSuccess(["org", "import", Lintas.repository.appendingPathComponent("workflows/directories/jepara.json").path])
        try lintas.process([
            LetterScenario.line("sq-1", "JPR-SQ", "form", J.kadisDiskan, day: 4,
                                ["squad_name": "Squad Pendataan", "service": "Pendataan produksi perikanan tangkap",
                                 "lead": .string(J.penyuluhMuda), "members": LetterScenario.nips(J.penyuluhMuda, J.pengelolaProduksi)],
                                workflow: "jepara.pembentukan_tim.dalam-uo"),
            LetterScenario.line("sq-2", "JPR-SQ", "report", J.penyuluhMuda, day: 20, ["report": "Pendataan 6 TPI selesai"]),
        ])
        #expect(try lintas.status("JPR-SQ")["state"] == "formed")
        let standing = try Self.rows(lintas, ["JPR-SQ"])
        #expect(standing.compactMap { $0["nip"]?.stringValue } == [J.penyuluhMuda, J.pengelolaProduksi])
        let row = try #require(standing.first)
        #expect(row["tanggal_surat"] == "2026-03-04")
        #expect(row["periode_mulai"] == "2026-03-04", "from the Surat Perintah Tugas that formed it")
        #expect(row["periode_selesai"] == .null)
        #expect(row["periode_terbuka"] == "ya", "the open end is said, not left empty")
        #expect(row["rencana_hasil_kerja"] == "Pendataan produksi perikanan tangkap", "the squad's service (Pasal 1 angka 28)")
        #expect(row["uraian_penugasan"] == "Squad Pendataan")
        #expect(try Self.rows(lintas, ["--from", "2027-01-01"]).count == 2, "a standing squad overlaps any range after its start")
        #expect(try Self.rows(lintas, ["--to", "2026-03-03"]).isEmpty)
        let csv = try lintas.expectSuccess(["export", "ekinerja", "JPR-SQ", "--format", "csv"]).stdout.components(separatedBy: "\r\n")
        #expect(csv[0].contains(",periode_mulai,periode_selesai,periode_terbuka,"))
        #expect(csv[1].contains(",2026-03-04,2026-03-04,,ya,JPR-SQ,"), "\(csv)")

        try lintas.process([LetterScenario.line("sq-3", "JPR-SQ", "dissolve", J.kadisDiskan, day: 27, ["reason": "Pendataan triwulan I selesai"])])
        #expect(try lintas.status("JPR-SQ")["state"] == "dissolved")
        let dissolved = try #require(try Self.rows(lintas, ["JPR-SQ"]).first)
        #expect(dissolved["periode_mulai"] == "2026-03-04")
        #expect(dissolved["periode_selesai"] == "2026-03-27", "the day the Pimpinan Unit Organisasi dissolved it")
        #expect(dissolved["periode_terbuka"] == "tidak")
        #expect(try Self.rows(lintas, ["--from", "2026-03-28"]).isEmpty)
        #expect(try Self.rows(lintas, ["--from", "2026-03-27"]).count == 2)
    }

    @Test("the export selects by the workflow's \"assignment_accepted\" flag, not by a state's id: a workflow naming its accepted state \"diterima\" is exported")
    func flagNotStateID() throws {
        let lintas = try Lintas()
        let file = "pemalang/penunjukan-lintas-pd.json"
        let copy = try lintas.workflowsCopy(changing: file) { _ in }
        let url = URL(fileURLWithPath: copy).appendingPathComponent(file)
        let renamed = try String(contentsOf: url, encoding: .utf8).replacingOccurrences(of: "\"accepted\"", with: "\"diterima\"")
        #expect(renamed.contains("{\"assignment_accepted\":true,\"ends\"") && renamed.contains("\"id\":\"diterima\""))
        try renamed.write(to: url, atomically: true, encoding: .utf8)
        try lintas.expectSuccess(["workflows", "load", copy])
        try lintas.expectSuccess(["org", "import", Lintas.directory])
        try Self.accepted(lintas, "PML-1")
        #expect(try lintas.status("PML-1")["state"] == "diterima")
        #expect(try Self.rows(lintas).compactMap { $0["nip"]?.stringValue } == [Pemalang.prakomMuda, Pemalang.prakomPertama])
        #expect(try Self.rows(lintas, ["PML-1"]).count == 2, "and asked for by id")
    }
}
