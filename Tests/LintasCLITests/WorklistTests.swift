import LintasCore
import TestSupport
import Testing

/// `lintas requests`: whose turn it is across requests, the worklist each official acts from.
@Suite("lintas requests: the requests in progress and whose turn it is, per official")
struct WorklistTests {
    /// Three requests of Perbup Pemalang 38/2023 Pasal 11 ayat (4), each stopped at another step.
    static func threeRequests() throws -> Lintas {
        let lintas = try Lintas.prepared()
        try lintas.process([
            // a. sent on 2 March: the Kepala Perangkat Daerah dituju must recommend or refuse.
            Pemalang.submit("PML-A", day: 2),
            // b. sent on 3 March and recommended on 4 March: the Pimpinan UO dituju must approve.
            Pemalang.submit("PML-B", day: 3),
            Pemalang.line("PML-B-recommend", "PML-B", "recommend", Pemalang.kadisKominfo, day: 4),
            // d. refused with a reason on 5 March: ended.
            Pemalang.submit("PML-C", day: 1),
            Pemalang.line("PML-C-reject", "PML-C", "reject", Pemalang.kadisKominfo, day: 5,
                          ["reason": "Seluruh Pranata Komputer sedang menyiapkan SPBE."]),
        ])
        #expect(try lintas.refusals().isEmpty)
        return lintas
    }

    @Test("Pasal 11 ayat (4) huruf b and c: each official's worklist holds the requests waiting on them, the longest waiting first")
    func worklistPerOfficial() throws {
        let lintas = try Self.threeRequests()

        // Every request in progress, the one waiting longest first; the refused one has ended.
        let open = try lintas.expectSuccess(["requests", "--json"]).json()
        let listed = try #require(open["requests"]?.arrayValue)
        #expect(listed.compactMap { $0["request"]?.stringValue } == ["PML-A", "PML-B"])
        #expect(listed.compactMap { $0["state"]?.stringValue } == ["requested", "recommended"])
        #expect(listed.first?["since"] == "2026-03-02T09:00:00+07:00")
        #expect(listed.map { $0["awaiting"]?.arrayValue?.first?["people"]?.arrayValue?.compactMap { $0["nip"]?.stringValue } }
                == [[Pemalang.kadisKominfo], [Pemalang.kabidAptika]])
        #expect(listed.first?["awaiting"]?.arrayValue?.first?["actions"]?.arrayValue?.compactMap { $0["article"]?.stringValue }
                == ["Pasal 11 ayat (4) huruf b Perbup Pemalang 38/2023", "Pasal 11 ayat (4) huruf d Perbup Pemalang 38/2023"])

        // huruf b: the Kepala Dinas Kominfo recommends PML-A; huruf c: the Kepala Bidang Aptika approves PML-B.
        func worklist(_ nip: String) throws -> [String] {
            try lintas.expectSuccess(["requests", "--awaiting", nip, "--json"]).json()["requests"]?.arrayValue?.compactMap { $0["request"]?.stringValue } ?? []
        }
        #expect(try worklist(Pemalang.kadisKominfo) == ["PML-A"])
        #expect(try worklist(Pemalang.kabidAptika) == ["PML-B"])
        #expect(try worklist(Pemalang.prakomMuda) == [], "nothing waits on an employee not yet nominated")
        let text = try lintas.expectSuccess(["requests", "--awaiting", Pemalang.kabidAptika]).stdout
        #expect(text.contains("1 request awaiting"), "\(text)")
        #expect(text.contains("PML-B  recommended"), "\(text)")
        #expect(text.contains("NIP 19800117 200604 1 007"), "\(text)")

        // Ended requests are listed when asked for, by --all or by their state.
        #expect(try lintas.expectSuccess(["requests", "--all", "--json"]).json()["requests"]?.arrayValue?.compactMap { $0["request"]?.stringValue }
                == ["PML-A", "PML-B", "PML-C"])
        let rejected = try lintas.expectSuccess(["requests", "--state", "rejected", "--json"]).json()["requests"]?.arrayValue
        #expect(rejected?.compactMap { $0["request"]?.stringValue } == ["PML-C"])
        #expect(rejected?.first?["final"] == .bool(true))
        #expect(rejected?.first?["awaiting"]?.arrayValue?.isEmpty == true)
        let first = try lintas.expectSuccess(["requests", "--limit", "1", "--json"]).json()
        #expect(first["total"] == .int(2))
        #expect(first["requests"]?.arrayValue?.compactMap { $0["request"]?.stringValue } == ["PML-A"], "the one waiting longest")
    }

    @Test("Pasal 11 ayat (4) huruf b and c: --by-official sums up who holds how many requests, the longest waiting first")
    func byOfficial() throws {
        let lintas = try Self.threeRequests()
        try lintas.process([Pemalang.submit("PML-D", day: 6)])
        let desks = try #require(try lintas.expectSuccess(["requests", "--by-official", "--json"]).json()["officials"]?.arrayValue)
        // The Kepala Dinas Kominfo holds PML-A (since 2 March) and PML-D; the Kepala Bidang Aptika PML-B (since 4 March).
        #expect(desks.compactMap { $0["nip"]?.stringValue } == [Pemalang.kadisKominfo, Pemalang.kabidAptika])
        #expect(desks.compactMap { $0["requests"]?.intValue } == [2, 1])
        #expect(desks.compactMap { $0["oldest"]?["request"]?.stringValue } == ["PML-A", "PML-B"])
        #expect(desks.first?["oldest"]?["since"] == "2026-03-02T09:00:00+07:00")
        let text = try lintas.expectSuccess(["requests", "--by-official"]).stdout
        #expect(text.contains("3 requests in progress, by whom they wait on"), "\(text)")
        #expect(text.contains("2 requests; the oldest PML-A since 2026-03-02 09:00 WIB"), "\(text)")
        let both = try lintas.run(["requests", "--by-official", "--awaiting", Pemalang.kabidAptika])
        #expect(both.status == 64)
        #expect(both.stderr.contains("give one of them"), "\(both.stderr)")
    }

    @Test("a wrong NIP, state or workflow is an error that says what is wrong")
    func wrongFiltersAreNamed() throws {
        let lintas = try Self.threeRequests()
        let malformed = try lintas.run(["requests", "--awaiting", "19800117"])
        #expect(malformed.status == 64)
        #expect(malformed.stderr.contains("a NIP has 18 digits"), "\(malformed.stderr)")
        let unknown = try lintas.run(["requests", "--awaiting", "199001012015031001"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("NIP 19900101 201503 1 001 is not in the org directory in force"), "\(unknown.stderr)")
        let state = try lintas.run(["requests", "--state", "disetujui", "--workflow", Pemalang.workflow])
        #expect(state.status == 1)
        #expect(state.stderr.contains("no state \"disetujui\" in workflow \(Pemalang.workflow)"), "\(state.stderr)")
        #expect(state.stderr.contains("approved, letter_issued, recommended, rejected, requested"), "\(state.stderr)")
        let workflow = try lintas.run(["requests", "--workflow", "pemalang.tidak-ada"])
        #expect(workflow.status == 1)
        #expect(workflow.stderr.contains("no workflow pemalang.tidak-ada in the database"), "\(workflow.stderr)")
    }
}
