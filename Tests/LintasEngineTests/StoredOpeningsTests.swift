import LintasCore
import LintasEngine
@testable import LintasStore
import Testing

/// Schema version 11: each event's article and `by` (and a first event's definition hash) are stored
/// once in `openings`, keyed by their SHA-256; the event keeps the rest of its detail and the opening
/// row's id, and reads back whole.
@Suite("Openings stored once: each event's article and by in one row, read back into the event its hash covers")
struct StoredOpeningsTests {
    func run() throws -> Harness { try Harness.twoAccepted() }

    func count(_ store: SQLiteStore, _ sql: String) throws -> Int64 {
        try store.connection.query(sql) { $0.int64(0) }.first ?? -1
    }

    /// What every event of the two requests reads back as, and their projections.
    func readBack(_ store: SQLiteStore) throws -> (events: [[StoredEvent]], states: [StoredRequest?]) {
        (try ["PML-1", "PML-2"].map { try store.events(of: RequestID($0)) }, try ["PML-1", "PML-2"].map { try store.request(RequestID($0)) })
    }

    /// Every event's detail whole again, by SQL on the stored rows: the opening without its closing
    /// brace, a comma, the rest without its opening brace.
    static let whole = """
        DROP TRIGGER events_refuse_update;
        UPDATE events SET data = (SELECT substr(o.body, 1, length(o.body) - 1) || ',' || substr(e.data, 2)
                                  FROM events e JOIN openings o ON o.id = e.opening WHERE e.seq = events.seq), opening = NULL;
        """

    @Test("each official's article and by (and a first event's definition) are one openings row, the events keep none of them, and every event reads back whole: replay and audit as before")
    func storedOnce() throws {
        let harness = try run()
        let store = harness.store
        #expect(try count(store, #"SELECT count(*) FROM events WHERE data LIKE '%"by":%' OR data LIKE '%"article":%' OR data LIKE '%"definition":%' OR opening IS NULL"#) == 0)
        let distinct = try count(store, "SELECT count(DISTINCT opening) FROM events")
        let (openings, events) = (try count(store, "SELECT count(*) FROM openings"), try count(store, "SELECT count(*) FROM events"))
        #expect(distinct > 1 && distinct == openings)
        #expect(distinct < events, "steps of the same official on the same article share a row")
        #expect(try count(store, #"SELECT count(DISTINCT opening) FROM events WHERE version = 1"#) == 1, "both submissions: one official, one article, one definition")
        #expect(try count(store, #"SELECT count(*) FROM openings WHERE body LIKE '%"definition":"%'"#) == 1)
        #expect(try count(store, "SELECT count(*) FROM openings WHERE json_valid(body) AND length(hash) = 32") == distinct)
        #expect(try count(store, "SELECT count(*) FROM events WHERE NOT json_valid(data)") == 0, "the rest of a detail is JSON too")
        for row in try store.events(of: "PML-1") {
            let detail = try row.decode().detail
            #expect(!detail.article.isEmpty && !detail.actorName.isEmpty && !detail.role.isEmpty)
            #expect(row.data == detail.canonicalBytes, "the bytes read back are the detail's canonical bytes, with its article and by")
        }
        for (hash, body) in try store.storedOpenings() {
            #expect(Digest.sha256(body).hex == hash)
        }
        #expect(try Audit.run(store).isClean)
    }

