import LintasCore
import TestSupport
import Testing

/// Perbup Pemalang 38/2023 Pasal 11 ayat (4), walked through the real CLI and daemon processes.
@Suite("Pasal 11 ayat (4) Perbup Pemalang 38/2023 through lintas submit, daemon, status and history")
struct ProcedureTests {
    @Test("Pasal 11 ayat (4) huruf a–e: request, recommendation, approval, letter and acceptance by each nominee")
    func pasal11Ayat4AcceptedStepByStep() throws {
        let lintas = try Lintas.prepared()
        let request = "PML-2026-0001"

        // a. The Pimpinan UO pemilik kinerja sends the request letter: the target department's head must act.
        // (An assignment still in force: one whose period has run out ends as soon as it is accepted.)
        try lintas.process([Pemalang.submit(request, Pemalang.inForce)])
        var status = try lintas.status(request)
        #expect(status["state"]?.stringValue == "requested")
        #expect(status["workflow"]?.stringValue == Pemalang.workflow)
        #expect(status["since"]?.stringValue == "2026-03-02T09:00:00+07:00")
        var awaiting = try #require(status["awaiting"]?.arrayValue?.first)
        #expect(awaiting["role"]?.stringValue == "kepala_pd_dituju")
        #expect(awaiting["people"]?.arrayValue?.compactMap { $0["nip"]?.stringValue } == [Pemalang.kadisKominfo])
        #expect(awaiting["actions"]?.arrayValue?.compactMap { $0["article"]?.stringValue }
                == ["Pasal 11 ayat (4) huruf b Perbup Pemalang 38/2023", "Pasal 11 ayat (4) huruf d Perbup Pemalang 38/2023"])

        // b. The Kepala Perangkat Daerah dituju recommends: the target unit's head must approve.
        try lintas.process([Pemalang.line("\(request)-recommend", request, "recommend", Pemalang.kadisKominfo, day: 3)])
        status = try lintas.status(request)
        #expect(status["state"]?.stringValue == "recommended")
        #expect(status["since"]?.stringValue == "2026-03-03T09:00:00+07:00")
        awaiting = try #require(status["awaiting"]?.arrayValue?.first)
        #expect(awaiting["people"]?.arrayValue?.compactMap { $0["nip"]?.stringValue } == [Pemalang.kabidAptika])

