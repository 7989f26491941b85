import LintasCore
import LintasEngine

/// Workload W1 (`../shared/workload.md`): assignment traffic on Perbup Pemalang 38/2023
/// Pasal 11 ayat (4), with the people of the sample org directory
/// (`workflows/directories/pemalang.json`). The engine resolves every actor itself; the
/// generator only has to name the right NIPs, as a real e-office would.
///
/// Nine requests in ten go submit → recommend → approve → issue_letter → accept; every
/// tenth goes submit → reject with a reason. Commands come round-robin: every request's
/// first command, then every request's second, …
struct Workload {
    static let workflow = "pemalang.penunjukan.lintas-pd"

    /// Who acts on a request from one unit to another, as the sample directory says.
    struct Route {
        var owner: String        // head of the owner unit: submits
        var targetUnit: String
        var departmentHead: String // head of the target unit's department (or Plt): recommends, rejects, issues the letter
        var unitHead: String     // head of the target unit: approves
        var nominee: String      // a fungsional or pelaksana of the target unit: accepts
    }

    static let routes: [Route] = [
        // Bidang P2P (Dinkes) asks Bidang Aplikasi Informatika (Diskominfo).
        Route(owner: "197705112003121004", targetUnit: "diskominfo-aptika", departmentHead: "197502142000031005",
              unitHead: "198001172006041007", nominee: "198903262015031002"),
        // Bagian Organisasi (Setda) asks Bidang Pengembangan Kompetensi (BKPSDM, whose head is a Plt).
        Route(owner: "197908222005012003", targetUnit: "bkpsdm-kompetensi", departmentHead: "197604282002121003",
              unitHead: "198102162006042008", nominee: "198507252009022007"),
        // Bidang Statistik (Diskominfo) asks Bidang P2P (Dinkes).
        Route(owner: "198206302008012009", targetUnit: "dinkes-p2p", departmentHead: "197012081997032006",
              unitHead: "197705112003121004", nominee: "198604232010012011"),
        // Bidang Pelayanan Kesehatan (Dinkes) asks Bidang Statistik (Diskominfo).
        Route(owner: "197811192005011002", targetUnit: "diskominfo-statistik", departmentHead: "197502142000031005",
              unitHead: "198206302008012009", nominee: "199601182020122005"),
        // Bidang Aplikasi Informatika (Diskominfo) asks Bagian Organisasi (Setda).
        Route(owner: "198001172006041007", targetUnit: "setda-organisasi", departmentHead: "197103151996031002",
              unitHead: "197908222005012003", nominee: "198811052014022001"),
        // Bidang Pengembangan Kompetensi (BKPSDM) asks Bidang Pelayanan Kesehatan (Dinkes).
        Route(owner: "198102162006042008", targetUnit: "dinkes-yankes", departmentHead: "197012081997032006",
              unitHead: "197811192005011002", nominee: "198709062011012004"),
        // Bidang P2P asks for a pelaksana of Bidang Aplikasi Informatika.
        Route(owner: "197705112003121004", targetUnit: "diskominfo-aptika", departmentHead: "197502142000031005",
              unitHead: "198001172006041007", nominee: "199512032022212006"),
    ]

    static let purposes = [
        "Membangun dasbor surveilans penyakit menular terpadu untuk Puskesmas se-Kabupaten Pemalang",
        "Menyusun peta jabatan dan analisis beban kerja pasca penyederhanaan birokrasi",
        "Analisis data stunting untuk publikasi statistik sektoral tahun berjalan",
        "Menyusun statistik kunjungan layanan kesehatan rujukan tingkat kabupaten",
    ]

    /// When the traffic starts, whatever day the benchmark runs: a fixed Monday inside the
    /// sample directory's validity (the Plt. Kepala BKPSDM acts from 2025-01-02 to 2026-12-31).
    static let start = Timestamp(iso8601: "2026-03-02T09:00:00+07:00")!

    /// The engine's clock while W1 runs: an hour after `start` plus the real time elapsed since
    /// the process began. Every step is then in the past for the daemon but no deadline
    /// (working days) passes and no assignment ends while it runs, so the timers add no
    /// events of their own, on any day the benchmark is run.
    struct Clock: LintasEngine.Clock {
        private let began = SystemClock().now()
        func now() -> Timestamp {
            Workload.start.adding(milliseconds: 3_600_000 + SystemClock().now().milliseconds - began.milliseconds)
        }
    }

    /// Requests are named from `first`, so a second workload can follow the first in one database.
    let first: Int
    let count: Int
    var start: Timestamp { Workload.start }

    /// Commands of a request: 5, or 3 for every tenth (rejected).
    func steps(of request: Int) -> Int { request % 10 == 9 ? 2 : 5 }

    var commandCount: Int { (0..<count).reduce(0) { $0 + steps(of: first + $1) } }

    func requestID(_ request: Int) -> String { "PML-W1-" + String(request) }

    /// The command lines of round `step` (0-based) for requests `range`, one JSON object a line.
    func lines(step: Int, requests range: Range<Int>, into output: inout [UInt8]) {
        for offset in range {
            let request = first + offset
            guard step < steps(of: request) else { continue }
            JSONWriter.write(command(request, step: step), into: &output)
            output.append(UInt8(ascii: "\n"))
        }
    }

    /// One command of one request.
    func command(_ request: Int, step: Int) -> JSONValue {
        let route = Workload.routes[request % Workload.routes.count]
        let id = requestID(request)
        // A step every five minutes; requests a millisecond apart within a minute.
        let at = start.adding(milliseconds: Int64(step) * 300_000 + Int64(request % 60_000))
        let today = start.civilDate(in: .wib)
        let rejected = request % 10 == 9
        var members: [String: JSONValue] = ["id": .string("\(id)-\(step + 1)"), "request": .string(id), "at": .string(at.iso8601(in: .wib))]
        let action: String, actor: String
        var data: [String: JSONValue] = [:]
        switch (step, rejected) {
        case (0, _):
            action = "submit"; actor = route.owner
            members["workflow"] = .string(Workload.workflow)
            data = [
                "target_unit": .string(route.targetUnit),
                // Each request's contents its own, as real requests' are (its letters' request part is then its own too).
                "purpose": .string("\(Workload.purposes[request % Workload.purposes.count]), kegiatan \(request + 1)"),
                "competence": "Pengembangan aplikasi web dan pengolahan data",
                "performance_target": "Keluaran tersusun dan digunakan oleh 22 Puskesmas",
                "duration": .object(["start": .string(today.adding(days: 30).description), "end": .string(today.adding(days: 210).description)]),
            ]
        case (1, true):
            action = "reject"; actor = route.departmentHead
            data = ["reason": "Pegawai yang dibutuhkan sedang ditugaskan pada kegiatan lain hingga akhir semester; ajukan kembali setelahnya."]
        case (1, false):
            action = "recommend"; actor = route.departmentHead
            data = ["note": "Direkomendasikan; selaras dengan program kerja tahun berjalan."]
        case (2, _):
            action = "approve"; actor = route.unitHead
            data = ["nominees": .array([.string(route.nominee)]), "note": "Pegawai ditugaskan sesuai kriteria pemohon."]
        case (3, _):
            action = "issue_letter"; actor = route.departmentHead
        default:
            action = "accept"; actor = route.nominee
        }
        members["action"] = .string(action)
        members["actor"] = .string(actor)
        members["data"] = .object(data)
        return .object(members)
    }
}

