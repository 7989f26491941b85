import LintasCore
import LintasEngine
@testable import LintasStore
import Testing

/// Schema version 10: each event's `by` is stored once in `actors`, keyed by its SHA-256; the
/// event keeps the rest and the actor row's id, and reads back whole.
@Suite("Actors stored once: each event's by in one row, read back into the event its hash covers")
struct StoredActorsTests {
    func run() throws -> Harness { try Harness.twoAccepted() }

    func count(_ harness: Harness, _ sql: String) throws -> Int64 {
        try harness.store.connection.query(sql) { $0.int64(0) }.first ?? -1
    }

    @Test("each official's by is one actors row, the events keep none, and every event reads back with its by: replay and audit as before")
    func storedOnce() throws {
        let harness = try run()
        #expect(try count(harness, #"SELECT count(*) FROM events WHERE data LIKE '%"by":%' OR by_actor IS NULL"#) == 0)
        let distinct = try count(harness, "SELECT count(DISTINCT by_actor) FROM events")
        let (actors, events) = (try count(harness, "SELECT count(*) FROM actors"), try count(harness, "SELECT count(*) FROM events"))
        #expect(distinct > 1 && distinct == actors)
        #expect(distinct < events, "the same official's steps share a row")
        for row in try harness.store.events(of: "PML-1") {
            let detail = try row.decode().detail
            #expect(!detail.actorName.isEmpty && !detail.role.isEmpty)
            #expect(row.data == detail.canonicalBytes, "the bytes read back are the detail's canonical bytes, with its by")
        }
        for (hash, body) in try harness.store.storedActors() {
            #expect(Digest.sha256(body).hex == hash)
        }
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("split and join give back the detail's bytes, escapes in the article and the by included; bytes not as lintas writes them are not split")
    func splitAndJoin() throws {
        for article in [#"Pasal "11" \ ayat {4}"#, #"ends in a backslash \"#, #"\"quoted\""#] {
            let detail = Event.Detail(article: article, role: "pimpinan", actorName: #"Heru "Santoso" {S.KM.}"#, actorTitle: "Kepala",
                                      capacity: .definitive, position: "kabid-p2p", fields: ["note": "a,\"by\":{}"])
            let data = detail.canonicalBytes
            let (rest, actor) = try #require(StoredActors.split(data))
            #expect(!String(decoding: rest, as: UTF8.self).contains("Santoso"))
            #expect(String(decoding: actor, as: UTF8.self).hasPrefix(#"{"capacity":"definitif""#))
            #expect(StoredActors.join(rest, actor: actor) == data)
            #expect(try Event.Detail(bytes: StoredActors.join(rest, actor: actor)) == detail)
        }
        #expect(StoredActors.split(Array(#"{"fields":{},"by":{}}"#.utf8)) == nil)
        #expect(StoredActors.split(Array(#"{"article":"a","fields":{}}"#.utf8)) == nil)
    }

    @Test("an actor row changed after the fact fails the audit: the row is named, and every event by it fails its hash")
    func alteredActor() throws {
        let harness = try run()
        let events = try count(harness, "SELECT count(*) FROM events WHERE by_actor = (SELECT id FROM actors WHERE body LIKE '%Heru Santoso%')")
        #expect(events > 0)
        #expect(throws: StoreError.self) { try harness.tamper("UPDATE actors SET body = '{}'") }
        #expect(throws: StoreError.self) { try harness.tamper("DELETE FROM actors") }
        try harness.tamper("DROP TRIGGER actors_refuse_update")
        try harness.tamper("UPDATE actors SET body = replace(body, 'Heru Santoso', 'Heru Santosa') WHERE body LIKE '%Heru Santoso%'")
        let report = try Audit.run(harness.store)
        #expect(report.findings.filter { $0.message.hasPrefix("stored actor ") && $0.message.contains("was altered") }.count == 1, "\(report.findings)")
        #expect(report.findings.filter { $0.sequence != nil && $0.message.contains("the event was altered") }.count == Int(events), "\(report.findings)")
    }

    @Test("a version-9 file, every by inside its event: opened, it becomes the current version, each by moved to actors, the chain and the states unchanged, the audit clean")
    func versionNineFile() throws {
        let harness = try run()
        let before = try ["PML-1", "PML-2"].map { try harness.store.events(of: RequestID($0)) }
        let states = try ["PML-1", "PML-2"].map { try harness.store.request(RequestID($0)) }
        try harness.tamper("""
            DROP TRIGGER events_refuse_update;
            UPDATE events SET data = (SELECT substr(e.data, 1, instr(e.data, '","') + 1) || '"by":' || a.body || ',' || substr(e.data, instr(e.data, '","') + 2)
                                      FROM events e JOIN actors a ON a.id = e.by_actor WHERE e.seq = events.seq), by_actor = NULL;
            ALTER TABLE events DROP COLUMN by_actor;
            DROP TABLE actors;
            CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused'); END;
            PRAGMA user_version = 9;
            """)
        #expect(try count(harness, #"SELECT count(*) FROM events WHERE data LIKE '{"article":"%","by":{%'"#) == 12)

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try reopened.connection.query(#"SELECT count(*) FROM events WHERE data LIKE '%"by":%' OR by_actor IS NULL"#) { $0.int64(0) }.first == 0)
        #expect(try ["PML-1", "PML-2"].map { try reopened.events(of: RequestID($0)) } == before, "every event reads back as it was, its hash too")
        #expect(try ["PML-1", "PML-2"].map { try reopened.request(RequestID($0)) } == states)
        #expect(try Audit.run(reopened).isClean)
        #expect(throws: StoreError.self) { try reopened.connection.execute("UPDATE events SET state = 'x'") }
    }
}
