import Foundation
@testable import LintasCore
@testable import LintasEngine
@testable import LintasStore
import Testing

/// Schema version 7: the members many letters share (a letter's frame: kop, legal basis,
/// signature, tembusan, headings; the request's contents) are stored once, by their SHA-256,
/// in `letter_parts`; the event keeps the rest and the parts' hashes.
@Suite("Letters stored in parts: each part once, the seal over the whole letter")
struct LetterPartsTests {
    func run() throws -> Harness { try Harness.twoAccepted() }

    func letters(_ harness: Harness) throws -> [IssuedLetter] {
        try ["PML-1", "PML-2"].flatMap { request in try IssuedLetters.load(try #require(try harness.state(RequestID(request))), in: harness.store) }
    }

    @Test("Pasal 11 ayat (4) huruf a and c: two requests' letters share their frames, stored once; each letter reads back whole, its seal the SHA-256 of the whole")
    func sharedOnce() throws {
        let harness = try run()
        let letters = try letters(harness)
        #expect(letters.count == 4, "a surat permohonan pelibatan and a surat penugasan per request")
        for letter in letters {
            let content = try #require(letter.record.content)
            #expect(content["kop"]?["unit"] != nil && content["legal_basis"]?["article"] != nil && content["number"]?.stringValue == letter.record.number)
            #expect(letter.record.contentHash == LetterSeal.hash(content), "the seal is over the whole content, as composed")
        }
        let stored = try harness.store.connection.query("SELECT data FROM events WHERE action = 'issue_letter'") { $0.text(0) }
        #expect(stored.count == 2 && stored.allSatisfy { !$0.contains("legal_basis") && $0.contains("\"content_parts\":[") })
        // Per request: its two letters' frames differ (signer, subject) and share one contents part;
        // across the two requests (same offices, same contents) the parts are the same rows.
        let parts = try harness.store.connection.query("SELECT count(*) FROM letter_parts") { $0.int64(0) }.first
        #expect(parts == 3)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("Pasal 11 ayat (4) huruf c: the seal is checked over the letter's pieces fed straight into SHA-256, the very bytes of the whole letter as read back; a changed member of the event fails it")
    func sealOverPieces() throws {
        let harness = try run()
        var parts = LetterSeal.Parts()  // shared by every letter, as audit shares it: the parts are read once
        var checked = 0
        for request in ["PML-1", "PML-2"].map(RequestID.init) {
            for row in try harness.store.events(of: request) {
                guard let letter = try row.decode().detail.letter, let own = try Event.Detail.storedLetterContent(in: row.data) else { continue }
                #expect(letter.parts.count == 2)
                var streamed: [UInt8] = []
                try own.withUnsafeBytes { own in
                    try LetterSeal.writeContent(of: letter, request: request, own: own, in: harness.store, parts: &parts) { streamed.append(contentsOf: $0) }
                }
                let whole = try #require(try LetterSeal.whole(letter, of: row, in: harness.store).content)
                #expect(streamed == whole.canonicalBytes, "the pieces in canonical order are the whole content's canonical JSON")
                #expect(letter.contentHash == LetterSeal.hash(whole))
                #expect(try own.withUnsafeBytes { own in try LetterSeal.problem(letter, request: request, own: own, in: harness.store, parts: &parts) } == nil)
                // The event's own members changed (its date): the seal no longer holds, and says so.
                let date = Array(#""date":"2025-"#.utf8)
                let at = try #require(own.indices.first { own[$0...].starts(with: date) })
                var altered = own
                altered[at + date.count] = UInt8(ascii: "1")
                let problem = try altered.withUnsafeBytes { own in try LetterSeal.problem(letter, request: request, own: own, in: harness.store, parts: &parts) }
                #expect(problem?.contains("letter \(letter.number) was altered: its content hashes to") == true)
                // Bytes that are not JSON between the pieces' brackets and quotes (a control character in a
                // string): the pieces are read by matching those only, and the seal over the whole fails.
                altered[at + date.count] = 0x01
                let unreadable = try altered.withUnsafeBytes { own in try LetterSeal.problem(letter, request: request, own: own, in: harness.store, parts: &parts) }
                #expect(unreadable?.contains("letter \(letter.number) was altered: its content hashes to") == true)
                #expect(throws: (any Error).self) { try JSONValue.parse(altered) }
                checked += 1
            }
        }
        #expect(checked == 4)
    }

    @Test("Pasal 11 ayat (4) huruf c: a shared part altered fails the audit of every letter made of it, naming each")
    func alteredPart() throws {
        let harness = try run()
        try harness.tamper("DROP TRIGGER letter_parts_refuse_update")
        try harness.tamper(#"UPDATE letter_parts SET body = replace(body, '"place":"Pemalang"', '"place":"Pekalongan"') WHERE body LIKE '%Penugasan Pejabat%'"#)
        let report = try Audit.run(harness.store)
        let altered = report.findings.filter { $0.message.contains("was altered: its part") }
        #expect(altered.count == 2, "one per request's surat penugasan: \(report.findings)")
        #expect(altered.allSatisfy { $0.message.hasPrefix("letter 800.1.11.1/") && $0.sequence != nil })
    }

    @Test("Pasal 11 ayat (4) huruf c: the parts audit keeps checked in two small generations: each letter read again after its parts were dropped, or found among the older, is the same content; an altered part still fails every letter made of it")
    func fewPartsKept() throws {
        let harness = try run()
        func eachLetter(_ body: (LetterRecord, RequestID, [UInt8]) throws -> Void) throws {
            for request in ["PML-1", "PML-2"].map(RequestID.init) {
                for row in try harness.store.events(of: request) {
                    guard let letter = try row.decode().detail.letter, let own = try Event.Detail.storedLetterContent(in: row.data) else { continue }
                    try body(letter, request, own)
                }
            }
        }
        func content(_ letter: LetterRecord, _ request: RequestID, _ own: [UInt8], _ parts: inout LetterSeal.Parts) throws -> [UInt8] {
            var streamed: [UInt8] = []
            try own.withUnsafeBytes { own in
                try LetterSeal.writeContent(of: letter, request: request, own: own, in: harness.store, parts: &parts) { streamed.append(contentsOf: $0) }
            }
            return streamed
        }
        // One part a generation: the four letters' three parts are dropped, read again and moved back in turn.
        var kept = LetterSeal.Parts(keeping: 1)
        var letters = 0
        for _ in 0..<3 {
            try eachLetter { (letter, request, own) throws in
                var alone = LetterSeal.Parts()
                let streamed = try content(letter, request, own, &kept), whole = try content(letter, request, own, &alone)
                #expect(!streamed.isEmpty && streamed == whole)
                let problem = try own.withUnsafeBytes { own in try LetterSeal.problem(letter, request: request, own: own, in: harness.store, parts: &kept) }
                #expect(problem == nil)
                letters += 1
            }
        }
        #expect(letters == 12)
        try harness.tamper("DROP TRIGGER letter_parts_refuse_update")
        try harness.tamper(#"UPDATE letter_parts SET body = replace(body, '"place":"Pemalang"', '"place":"Pekalongan"') WHERE body LIKE '%Penugasan Pejabat%'"#)
        var altered: [String] = []
        kept = LetterSeal.Parts(keeping: 1)
        try eachLetter { (letter, request, own) throws in
            do {
                _ = try content(letter, request, own, &kept)
            } catch {
                altered.append((error as? StoreError)?.message ?? "\(error)")
            }
        }
        #expect(altered.count == 2 && altered.allSatisfy { $0.contains("was altered: its part") }, "one per request's surat penugasan: \(altered)")
    }

    @Test("the checked parts' table: names that share their first digits, or all but the last, are parts apart, as the table grows; a name taken out is no longer found, the others still are; emptied, it finds none")
    func partTable() throws {
        func name(_ text: String) throws -> LetterSeal.PartName {
            try #require(Array(text.utf8).withUnsafeBytes { LetterSeal.PartName($0) })
        }
        let prefix = String(repeating: "ab12", count: 15)
        // Eight digits alike put every name at the same place first: each found only by its whole name.
        let names = try (0..<40).map { try name(prefix + String(1000 + $0)) }
        var table = LetterSeal.PartTable()
        for (slot, name) in names.enumerated() { table.set(slot, for: name) }
        #expect(table.count == 40)
        #expect(names.enumerated().allSatisfy { table.slot(of: $1) == $0 })
        #expect(table.slot(of: try name(prefix + "2000")) == nil)
        #expect(table.slot(of: try name(String(repeating: "0", count: 64))) == nil)
        #expect(Array(prefix.utf8).withUnsafeBytes { LetterSeal.PartName($0) } == nil)
        #expect(table.remove(names[3]) == 3 && table.remove(names[3]) == nil && table.slot(of: names[3]) == nil)
        #expect(table.count == 39 && table.slot(of: names[4]) == 4 && table.slot(of: names[39]) == 39)
        table.set(77, for: names[4])
        #expect(table.count == 39 && table.slot(of: names[4]) == 77)
        var slots: [Int] = []
        table.forEachSlot { slots.append($0) }
        #expect(slots.sorted() == (0..<40).filter { $0 != 3 && $0 != 4 } + [77])
        table.removeAll()
        #expect(table.count == 0 && names.allSatisfy { table.slot(of: $0) == nil })
        table.set(5, for: names[3])
        #expect(table.slot(of: names[3]) == 5 && table.slot(of: names[4]) == nil)
    }

    @Test("a part replaced by another under its own hash leaves the letters naming the old one without it")
    func missingPart() throws {
        let harness = try run()
        let body = try #require(try harness.store.connection.query("SELECT body FROM letter_parts WHERE body LIKE '%Penugasan Pejabat%'") { $0.bytes(0) }.first)
        let forged = Array(String(decoding: body, as: UTF8.self).replacingOccurrences(of: "\"place\":\"Pemalang\"", with: "\"place\":\"Pekalongan\"").utf8)
        try harness.tamper("DROP TRIGGER letter_parts_refuse_update")
        try harness.store.connection.run("UPDATE letter_parts SET hash = ?, body = ? WHERE hash = ?",
                                         [.blob(Digest.sha256(forged).bytes), .utf8(forged), .blob(Digest.sha256(body).bytes)])
        let report = try Audit.run(harness.store)
        #expect(report.findings.filter { $0.message.contains("that is not in the store") }.count == 2, "\(report.findings)")
    }

    @Test("the parts are append-only: UPDATE and DELETE are refused")
    func appendOnly() throws {
        let harness = try run()
        #expect(throws: StoreError.self) { try harness.tamper("UPDATE letter_parts SET body = '{}'") }
        #expect(throws: StoreError.self) { try harness.tamper("DELETE FROM letter_parts") }
    }

    /// The parts' hashes (hex) in the order the log first names them: by the events in sequence, each letter's parts in its order.
    func partsByFirstUse(_ store: SQLiteStore) throws -> [String] {
        var events: [StoredEvent] = []
        try store.forEachStream { _, rows in events += rows }
        var named: [String] = []
        for row in events.sorted(by: { $0.sequence < $1.sequence }) {
            for part in try row.decode().detail.letter?.parts ?? [] where !named.contains(part) { named.append(part) }
        }
        return named
    }

    /// The stored parts' hashes (hex) in the order of their rows.
    func partsAsStored(_ store: SQLiteStore) throws -> [String] {
        try store.connection.query("SELECT hash FROM letter_parts ORDER BY rowid") { Digest(bytes: $0.bytes(0))!.hex }
    }

    /// The file as lintas of schema version 15 left it: `letter_parts` `WITHOUT ROWID`, keyed by the hash.
    func rewriteAsVersionFifteen(_ harness: Harness) throws {
        try harness.tamper("""
            ALTER TABLE letter_parts RENAME TO letter_parts_v16;
            CREATE TABLE letter_parts (hash BLOB PRIMARY KEY, body TEXT NOT NULL) WITHOUT ROWID;
            INSERT INTO letter_parts (hash, body) SELECT hash, body FROM letter_parts_v16;
            DROP TABLE letter_parts_v16;
            \(SQLiteStore.letterPartsTriggers)
            PRAGMA user_version = 15;
            """)
    }

    /// PML-1 and PML-2 (their parts shared) and four more requests, each with a purpose of its own: a part of
    /// contents each, six parts in all beside the two frames.
    func runWithOwnContents(through last: Int = 6) throws -> Harness {
        let harness = try run()
        try harness.submit((3...last).flatMap { number in
            var contents = Lines.contents
            contents["purpose"] = .string("Dasbor surveilans \(number)")
            return Lines.accepted("PML-\(number)", contents: contents)
        })
        try harness.drain()
        return harness
    }

    @Test("schema version 16: each part is appended after the last, so the parts lie in the order the letters first name them, found by their hash")
    func partsInUseOrder() throws {
        let harness = try runWithOwnContents()
        let named = try partsByFirstUse(harness.store)
        #expect(named.count == 7 && named != named.sorted(), "the requests name their parts in an order that is not their hashes': \(named)")
        #expect(try partsAsStored(harness.store) == named)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("audit's ordered read of the parts: those looked up in the order they are stored come from one statement stepping the table, not the hash's index, the same bytes; parts out of that order, and a name not stored, are found as by the index")
    func orderedRead() throws {
        let harness = try runWithOwnContents(through: 12)
        let store = harness.store
        let stored = try partsAsStored(store)
        #expect(stored.count == 13)
        func part(_ name: String) throws -> [UInt8]? {
            try Array(name.utf8).withUnsafeBytes { name in try store.withLetterPart(named: name) { Array($0) } }
        }
        let missing = String(repeating: "0", count: 64)
        let orders = [stored, stored.reversed(), stored.enumerated().filter { $0.offset % 3 != 1 }.map(\.element) + [missing] + stored]
        let lookup = try store.connection.statement(SQLiteStore.letterPartSQL)
        for order in orders {
            let byIndex = try order.map(part)
            #expect(byIndex.count == order.count && byIndex.filter { $0 == nil }.count == order.count(where: { $0 == missing }))
            _ = lookup.runs()
            let ordered = try store.readSnapshot { try store.readingPartsInOrder { try order.map(part) } }
            #expect(ordered == byIndex)
            if order == stored { #expect(lookup.runs() == 1, "only the first part found by its hash's index") }
        }
    }

    @Test("audit's ordered read: a part altered and another removed in the middle of the stored order give the findings a request's own audit (by the hash's index alone) gives, on one reader or two")
    func orderedReadTampered() throws {
        let harness = try runWithOwnContents(through: 12)
        let stored = try partsAsStored(harness.store)
        try harness.tamper("DROP TRIGGER letter_parts_refuse_update; DROP TRIGGER letter_parts_refuse_delete")
        try harness.tamper("UPDATE letter_parts SET body = replace(body, 'Dasbor surveilans 7', 'Dasbor pengawasan 7') WHERE body LIKE '%Dasbor surveilans 7%'")
        try harness.tamper("DELETE FROM letter_parts WHERE body LIKE '%Dasbor surveilans 9%'")
        #expect(try partsAsStored(harness.store).count == stored.count - 1)
        let requests = (1...12).map { RequestID("PML-\($0)") }
        let alone = try requests.flatMap { try Audit.run(harness.store, request: $0).findings }
        let altered = alone.filter { $0.message.contains("was altered: its part") }, missing = alone.filter { $0.message.contains("that is not in the store") }
        #expect(!altered.isEmpty && altered.allSatisfy { $0.request == RequestID("PML-7") }, "\(alone)")
        #expect(!missing.isEmpty && missing.allSatisfy { $0.request == RequestID("PML-9") }, "\(alone)")
        for workers in [1, 2] {
            let report = try Audit.run(harness.store, workers: workers)
            #expect(Set(report.findings) == Set(alone) && report.findings.count == alone.count, "\(workers) readers: \(report.findings)")
        }
    }

    @Test("a version-15 file (letter_parts WITHOUT ROWID, keyed by the hash) is brought to version 16 on opening: the same parts, in the order the log first names them, append-only, the letters read as issued, the audit clean")
    func versionFifteenUpgraded() throws {
        let harness = try runWithOwnContents()
        let parts = try harness.letterParts()
        let issued = try letters(harness, (1...6).map { "PML-\($0)" })
        let named = try partsByFirstUse(harness.store)
        try rewriteAsVersionFifteen(harness)
        #expect(throws: (any Error).self) { try partsAsStored(harness.store) }

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        let definition = try reopened.connection.query("SELECT sql FROM sqlite_schema WHERE name = 'letter_parts'") { $0.text(0) }
        #expect(definition.count == 1 && !definition[0].uppercased().contains("WITHOUT ROWID"))
        #expect(try partsAsStored(reopened) == named)
        #expect(try harness.letterParts() == parts)
        #expect(try letters(harness, (1...6).map { "PML-\($0)" }) == issued)
        #expect(throws: StoreError.self) { try reopened.connection.execute("UPDATE letter_parts SET body = '{}'") }
        #expect(throws: StoreError.self) { try reopened.connection.execute("DELETE FROM letter_parts") }
        #expect(throws: StoreError.self) { try reopened.connection.execute("INSERT INTO letter_parts (hash, body) SELECT hash, '{}' FROM letter_parts LIMIT 1") }
        #expect(try Audit.run(reopened).isClean)
    }

    @Test("a version-15 file with an event whose detail is not JSON is still brought to version 16: its parts after those named, the audit naming the event")
    func versionFifteenWithUnreadableEventUpgraded() throws {
        let harness = try runWithOwnContents()
        let parts = try harness.letterParts()
        let named = try partsByFirstUse(harness.store)
        let first = try #require(try harness.store.connection.query("SELECT min(seq) FROM events WHERE data LIKE '%content_parts%'") { $0.int64(0) }.first)
        try rewriteAsVersionFifteen(harness)
        try harness.tamper("DROP TRIGGER events_refuse_update")
        try harness.tamper("UPDATE events SET data = '{\"letter\":' WHERE seq = \(first)")

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try harness.letterParts() == parts)
        #expect(try Set(partsAsStored(reopened)) == Set(named))
        let report = try Audit.run(reopened)
        #expect(report.findings.first?.sequence == first, "\(report.findings)")
    }

    @Test("a version-5 file, its letters whole in their events: opened, it becomes the current version (letter_numbers without labels, its rows kept), its letters read as issued, the audit is clean; new letters go in parts")
    func versionFiveFile() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        try harness.drain()
        let before = try letters(harness, ["PML-1"])
        try rewriteAsVersionFive(harness)
        #expect(try harness.store.connection.query("SELECT count(*) FROM events WHERE data LIKE '%content_parts%'") { $0.int64(0) }.first == 0)

        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        #expect(try reopened.connection.query("PRAGMA user_version") { $0.int64(0) }.first == SQLiteStore.schemaVersion)
        #expect(try reopened.connection.query("SELECT name FROM pragma_table_info('letter_numbers') ORDER BY cid") { $0.text(0) } == ["number", "letter", "request"])
        #expect(try reopened.connection.query("SELECT count(*) FROM letter_numbers WHERE request = 'PML-1'") { $0.int64(0) }.first == 2, "its rows kept")
        #expect(try letters(harness, ["PML-1"]) == before)
        #expect(try Audit.run(reopened).isClean)

        try harness.submit(Lines.accepted("PML-2"))
        try harness.drain()
        #expect(try reopened.connection.query("SELECT count(*) FROM events WHERE data LIKE '%content_parts%'") { $0.int64(0) }.first == 2)
        let report = try Audit.run(reopened)
        #expect(report.isClean && report.events == 12, "\(report.findings)")
        // Opening it again changes nothing: the step is idempotent.
        try reopened.connection.execute("PRAGMA user_version = 5")
        #expect(try Audit.run(try SQLiteStore(path: harness.store.path, create: false)).isClean)
    }

    @Test("Pasal 11 ayat (4) huruf c: in a file of version 5, a letter whole in its event and altered after issue fails its seal, checked over its content as the event stores it")
    func alteredWholeLetter() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        try harness.drain()
        try rewriteAsVersionFive(harness)
        let reopened = try SQLiteStore(path: harness.store.path, create: false)
        try reopened.connection.execute("DROP TRIGGER events_refuse_update")
        // The subject is in the frame: a part for a letter of version 7, in the event's content here.
        let altered = try #require(try reopened.connection.query(#"SELECT count(*) FROM events WHERE data LIKE '%"subject":"%'"#) { $0.int64(0) }.first)
        #expect(altered > 0)
        try reopened.connection.execute(#"UPDATE events SET data = replace(data, '"subject":"', '"subject":"Ralat: ') WHERE data LIKE '%"subject":"%'"#)
        let report = try Audit.run(reopened)
        let sealed = report.findings.filter { $0.message.contains("was altered: its content hashes to") }
        #expect(sealed.count == Int(altered), "one per letter altered: \(report.findings)")
        #expect(!report.findings.contains { $0.message.contains("part") }, "a whole letter has no parts")
    }

    func letters(_ harness: Harness, _ requests: [String]) throws -> [LetterRecord] {
        try requests.flatMap { request in try IssuedLetters.load(try #require(try harness.state(RequestID(request))), in: harness.store).map(\.record) }
    }

    /// The file as lintas of schema version 5 wrote it: every letter's whole content in its event
    /// (the chain rehashed over those bytes, as it was computed then), no `letter_parts`, and
    /// `letter_numbers` with each letter's label.
    func rewriteAsVersionFive(_ harness: Harness) throws {
        let store = harness.store
        var rows: [(sequence: Int64, data: [UInt8], hash: [UInt8])] = []
        var heads: [RequestID: Digest] = [:]
        try store.forEachStream { request, events in
            var previous = Digest.zero
            for row in events {
                var detail = try row.decode().detail
                if let letter = detail.letter { detail.letter = try LetterSeal.whole(letter, of: row, in: store) }
                let data = detail.canonicalBytes
                let hash = EventChain.hash(row.envelope, data: data, previous: previous)
                rows.append((row.sequence, data, hash.bytes))
                previous = hash
            }
            heads[request] = previous
        }
        try harness.tamper("DROP TRIGGER events_refuse_update")
        for row in rows {
            // The detail whole, its `by` too, as before schema version 10.
            try store.connection.run("UPDATE events SET data = ?, hash = ?, opening = NULL WHERE seq = ?", [.utf8(row.data), .blob(row.hash), .integer(row.sequence)])
        }
        for (request, head) in heads {
            try store.connection.run("UPDATE requests SET head = ? WHERE request = ?", [.blob(head.bytes), .text(request.rawValue)])
        }
        try harness.tamper("""
            CREATE TRIGGER events_refuse_update BEFORE UPDATE ON events
                BEGIN SELECT RAISE(ABORT, 'events are append-only: UPDATE is refused'); END;
            DROP TABLE letter_parts;
            CREATE TABLE numbers_v5 (number TEXT PRIMARY KEY, letter TEXT NOT NULL, request TEXT NOT NULL, label TEXT NOT NULL) WITHOUT ROWID;
            INSERT INTO numbers_v5 SELECT n.number, n.letter, n.request, json_extract(e.data, '$.letter.label')
                FROM letter_numbers n JOIN events e ON e.request = n.request AND json_extract(e.data, '$.letter.number') = n.number;
            DROP TABLE letter_numbers;
            ALTER TABLE numbers_v5 RENAME TO letter_numbers;
            PRAGMA user_version = 5;
            """)
    }

    @Test("Pasal 11 ayat (4) huruf c: audit checks a seal from the letter's bytes as its event stores them; its number, register, seal and parts' hashes written with escapes give the very content its values give, and a part's hash changed in one digit names the part")
    func storedBytesWithEscapes() throws {
        let harness = try run()
        var parts = LetterSeal.Parts()
        /// A JSON string of `text` with every character escaped (`\u0050` for `P`): the same text.
        func escaped(_ text: String) -> String { "\"" + text.unicodeScalars.map { String(format: "\\u%04x", $0.value) }.joined() + "\"" }
        var checked = 0
        for request in ["PML-1", "PML-2"].map(RequestID.init) {
            for row in try harness.store.events(of: request) {
                guard let letter = try row.decode().detail.letter, let own = try Event.Detail.storedLetterContent(in: row.data) else { continue }
                var expected: [UInt8] = []
                try own.withUnsafeBytes { own in
                    try LetterSeal.writeContent(of: letter, request: request, own: own, in: harness.store, parts: &parts) { expected.append(contentsOf: $0) }
                }
                let hash = try #require(letter.contentHash)
                func stored<Result>(partNames: [String], _ body: (StoredLetter, UnsafeRawBufferPointer) throws -> Result) throws -> Result {
                    let texts = [escaped(letter.number), escaped(letter.register), escaped(hash), "[" + partNames.map(escaped).joined(separator: ",") + "]"]
                    let bytes = texts.map { Array($0.utf8) }
                    return try bytes[0].withUnsafeBytes { number in
                        try bytes[1].withUnsafeBytes { register in
                            try bytes[2].withUnsafeBytes { hash in
                                try bytes[3].withUnsafeBytes { list in
                                    try Array(request.rawValue.utf8).withUnsafeBytes { column in
                                        try body(StoredLetter(number: number, register: register, sequence: letter.sequence, numbering: letter.numbering,
                                                              contentHash: hash, parts: list), column)
                                    }
                                }
                            }
                        }
                    }
                }
                try stored(partNames: letter.parts) { stored, column in
                    var streamed: [UInt8] = []
                    try own.withUnsafeBytes { own in
                        try LetterSeal.writeContent(of: stored, request: column, own: own, in: harness.store, parts: &parts) { streamed.append(contentsOf: $0) }
                        #expect(try LetterSeal.problem(stored, request: column, own: own, in: harness.store, parts: &parts) == nil)
                    }
                    #expect(streamed == expected, "the same content, byte for byte, as the letter's values give")
                }
                var names = letter.parts
                let last = try #require(names[0].last)
                names[0] = String(names[0].dropLast()) + (last == "0" ? "1" : "0")
                _ = try stored(partNames: names) { stored, column in
                    own.withUnsafeBytes { own in
                        #expect {
                            try LetterSeal.problem(stored, request: column, own: own, in: harness.store, parts: &parts)
                        } throws: { ($0 as? StoreError)?.message == "letter \(letter.number) has a part \(names[0].prefix(16))… that is not in the store" }
                    }
                }
                checked += 1
            }
        }
        #expect(checked == 4)
    }
}