    @Test("split and join give back the detail's bytes, escapes in the article and the by included; bytes not as lintas writes them are not split")
    func splitAndJoin() throws {
        let articles = [#"Pasal "11" \ ayat {4}"#, #"ends in a backslash \"#, #"\"quoted\""#, "Pasal 11,\"by\":{}"]
        for (article, definition) in zip(articles, [nil, DefinitionHash(String(repeating: "ab", count: 32)), DefinitionHash(#"a "quoted\" one\"#), nil]) {
            let detail = Event.Detail(article: article, role: "pimpinan", actorName: #"Heru "Santoso" {S.KM.}"#, actorTitle: "Kepala",
                                      capacity: .definitive, position: "kabid-p2p", fields: ["note": "a,\"by\":{}"], definition: definition)
            let data = detail.canonicalBytes
            let (rest, opening) = try #require(StoredOpenings.split(data))
            #expect(!String(decoding: rest, as: UTF8.self).contains("Santoso") && !String(decoding: rest, as: UTF8.self).contains("Pasal"))
            #expect(String(decoding: rest, as: UTF8.self).hasPrefix(#"{"fields":{"note":"#))
            #expect(try JSONValue.parse(opening).objectValue?.keys.sorted() == (definition == nil ? ["article", "by"] : ["article", "by", "definition"]))
            #expect(StoredOpenings.join(rest, opening: opening) == data)
            #expect(try Event.Detail(bytes: StoredOpenings.join(rest, opening: opening)) == detail)
            let by = try #require(opening.withUnsafeBytes(StoredOpenings.by(in:)))
            let byInDetail = try #require(data.withUnsafeBytes(StoredOpenings.by(in:)))
            #expect(String(decoding: opening[by], as: UTF8.self).hasPrefix(#"{"capacity":"definitif""#) && opening[by] == data[byInDetail] && by == byInDetail)
        }
        #expect(StoredOpenings.split(Array(#"{"fields":{},"by":{}}"#.utf8)) == nil)
        #expect(StoredOpenings.split(Array(#"{"article":"a","fields":{}}"#.utf8)) == nil)
        #expect(StoredOpenings.split(Array(#"{"article":"a","by":{}}"#.utf8)) == nil, "nothing after by: kept whole")
        #expect(StoredOpenings.join(Array("[1]".utf8), opening: Array(#"{"article":"a","by":{}}"#.utf8)) == Array("[1]".utf8), "not an object: read as stored")
    }

    @Test("an opening row changed after the fact fails the audit: the row is named, and every event citing it fails its hash")
    func alteredOpening() throws {
        let harness = try run()
        let events = try count(harness.store, "SELECT count(*) FROM events WHERE opening = (SELECT min(id) FROM openings WHERE body LIKE '%Heru Santoso%')")
        #expect(events > 0)
        #expect(throws: StoreError.self) { try harness.tamper("UPDATE openings SET body = '{}'") }
        #expect(throws: StoreError.self) { try harness.tamper("DELETE FROM openings") }
        try harness.tamper("DROP TRIGGER openings_refuse_update")
        try harness.tamper("UPDATE openings SET body = replace(body, 'Heru Santoso', 'Heru Santosa') WHERE id = (SELECT min(id) FROM openings WHERE body LIKE '%Heru Santoso%')")
        let report = try Audit.run(harness.store)
        #expect(report.findings.filter { $0.message.hasPrefix("stored opening ") && $0.message.contains("was altered") }.count == 1, "\(report.findings)")
        #expect(report.findings.filter { $0.sequence != nil && $0.message.contains("the event was altered") }.count == Int(events), "\(report.findings)")
    }

    @Test("a scan finds each opening by its row's id, the ids in a run or with gaps: replay reads the same bytes, an id no row has is not found")
    func scannedByID() throws {
        let harness = try run()
        var before: [[UInt8]] = []
        try Replay.projections(in: harness.store) { before.append($0) }
        let ids = try harness.store.connection.query("SELECT id FROM openings ORDER BY id") { $0.int64(0) }
        #expect(ids.count > 2 && ids == Array(1...Int64(ids.count)), "SQLite numbers them from 1 without a gap")
        var openings = try ScannedOpenings(harness.store.connection)
        #expect(ids.map(openings.index(of:)) == Array(ids.indices))
        #expect(openings.index(of: 0) == nil && openings.index(of: Int64(ids.count) + 1) == nil && openings.index(of: -5) == nil)
        // The second row moved to an id after the last, its events with it: each row keeps its bytes and hash,
        // so every event still reads back whole, found by halving the ids instead of where the run puts them.
        try harness.tamper("DROP TRIGGER openings_refuse_update")
        try harness.tamper("DROP TRIGGER events_refuse_update")
        try harness.tamper("UPDATE openings SET id = 1000 WHERE id = 2")
        try harness.tamper("UPDATE events SET opening = 1000 WHERE opening = 2")
        openings = try ScannedOpenings(harness.store.connection)
        #expect(openings.index(of: 1000) == ids.count - 1 && openings.index(of: 2) == nil && openings.index(of: 3) == 1)
        #expect(openings.index(of: 1) == 0 && openings.index(of: 999) == nil && openings.index(of: 1001) == nil)
        var after: [[UInt8]] = []
        try Replay.projections(in: harness.store) { after.append($0) }
        #expect(after == before)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("replay's scan gives the fold each detail's rest and its opening apart: every state the stored one, and a rest changed after its opening was met is refused, on one reader or two, with the message its detail put back gets")
    func restApart() throws {
        let harness = try run()
        var stored: [[UInt8]] = []
        try harness.store.forEachRequest { stored.append($0.body) }
        var bodies: [[UInt8]] = []
        try Replay.projections(in: harness.store) { bodies.append($0) }
        #expect(bodies == stored)
        // The opening cited most, its second event in the scan's order (requests in order, each one's events in turn).
        let opening = try count(harness.store, "SELECT opening FROM events GROUP BY opening ORDER BY count(*) DESC, opening LIMIT 1")
        let cited = try harness.store.connection.query("SELECT seq, request FROM events WHERE opening = ? ORDER BY request, version", [.integer(opening)]) {
            ($0.int64(0), $0.text(1))
        }
        #expect(cited.count > 1)
        try harness.tamper("DROP TRIGGER events_refuse_update")
        try harness.tamper(#"UPDATE events SET data = replace(data, '"fields":{', '"fields":{"x":,') WHERE seq = \#(cited[1].0)"#)
        var expected = ""
        do {
            _ = try RequestState.folding(try harness.store.events(of: RequestID(cited[1].1)))
            Issue.record("folded")
        } catch {
            #expect(error is EventFormatError && "\(error)".contains("line 1, column"), "\(error)")
            expected = "\(error)"
        }
        for workers in [1, 2] {
            do {
                try Replay.projections(in: harness.store, workers: workers)
                Issue.record("replayed on \(workers) readers")
            } catch {
                #expect("\(error)" == expected, "\(workers) readers")
            }
        }
    }

    @Test("an article changed in its opening row fails every event citing it, named")
    func alteredArticle() throws {
        let harness = try run()
        let id = try count(harness.store, #"SELECT min(id) FROM openings WHERE body LIKE '{"article":"Pasal%'"#)
        let events = try harness.store.connection.query("SELECT seq FROM events WHERE opening = ? ORDER BY seq", [.integer(id)]) { $0.int64(0) }
        #expect(!events.isEmpty)
        try harness.tamper("DROP TRIGGER openings_refuse_update")
        try harness.tamper("UPDATE openings SET body = replace(body, 'Pasal', 'Pasat') WHERE id = \(id)")
        let report = try Audit.run(harness.store)
        #expect(report.findings.filter { $0.message.contains("the event was altered") }.compactMap(\.sequence).sorted() == events, "\(report.findings)")
    }

    @Test("a version-9 file, every detail whole in its event: opened, it becomes the current version, each article and by moved to openings, the chain and the states unchanged, the audit clean")
    func versionNineFile() throws {
        let (harness, before) = try olderFile(version: 9, form: "ALTER TABLE events DROP COLUMN opening;")
        #expect(try count(harness.store, #"SELECT count(*) FROM events WHERE data LIKE '{"article":"%","by":{%'"#) == 12)
        try expectUpgraded(path: harness.store.path, before: before)
    }

    @Test("a version-10 file, each by in actors and the article in its event: opened, each event's article and by become one opening, actors and by_actor gone, the chain and the states unchanged, the audit clean")
    func versionTenFile() throws {
        // Version 10's form: `actors` with each `by` keyed by its hex SHA-256, each event's detail without its `by`.
        let (harness, before) = try olderFile(version: 10, form: """
            CREATE TABLE actors (id INTEGER PRIMARY KEY, hash TEXT NOT NULL UNIQUE, body TEXT NOT NULL);
            ALTER TABLE events RENAME COLUMN opening TO by_actor;
            """) { connection in
            let rows = try connection.query("SELECT seq, data FROM events ORDER BY seq") { ($0.int64(0), $0.bytes(1)) }
            for (sequence, data) in rows {
                let by = try #require(data.withUnsafeBytes(StoredOpenings.by(in:)))
                let actor = Array(data[by])
                try connection.run("INSERT OR IGNORE INTO actors (hash, body) VALUES (?, ?)", [.text(Digest.sha256(actor).hex), .utf8(actor)])
                let id = try connection.query("SELECT id FROM actors WHERE hash = ?", [.text(Digest.sha256(actor).hex)]) { $0.int64(0) }[0]
                let rest = Array(data[..<(by.lowerBound - #","by":"#.utf8.count)]) + data[by.upperBound...]
                try connection.run("UPDATE events SET data = ?, by_actor = ? WHERE seq = ?", [.utf8(rest), .integer(id), .integer(sequence)])
            }
        }
        #expect(try count(harness.store, #"SELECT count(*) FROM events WHERE data LIKE '{"article":"%' AND data NOT LIKE '%"by":%' AND by_actor IS NOT NULL"#) == 12)
        try expectUpgraded(path: harness.store.path, before: before)
        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try count(reopened, "SELECT count(*) FROM sqlite_schema WHERE name = 'actors'") == 0)
        #expect(try count(reopened, "SELECT count(*) FROM pragma_table_info('events') WHERE name = 'by_actor'") == 0)
    }

    /// The two requests' file taken back to an older schema's form: every detail whole in its event again
    /// (`whole`), then `form` (SQL) and `rewrite` (the rows), `openings` gone, events append-only, and the
    /// file saying `version`; with what it read back before.
    func olderFile(version: Int64, form: String, rewrite: (SQLiteConnection) throws -> Void = { _ in })
        throws -> (harness: Harness, before: (events: [[StoredEvent]], states: [StoredRequest?])) {
        let harness = try run()
        let before = try readBack(harness.store)
        try harness.tamper("""
            \(Self.whole)
            \(form)
            DROP TABLE openings;
            """)
        try rewrite(harness.store.connection)
        try harness.tamper("""
            \(SQLiteStore.refuseEventUpdates)
            PRAGMA user_version = \(version);
            """)
        return (harness, before)
    }

    /// The file at `path`, opened: the current version, every detail split, read back as `before`, the audit clean, events append-only.
    func expectUpgraded(path: String, before: (events: [[StoredEvent]], states: [StoredRequest?])) throws {
        let reopened = try SQLiteStore(path: path, create: false)
        #expect(try count(reopened, "PRAGMA user_version") == SQLiteStore.schemaVersion)
        #expect(try count(reopened, #"SELECT count(*) FROM events WHERE data LIKE '%"by":%' OR data LIKE '%"article":%' OR data LIKE '%"definition":%' OR opening IS NULL"#) == 0)
        let after = try readBack(reopened)
        #expect(after.events == before.events, "every event reads back as it was, its hash too")
        #expect(after.states == before.states)
        #expect(try Audit.run(reopened).isClean)
        #expect(throws: StoreError.self) { try reopened.connection.execute("UPDATE events SET state = 'x'") }
    }
}