        // c. The Pimpinan UO dituju approves and names the nominees; e. once the letter is issued each accepts.
        try lintas.process([
            Pemalang.line("\(request)-approve", request, "approve", Pemalang.kabidAptika, day: 4,
                          ["nominees": .array([.string(Pemalang.prakomMuda), .string(Pemalang.prakomPertama)])]),
            Pemalang.line("\(request)-issue", request, "issue_letter", Pemalang.kadisKominfo, day: 5),
            Pemalang.line("\(request)-accept-1", request, "accept", Pemalang.prakomMuda, day: 6),
        ])
        status = try lintas.status(request)
        #expect(status["state"]?.stringValue == "letter_issued", "one of two nominees has accepted")
        awaiting = try #require(status["awaiting"]?.arrayValue?.first)
        #expect(awaiting["people"]?.arrayValue?.compactMap { $0["nip"]?.stringValue } == [Pemalang.prakomPertama])
        #expect(status["letters"]?.arrayValue?.compactMap { $0["number"]?.stringValue } == ["800.1.11.1/1/DINKES/2026", "800.1.11.1/1/DISKOMINFO/2026"],
                "the surat permohonan pelibatan (huruf a), the surat penugasan (huruf c)")

        try lintas.process([Pemalang.line("\(request)-accept-2", request, "accept", Pemalang.prakomPertama, day: 9)])
        status = try lintas.status(request)
        #expect(status["state"]?.stringValue == "accepted")
        #expect(status["awaiting"]?.arrayValue?.isEmpty == true)
        #expect(try lintas.refusals().isEmpty)

        // The history names each actor, action and article in order.
        let history = try lintas.expectSuccess(["history", request, "--json"]).json()
        let events = try #require(history["events"]?.arrayValue)
        #expect(events.compactMap { $0["action"]?.stringValue } == ["submit", "recommend", "approve", "issue_letter", "accept", "accept"])
        #expect(events.compactMap { $0["actor"]?["nip"]?.stringValue }
                == [Pemalang.kabidP2P, Pemalang.kadisKominfo, Pemalang.kabidAptika, Pemalang.kadisKominfo, Pemalang.prakomMuda, Pemalang.prakomPertama])
        #expect(events.compactMap { $0["article"]?.stringValue }.map { $0.replacingOccurrences(of: " Perbup Pemalang 38/2023", with: "") }
                == ["Pasal 11 ayat (4) huruf a", "Pasal 11 ayat (4) huruf b", "Pasal 11 ayat (4) huruf c",
                    "Pasal 11 ayat (4) huruf c", "Pasal 11 ayat (4) huruf e", "Pasal 11 ayat (4) huruf e"].map { $0 })
        let text = try lintas.expectSuccess(["history", request]).stdout
        #expect(text.contains("Nomor 800.1.11.1/1/DISKOMINFO/2026"))
        #expect(text.contains("NIP 19750214 200003 1 005"))

        // Replaying the log gives the state status showed, and the audit is clean.
        let replay = try lintas.expectSuccess(["replay", request, "--json"]).json()
        #expect(replay["steps"]?.arrayValue?.last?["state"]?["state"]?.stringValue == "accepted")
        #expect(try lintas.expectSuccess(["audit", "--json"]).json()["clean"] == .bool(true))
    }

    @Test("Pasal 11 ayat (4) huruf d: the Plt. Kepala Perangkat Daerah rejects with a reason, recorded in that capacity")
    func pasal11Ayat4HurufDRejectedByPlt() throws {
        let lintas = try Lintas.prepared()
        let request = "PML-2026-0002"
        var contents = Pemalang.contents
        contents["target_unit"] = "bkpsdm-kompetensi"
        let reason = "Seluruh Analis SDM Aparatur sedang ditugaskan pada seleksi PPPK."
        try lintas.process([
            Pemalang.line("\(request)-submit", request, "submit", Pemalang.kabagOrganisasi, day: 2, contents, opens: true),
            Pemalang.line("\(request)-reject", request, "reject", Pemalang.pltKepalaBKPSDM, day: 4, ["reason": .string(reason)]),
        ])
        let status = try lintas.status(request)
        #expect(status["state"]?.stringValue == "rejected")
        #expect(status["final"] == .bool(true))
        #expect(status["fields"]?["reason"]?.stringValue == reason)
        let events = try #require(try lintas.expectSuccess(["history", request, "--json"]).json()["events"]?.arrayValue)
        let rejection = try #require(events.last)
        #expect(rejection["actor"]?["nip"]?.stringValue == Pemalang.pltKepalaBKPSDM)
        #expect(rejection["actor"]?["capacity"]?.stringValue == "Plt.")
        #expect(rejection["article"]?.stringValue == "Pasal 11 ayat (4) huruf d Perbup Pemalang 38/2023")
        #expect(try lintas.expectSuccess(["status", request]).stdout.contains("Reason    \(reason)"))
        #expect(rejection["fields"]?["reason"]?.stringValue == reason)
        #expect(try lintas.expectSuccess(["history", request]).stdout.contains("reason   \(reason)"))
    }

    @Test("Pasal 11 ayat (4) and (6): every step the regulation does not allow is refused with its reason and kept")
    func refusalsNameTheRuleAndAreKept() throws {
        let lintas = try Lintas.prepared()
        var incomplete = Pemalang.contents
        incomplete["performance_target"] = nil
        try lintas.process([
            Pemalang.submit("PML-A"),
            // Pasal 11 ayat (6) huruf c: the request letter lacks the performance target.
            Pemalang.submit("PML-B", incomplete),
            // Pasal 11 ayat (4) huruf b: only the Kepala Perangkat Daerah dituju recommends.
            Pemalang.line("wrong-actor", "PML-A", "recommend", Pemalang.kabidAptika, day: 3),
            // Pasal 11 ayat (4) huruf d: a rejection without a reason.
            Pemalang.line("no-reason", "PML-A", "reject", Pemalang.kadisKominfo, day: 3),
            // Pasal 11 ayat (4) huruf c comes after b: no approval before the recommendation.
            Pemalang.line("too-early", "PML-A", "approve", Pemalang.kabidAptika, day: 3, ["nominees": .array([.string(Pemalang.prakomMuda)])]),
            Pemalang.line("nobody", "PML-NONE", "recommend", Pemalang.kadisKominfo, day: 3),
            #"{"id":"no-workflow","request":"PML-C","action":"submit","actor":"\#(Pemalang.kabidP2P)","workflow":"pemalang.tidak-ada","at":"2026-03-02T09:00:00+07:00","data":{}}"#,
        ])
        #expect(try lintas.refusals() == [
            "PML-B-submit": "missing_field", "wrong-actor": "wrong_actor", "no-reason": "missing_field",
            "too-early": "action_not_allowed", "nobody": "unknown_request", "no-workflow": "unknown_workflow",
        ])
        let refused = try #require(try lintas.expectSuccess(["commands", "--status", "refused", "--json"]).json()["commands"]?.arrayValue)
        func refusal(_ id: String) -> JSONValue? { refused.first { $0["id"]?.stringValue == id }?["refusal"] }
        #expect(refusal("PML-B-submit")?["article"]?.stringValue?.contains("Pasal 11 ayat (6) huruf c") == true)
        #expect(refusal("PML-B-submit")?["message"]?.stringValue?.contains("performance_target") == true)
        #expect(refusal("wrong-actor")?["article"]?.stringValue == "Pasal 11 ayat (4) huruf b Perbup Pemalang 38/2023")
        #expect(refusal("no-reason")?["article"]?.stringValue?.contains("Pasal 11 ayat (4) huruf d") == true)
        // The refused steps changed nothing: PML-A still awaits the recommendation; PML-B was never opened.
        #expect(try lintas.status("PML-A")["state"]?.stringValue == "requested")
        let never = try lintas.run(["status", "PML-B"])
        #expect(never.status == 1)
        #expect(never.stderr.contains("never opened"))
        #expect(try lintas.expectSuccess(["audit"]).stdout.contains("Audit clean: 1 event in 1 request"))
    }
}
