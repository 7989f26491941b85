import LintasCore
import LintasEngine
import LintasStore
import TestSupport
import Testing

@Suite("Audit: the log proves itself, and names the first bad event")
struct AuditTests {
    func run() throws -> Harness {
        let harness = try Harness.twoAccepted()
        #expect(try Audit.run(harness.store).isClean)
        return harness
    }

    @Test("replaying the log reproduces every stored state exactly")
    func cleanRun() throws {
        let harness = try run()
        let report = try Audit.run(harness.store)
        let shipped = DataFiles.check(Harness.repository.appendingPathComponent("workflows").path).workflows.count
        #expect((report.requests, report.events, report.definitions) == (2, 12, shipped))
        let replayed = try Replay.steps(of: "PML-2", in: harness.store).last?.state
        #expect(replayed == (try harness.state("PML-2")))
    }

    @Test("replay rebuilds every request from the stored bytes: the states and the projection bytes the store holds, the same on every run")
    func replayFromBytes() throws {
        let harness = try run()
        try harness.submit([Lines.line("PML-3-1", "PML-3", "submit", Pemalang.kabidP2P, day: 1, Lines.contents, workflow: true)])
        try harness.drain()
        var stored: [RequestID: StoredRequest] = [:]
        try harness.store.forEachRequest { stored[$0.request] = $0 }
        var states: [RequestState] = []
        let counts = try Replay.all(in: harness.store) { states.append($0) }
        #expect(counts.requests == 3 && counts.events == 13)
        #expect(states.map(\.request) == ["PML-1", "PML-2", "PML-3"])
        for state in states { #expect(state.canonicalBytes == stored[state.request]?.body) }
        var bodies: [[UInt8]] = []
        try Replay.projections(in: harness.store) { bodies.append($0) }
        #expect(bodies == states.map(\.canonicalBytes))
        var again: [[UInt8]] = []
        try Replay.projections(in: harness.store) { again.append($0) }
        #expect(again == bodies)
        for request in stored.keys { try harness.expectFoldIsEvolve(request) }
    }

    @Test("a file from before letters were stored once: opening it folds every projection again from the log, and the audit is clean")
    func projectionsRebuiltOnUpgrade() throws {
        let harness = try run()
        let before = try #require(try harness.store.request("PML-2"))
        // Version 3 states held each letter's whole content beside its reference.
        try harness.tamper("UPDATE requests SET body = json_set(body, '$.letters[0].content', json('{\"number\":\"800.1.11.1/1/DINKES/2025\"}'))")
        try harness.tamper("PRAGMA user_version = 3")
        let stale = try Audit.run(harness.store)
        #expect(stale.findings.contains { $0.message.hasSuffix("they differ in letters") }, "\(stale.findings)")

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.request("PML-2") == before)
        let report = try Audit.run(reopened)
        #expect(report.isClean, "\(report.findings)")
    }

    @Test("one changed byte in a stored event fails the audit and names that event")
    func alteredEvent() throws {
        let harness = try run()
        try harness.tamper("DROP TRIGGER events_refuse_update")
        // The submission's purpose (its article is in `openings` since schema version 11: `StoredOpeningsTests`).
        try harness.tamper("UPDATE events SET data = replace(data, 'Dasbor surveilans', 'Dasbor surveilanz') WHERE seq = 7")
        let report = try Audit.run(harness.store)
        #expect(!report.isClean)
        #expect(report.findings.first?.sequence == 7)
        #expect(report.findings.first?.message.contains("the event was altered") == true)
    }

    @Test("Pasal 11 ayat (4) huruf c: a surat penugasan altered after issue fails its seal, checked over the content as stored")
    func alteredLetter() throws {
        let harness = try run()
        try harness.tamper("DROP TRIGGER events_refuse_update")
        // The letter's date as printed is one of the members its event keeps (the frame is a part: `LetterPartsTests`).
        try harness.tamper(#"UPDATE events SET data = replace(data, '"date_text":"', '"date_text":"Senin, ') WHERE action = 'issue_letter'"#)
        let report = try Audit.run(harness.store)
        let sealed = report.findings.filter { $0.message.contains("was altered: its content hashes to") }
        #expect(sealed.count == 2, "one per request's surat penugasan")
        #expect(sealed.allSatisfy { $0.message.hasPrefix("letter 800.1.11.1/") })
    }

    @Test("a removed event leaves a gap in the sequence and a version the stored state does not match")
    func removedEvent() throws {
        let harness = try run()
        try harness.tamper("DROP TRIGGER events_refuse_delete")
        try harness.tamper("DELETE FROM events WHERE seq = 3")
        let report = try Audit.run(harness.store)
        #expect(report.findings.first?.sequence == 3)
        #expect(report.findings.first?.message.contains("missing from the global sequence") == true)
        #expect(report.findings.contains { $0.request == "PML-1" && $0.message.contains("versions must run 1, 2, 3") })
    }

    @Test("a stored state that replay does not give, or that has no events, is found")
    func projections() throws {
        let harness = try run()
        try harness.tamper("UPDATE requests SET body = replace(body, '\"state\":\"accepted\"', '\"state\":\"rejected\"') WHERE request = 'PML-2'")
        try harness.tamper("INSERT INTO requests SELECT 'PML-GHOST', workflow, state, version, updated, head, body, ends, timed FROM requests WHERE request = 'PML-1'")
        let report = try Audit.run(harness.store)
        #expect(report.findings.contains { $0.request == "PML-2" && $0.message.contains("stored state says rejected version 6, replay gives accepted version 6") })
        #expect(report.findings.contains { $0.request == "PML-GHOST" && $0.message.contains("no events") })
    }

    @Test("an altered workflow definition is found")
    func alteredDefinition() throws {
        let harness = try run()
        try harness.tamper("DROP TRIGGER definitions_refuse_update")
        try harness.tamper("UPDATE definitions SET body = replace(body, 'huruf d', 'huruf e')")
        #expect(try Audit.run(harness.store).findings.contains { $0.message.contains("was altered") })
    }

    @Test("auditing one request checks only its stream")
    func oneRequest() throws {
        let harness = try run()
        try harness.tamper("DROP TRIGGER events_refuse_update")
        try harness.tamper("UPDATE events SET actor = '198001172006041007' WHERE seq = 8")
        #expect(try Audit.run(harness.store, request: "PML-1").isClean)
        #expect(try Audit.run(harness.store, request: "PML-2").findings.first?.sequence == 8)
    }
}
