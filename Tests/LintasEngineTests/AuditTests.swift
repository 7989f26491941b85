import LintasCore
import LintasEngine
@testable import LintasStore
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
        try harness.tamper("""
            INSERT INTO requests (request, workflow, state, version, updated, head, body, ends, timed)
                SELECT 'PML-GHOST', workflow, state, version, updated, head, body, ends, timed FROM requests WHERE request = 'PML-1'
            """)
        let report = try Audit.run(harness.store)
        #expect(report.findings.contains { $0.request == "PML-2" && $0.message.contains("stored state says rejected version 6, replay gives accepted version 6") })
        #expect(report.findings.contains { $0.request == "PML-GHOST" && $0.message.contains("no events") })
    }

    /// Each request's list of its events' sequences (`requests.event_seqs`, schema version 15).
    func eventLists(_ store: SQLiteStore) throws -> [String: [String]] {
        Dictionary(uniqueKeysWithValues: try store.connection.query("SELECT request, event_seqs FROM requests") {
            ($0.text(0), $0.text(1).split(separator: ",").map(String.init))
        })
    }

    @Test("schema version 15: a request's list of its events tampered with is a finding naming the request: two swapped, one left out, one of another request")
    func tamperedEventList() throws {
        let harness = try run()
        let lists = try eventLists(harness.store)
        #expect(lists["PML-1"]?.count == 6 && lists["PML-2"]?.count == 6)
        /// The whole audit with the request's list tampered with, and that request's own audit.
        func audit(_ request: String, listing list: [String]) throws -> Audit.Report {
            try harness.tamper("UPDATE requests SET event_seqs = '\(list.joined(separator: ","))' WHERE request = '\(request)'")
            defer { _ = try? harness.tamper("UPDATE requests SET event_seqs = '\(lists[request]!.joined(separator: ","))' WHERE request = '\(request)'") }
            let alone = try Audit.run(harness.store, request: RequestID(request))
            #expect(!alone.isClean && alone.findings.allSatisfy { $0.request == RequestID(request) }, "\(alone.findings)")
            return try Audit.run(harness.store)
        }
        var swapped = lists["PML-1"]!
        swapped.swapAt(1, 2)
        let order = try audit("PML-1", listing: swapped)
        #expect(!order.isClean && order.findings.allSatisfy { $0.request == "PML-1" }, "\(order.findings)")

        var shorter = lists["PML-2"]!
        let left = shorter.remove(at: 2)
        let missing = try audit("PML-2", listing: shorter)
        #expect(missing.findings.contains { $0.sequence == Int64(left) && $0.message.contains("missing from the global sequence") }, "\(missing.findings)")
        #expect(missing.findings.contains { $0.request == "PML-2" && $0.message.contains("versions must run 1, 2, 3") }, "\(missing.findings)")

        let foreign = try audit("PML-2", listing: lists["PML-2"]! + [lists["PML-1"]![0]])
        #expect(!foreign.isClean && foreign.findings.allSatisfy { $0.request == "PML-2" }, "\(foreign.findings)")
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("schema version 15: an event whose own request column was changed to another request's fails its hash, named by its sequence, though its request's list still names it")
    func tamperedEventRequest() throws {
        let harness = try run()
        let moved = try #require(try eventLists(harness.store)["PML-1"]?.first)
        try harness.tamper("DROP TRIGGER events_refuse_update")
        try harness.tamper("UPDATE events SET request = 'PML-2' WHERE seq = \(moved)")
        let report = try Audit.run(harness.store)
        #expect(report.findings.contains { $0.sequence == Int64(moved) && $0.message.contains("does not match the event's content") }, "\(report.findings)")
        let alone = try Audit.run(harness.store, request: "PML-1")
        #expect(alone.findings.contains { $0.sequence == Int64(moved) && $0.message.contains("does not match the event's content") }, "\(alone.findings)")
    }

    @Test("a version-14 file (the events' (request, version) index, no lists) is brought to version 15 on opening: the index gone, each request's events listed, the log the same row for row, the same states and histories, the audit clean")
    func versionFourteenUpgraded() throws {
        let harness = try run()
        let requests: [RequestID] = ["PML-1", "PML-2"]
        let states = try requests.map { try harness.store.request($0) }
        let histories = try requests.map { try harness.store.events(of: $0) }
        let lists = try eventLists(harness.store)
        let commands = try harness.store.commands(CommandFilter(request: "PML-1")).map { "\($0.sequence) \($0.status) \($0.firstEvent ?? 0)" }
        #expect(commands.count > 1)
        func log(_ store: SQLiteStore) throws -> [String] {
            try store.connection.query("""
                SELECT seq || '|' || request || '|' || version || '|' || action || '|' || state || '|' || actor || '|' || at || '|' || recorded
                    || '|' || command || '|' || hex(data) || '|' || hex(hash) || '|' || coalesce(opening, '') FROM events ORDER BY seq
                """) { $0.text(0) }
        }
        let rows = try log(harness.store)
        // The file as lintas of schema version 14 left it: `events` with its unique index, `requests` without lists.
        try harness.tamper("""
            DROP VIEW commands;
            DROP TRIGGER events_refuse_update;
            DROP TRIGGER events_refuse_delete;
            CREATE TABLE events_v14 (\(SQLiteStore.eventsColumns), UNIQUE (request, version));
            INSERT INTO events_v14 SELECT seq, request, version, action, state, actor, at, recorded, command, data, hash, opening FROM events ORDER BY seq;
            DROP TABLE events;
            ALTER TABLE events_v14 RENAME TO events;
            \(SQLiteStore.refuseEventUpdates)
            \(SQLiteStore.refuseEventDeletes)
            ALTER TABLE requests DROP COLUMN event_seqs;
            PRAGMA user_version = 14;
            """)

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try reopened.connection.query("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events'") { $0.text(0) } == [])
        #expect(try eventLists(reopened) == lists)
        #expect(try log(reopened) == rows)
        #expect(try requests.map { try reopened.request($0) } == states)
        #expect(try requests.map { try reopened.events(of: $0) } == histories)
        #expect(try reopened.commands(CommandFilter(request: "PML-1")).map { "\($0.sequence) \($0.status) \($0.firstEvent ?? 0)" } == commands)
        let report = try Audit.run(reopened)
        #expect(report.isClean && report.events == 12, "\(report.findings)")
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
