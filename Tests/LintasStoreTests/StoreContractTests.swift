import LintasCore
import LintasStore
import Testing

@Suite("Store contract: every backend keeps the log, the queue and the projections the same way")
struct StoreContractTests {
    /// PML-1 versions 1 and 2, PML-2 version 1, then PML-1 version 3: two streams interleaved in the
    /// log (sequences 1, 2, 4 for PML-1 and 3 for PML-2).
    private func appendInterleaved(to store: any EventStore) throws {
        try Sample.append([Sample.event("PML-1", 1), Sample.event("PML-1", 2, state: "recommended", action: "recommend")], to: store)
        try Sample.append([Sample.event("PML-2", 1)], to: store)
        try Sample.append([Sample.event("PML-1", 3, state: "approved", action: "approve")], to: store)
    }

    @Test("events are appended with a gap-free global sequence and read back exactly", arguments: Backend.allCases)
    func appendAndRead(backend: Backend) throws {
        let store = try backend.makeStore()
        #expect(try store.highestSequence() == nil)
        try appendInterleaved(to: store)
        let rows = try store.events(of: "PML-1")
        #expect(rows.map(\.version) == [1, 2, 3])
        #expect(rows.map(\.sequence) == [1, 2, 4])
        #expect(try rows[1].decode() == Sample.event("PML-1", 2, state: "recommended", action: "recommend"))
        #expect(try store.sequenceSummary() == SequenceSummary(count: 4, first: 1, last: 4))
        #expect(try store.highestSequence() == 4)
        var streams: [RequestID: [Int]] = [:]
        try store.forEachStream { request, events in streams[request] = events.map(\.version) }
        #expect(streams == ["PML-1": [1, 2, 3], "PML-2": [1]])
    }

    @Test("scanning the log gives each event's stored bytes in request and version order, each request's projection after its last event, and passes over projections without events", arguments: Backend.allCases)
    func scanEvents(backend: Backend) throws {
        let store = try backend.makeStore()
        try appendInterleaved(to: store)
        // Projections without events, one before and one between the requests that have them.
        let stray = try #require(try store.request("PML-2")?.decode())
        for request: RequestID in ["PML-0", "PML-15"] {
            var state = stray
            state.request = request
            _ = try store.withBatch { try $0.saveRequest(state, head: .zero, timer: .none) }
        }
        var expected: [StoredEvent] = []
        try store.forEachStream { _, rows in expected += rows }
        for projections in [true, false] {
            var rows: [StoredEvent] = []
            var ends: [(after: Int, stored: StoredRequest?)] = []
            try store.readSnapshot {
                try store.scanEvents(projections: projections, { row in
                    let envelope = EventEnvelope(request: RequestID(String(decoding: row.request, as: UTF8.self)), version: row.version,
                                                 action: String(decoding: row.action, as: UTF8.self), state: String(decoding: row.state, as: UTF8.self),
                                                 actor: NIP(String(decoding: row.actor, as: UTF8.self)), at: Timestamp(milliseconds: row.at),
                                                 recorded: Timestamp(milliseconds: row.recorded), command: CommandID(String(decoding: row.command, as: UTF8.self)))
                    rows.append(StoredEvent(sequence: row.sequence, envelope: envelope, data: Array(row.data), hash: Array(row.hash)))
                }, end: { ends.append((rows.count, $0)) })
            }
            #expect(rows == expected)
            #expect(ends.map(\.after) == [3, 4], "after PML-1's three events and PML-2's one")
            if projections {
                #expect(ends.map(\.stored) == [try store.request("PML-1"), try store.request("PML-2")])
            } else {
                #expect(ends.allSatisfy { $0.stored == nil })
            }
        }
    }

    @Test("each projection a scan hands over is the stored one, whatever the one before it held: its end, timer, state and body", arguments: Backend.allCases)
    func scanProjectionsInTurn(backend: Backend) throws {
        let store = try backend.makeStore()
        let period: [String: JSONValue] = ["duration": .object(["end": "2026-09-28", "start": "2026-04-01"]), "purpose": "Membangun dasbor surveilans"]
        try Sample.append([Sample.event("PML-1", 1, fields: period), Sample.event("PML-1", 2, state: "recommended", action: "recommend", fields: period)], to: store)
        try Sample.append([Sample.event("PML-2", 1)], to: store)
        try Sample.append([Sample.event("PML-3", 1, fields: period)], to: store)
        try Sample.append([Sample.event("PML-4", 1, state: "approved", action: "approve")], to: store)
        var handed: [StoredRequest?] = []
        try store.readSnapshot { try store.scanEvents(projections: true, { _ in }, end: { handed.append($0) }) }
        let requests: [RequestID] = ["PML-1", "PML-2", "PML-3", "PML-4"]
        #expect(handed == (try requests.map { try store.request($0) }))
        #expect(handed.map { $0?.columns.ends != nil } == [true, false, true, false])
    }

    @Test("a fold's scan gives what a fold reads of each row as the full scan does (a detail's rest and its opening apart put together as the full scan's detail), and leaves the sequence, recorded time, command and hash out", arguments: Backend.allCases)
    func scanForFold(backend: Backend) throws {
        let store = try backend.makeStore()
        try appendInterleaved(to: store)
        func rows(_ columns: ScanColumns) throws -> [(folded: [[UInt8]], at: Int64, version: Int, left: [Int64], leftBytes: [UInt8])] {
            var rows: [(folded: [[UInt8]], at: Int64, version: Int, left: [Int64], leftBytes: [UInt8])] = []
            try store.readSnapshot {
                try store.scanEvents(in: .all, projections: false, columns: columns, { row in
                    var data = Array(row.data)
                    if let body = row.openingBody {
                        var joined: [UInt8] = []
                        let count = try #require(Event.Detail.join(rest: row.data, opening: body, into: &joined))
                        data = Array(joined[..<count])
                    }
                    rows.append(([Array(row.request), Array(row.action), Array(row.state), Array(row.actor), data], row.at, row.version,
                                 [row.sequence, row.recorded], Array(row.command) + Array(row.hash)))
                }, end: { _ in })
            }
            return rows
        }
        let all = try rows(.all), folded = try rows(.fold)
        #expect(try store.readSnapshot { () throws -> Bool in
            var apart = false
            try store.scanEvents(in: .all, projections: false, columns: .fold, { row in apart = apart || row.openingBody != nil }, end: { _ in })
            return apart
        } == (backend == .sqlite), "the file's fold scan gives details apart from their openings")
        #expect(all.count == 4)
        #expect(folded.map(\.folded) == all.map(\.folded))
        #expect(folded.map(\.at) == all.map(\.at))
        #expect(folded.map(\.version) == all.map(\.version))
        #expect(all.allSatisfy { $0.left[0] > 0 && $0.left[1] > 0 && !$0.leftBytes.isEmpty })
        if backend == .sqlite {
            #expect(folded.allSatisfy { $0.left == [0, 0] && $0.leftBytes.isEmpty }, "not read from the file")
        }
    }

    @Test("a request's state body, as status reads it, is its stored projection's body, and nothing for a request not stored", arguments: Backend.allCases)
    func stateBody(backend: Backend) throws {
        let store = try backend.makeStore()
        try appendInterleaved(to: store)
        for request: RequestID in ["PML-1", "PML-2"] {
            let stored = try #require(try store.request(request))
            #expect(try store.stateBody(of: request) == stored.body)
            #expect(try RequestState(bytes: #require(try store.stateBody(of: request))).version == stored.columns.version)
        }
        #expect(try store.stateBody(of: "PML-3") == nil)
        #expect(try store.stateBody(of: "PML-1") != store.stateBody(of: "PML-2"))
    }

    @Test("a request's state and head, as the daemon reads them on a miss, are its stored projection's body and head, in a batch and in a snapshot, and nothing for a request not stored", arguments: Backend.allCases)
    func stateAndHead(backend: Backend) throws {
        let store = try backend.makeStore()
        try appendInterleaved(to: store)
        for request: RequestID in ["PML-1", "PML-2"] {
            let stored = try #require(try store.request(request))
            for read in [try store.withLookups { try $0.stateAndHead(of: request) }, try store.withBatch { try $0.stateAndHead(of: request) }] {
                #expect(read?.body == stored.body)
                #expect(read?.head == stored.head)
            }
        }
        #expect(try store.withLookups { try $0.stateAndHead(of: "PML-3") } == nil)
    }

    @Test("each event's hash chains to the previous event of its request", arguments: Backend.allCases)
    func hashChain(backend: Backend) throws {
        let store = try backend.makeStore()
        let rows = try Sample.append([Sample.event("PML-1", 1), Sample.event("PML-1", 2, state: "recommended", action: "recommend")], to: store)
        #expect(rows[0].hash == EventChain.hash(rows[0], previous: .zero).bytes)
        #expect(rows[1].hash == EventChain.hash(rows[1], previous: Digest(bytes: rows[0].hash)!).bytes)
        #expect(try store.request("PML-1")?.head == rows[1].hash)
        var altered = rows[1]
        altered.data[altered.data.count - 2] ^= 1
        #expect(EventChain.hash(altered, previous: Digest(bytes: rows[0].hash)!).bytes != rows[1].hash, "one changed byte changes the hash")
    }

    @Test("a borrowed row hashes as the row read into values: plain columns, columns that need escapes or are not ASCII, any integer of any length")
    func borrowedRowHash() throws {
        let data = Sample.event("PML-1", 1).detail.canonicalBytes
        let columns: [(request: String, action: String, state: String, actor: String, command: String, at: Int64, version: Int)] = [
            ("PML-1", "submit", "requested", "198003152005011002", "cmd-1", 1_772_416_800_000, 1),
            ("PML-\"2\"", "sub\\mit", "diminta\n", "19890326 2015", "cmd\u{7F}", 0, 12),
            ("PML-ü", "submit", "états", "198003152005011002", String(repeating: "x", count: 70), -42, 1_000_000),
            ("", "", "", "", "", Int64.min, Int.max),
        ] + [0, 9, 10, 99, 100, 1_009, -1, -9, -10, -100, 999_999_999_999_999_999, Int64.max - 5, Int64.min + 1].enumerated().map { index, at in
            // Plain columns (hashed from the columns' bytes in one run) with integers of every length and sign.
            ("PML-\(index)", "approve", "approved", "198003152005011002", "cmd-\(index)", at, [0, 9, 10, 100, 65_536, Int.max][index % 6])
        }
        for column in columns {
            let envelope = EventEnvelope(request: RequestID(column.request), version: column.version, action: column.action, state: column.state,
                                         actor: NIP(column.actor), at: Timestamp(milliseconds: column.at), recorded: Timestamp(milliseconds: column.at &+ 5),
                                         command: CommandID(column.command))
            let row = StoredEvent(sequence: 1, envelope: envelope, data: data, hash: [])
            let previous = Digest.sha256(Array(column.request.utf8))
            var scratch: [UInt8] = []
            let borrowed = row.withBytes { EventChain.hash($0, previous: previous, scratch: &scratch) }
            #expect(borrowed == EventChain.hash(row, previous: previous), "\(column)")
        }
    }

    @Test("requests by state, and those whose period ended before a date, for the timers", arguments: Backend.allCases)
    func requestsForTimers(backend: Backend) throws {
        let store = try backend.makeStore()
        for (request, end) in [("PML-1", "2025-06-30"), ("PML-2", "2025-07-01"), ("PML-3", "2025-12-31")] {
            try Sample.append([Sample.event(RequestID(request), 1, fields: ["duration": .object(["start": "2025-04-01", "end": .string(end)])])], to: store)
        }
        try Sample.append([Sample.event("PML-4", 1)], to: store)
        let (byState, ended) = try store.withBatch { batch in
            (try batch.requests(inStates: ["requested", "accepted"]).map(\.request),
             try batch.requests(inState: "requested", endingBefore: CivilDate(iso: "2025-07-01")!).map(\.request))
        }
        // PML-4 is in the state too, but without a period it has no timer (as `Sample.append` stores it): not looked at.
        #expect(byState == ["PML-1", "PML-2", "PML-3"])
        #expect(ended == ["PML-1"], "ended before 1 July: only the one that ran to 30 June; none without the field")
    }

    @Test("a version already taken is a version conflict, and the batch leaves nothing behind", arguments: Backend.allCases)
    func optimisticConcurrency(backend: Backend) throws {
        let store = try backend.makeStore()
        try Sample.append([Sample.event("PML-1", 1)], to: store)
        #expect {
            try store.withBatch { batch in
                try Sample.appendListed(Sample.event("PML-2", 1), to: batch)
                // Refused when the projection, at version 1 already, is written (by a writer that took PML-1 for new).
                _ = try batch.append(Sample.event("PML-1", 1), previous: .zero)
                try batch.saveRequest(try RequestState.evolve(nil, Sample.event("PML-1", 1)), head: .zero, timer: .none)
            }
        } throws: { error in
            (error as? StoreError)?.code == .versionConflict
        }
        // Refused as it is appended: a version this batch appended already.
        #expect {
            try store.withBatch { batch in
                _ = try batch.append(Sample.event("PML-3", 1), previous: .zero)
                _ = try batch.append(Sample.event("PML-3", 1), previous: .zero)
            }
        } throws: { error in
            (error as? StoreError)?.code == .versionConflict
        }
        #expect(try store.events(of: "PML-2").isEmpty, "the whole batch rolled back")
        #expect(try store.sequenceSummary().count == 1)
    }

    @Test("a batch that throws commits nothing: events, projections, outcomes and letter numbers", arguments: Backend.allCases)
    func batchAtomicity(backend: Backend) throws {
        struct Stop: Error {}
        let store = try backend.makeStore()
        _ = try store.enqueue([Sample.command("c1")], source: "test", now: Sample.t0)
        #expect(throws: Stop.self) {
            try store.withBatch { batch in
                let queued = try batch.claimQueued(limit: 10)
                _ = try batch.append(Sample.event("PML-1", 1), previous: .zero)
                try batch.saveRequest(try RequestState.evolve(nil, Sample.event("PML-1", 1)), head: .zero, timer: .none)
                try batch.recordOutcomes([QueuedOutcome(queued[0], .done)], now: Sample.t0)
                try batch.setLetterSequence(register: "diskominfo/surat_penugasan/2025", to: 7)
                throw Stop()
            }
        }
        #expect(try store.events(of: "PML-1").isEmpty)
        #expect(try store.request("PML-1") == nil)
        #expect(try store.queueSummary().queued == 1)
        try store.withBatch { batch throws in #expect(try batch.letterSequence(register: "diskominfo/surat_penugasan/2025") == 0) }
    }

    @Test("commands are queued once per id: the same command again is a duplicate, a different one under the id is refused", arguments: Backend.allCases)
    func idempotentIntake(backend: Backend) throws {
        let store = try backend.makeStore()
        let first = try store.enqueue([Sample.command("c1"), Sample.command("c2", request: "PML-2")], source: "a.jsonl", now: Sample.t0)
        #expect(first == [.queued(sequence: 1), .queued(sequence: 2)])
        let again = try store.enqueue([Sample.command("c1"), Sample.command("c3", request: "PML-3")], source: "b.jsonl", now: Sample.t0)
        #expect(again == [.duplicate(sequence: 1), .queued(sequence: 3)])
        #expect {
            try store.enqueue([Sample.command("c4", request: "PML-4"), Sample.command("c2", request: "PML-9")], source: "c.jsonl", now: Sample.t0)
        } throws: { error in
            (error as? CommandIDConflict)?.indices == [1]
        }
        #expect(try store.commands(CommandFilter(id: "c4")).isEmpty, "all or none: c4 was not queued either")
        #expect(try store.queueSummary().queued == 3)
    }

    @Test("outcomes are those of the oldest queued commands, each once: a batch that skips one, or gives one twice, is refused whole", arguments: Backend.allCases)
    func outcomesCoverTheQueue(backend: Backend) throws {
        let store = try backend.makeStore()
        _ = try store.enqueue((1...3).map { Sample.command("c\($0)", request: RequestID("PML-\($0)")) }, source: "test", now: Sample.t0)
        for outcomes in [[0, 2], [0, 0, 1], [1, 2]] {
            #expect(throws: StoreError.self) {
                try store.withBatch { batch in
                    let claimed = try batch.claimQueued(limit: 3)
                    try batch.recordOutcomes(outcomes.map { QueuedOutcome(claimed[$0], .done) }, now: Sample.t0)
                }
            }
            #expect(try store.queueSummary().queued == 3, "nothing of \(outcomes) was kept")
        }
        // Given out of order, they are put in order (in order, as the processor gives them, they are taken as they stand).
        try store.withBatch { batch in
            let claimed = try batch.claimQueued(limit: 2)
            try batch.recordOutcomes(claimed.reversed().map { QueuedOutcome($0, .done) }, now: Sample.t0)
        }
        #expect(try store.commands(CommandFilter(status: .queued)).map(\.command.id) == ["c3"])
    }

    @Test("outcomes recorded in parts of one claim go on from the last part: one that skips a command is refused, the claim kept", arguments: Backend.allCases)
    func outcomesInParts(backend: Backend) throws {
        let store = try backend.makeStore()
        _ = try store.enqueue((1...4).map { Sample.command("c\($0)", request: RequestID("PML-\($0)")) }, source: "test", now: Sample.t0)
        try store.withBatch { batch in
            let claimed = try batch.claimQueued(limit: 3)
            try batch.recordOutcomes([QueuedOutcome(claimed[0], .done)], now: Sample.t0)
            #expect(throws: StoreError.self) { try batch.recordOutcomes([QueuedOutcome(claimed[2], .done)], now: Sample.t0) }
            #expect(throws: StoreError.self) { try batch.recordOutcomes([QueuedOutcome(claimed[0], .done)], now: Sample.t0) }
            try batch.recordOutcomes([QueuedOutcome(claimed[1], .refused(Refusal(.wrongActor, "bukan Kepala Perangkat Daerah")))], now: Sample.t0)
            // A claim again in the transaction hands out what is left of it, and beyond.
            let again = try batch.claimQueued(limit: 2)
            #expect(again.map(\.command.id) == ["c3", "c4"])
            try batch.recordOutcomes(again.map { QueuedOutcome($0, .done) }, now: Sample.t0)
            #expect(throws: StoreError.self) { try batch.recordOutcomes([QueuedOutcome(again[1], .done)], now: Sample.t0) }
        }
        #expect(try store.commands(CommandFilter(status: .queued)).isEmpty)
        #expect(try store.commands(CommandFilter(status: .refused)).map(\.command.id) == ["c2"])
    }

    @Test("the queue hands out commands oldest first and keeps each outcome", arguments: Backend.allCases)
    func queueAndOutcomes(backend: Backend) throws {
        let store = try backend.makeStore()
        _ = try store.enqueue((1...5).map { Sample.command("c\($0)", request: RequestID("PML-\($0)"), data: ["note": "catatan \($0)"]) },
                              source: "test", now: Sample.t0)
        try store.withBatch { batch in
            let claimed = try batch.claimQueued(limit: 2)
            #expect(claimed.map(\.command.id) == ["c1", "c2"])
            #expect(claimed[0].command == Sample.command("c1", request: "PML-1", data: ["note": "catatan 1"]))
            // c1's event, as the processor appends it.
            var event = Sample.event("PML-1", 1)
            event.envelope.command = "c1"
            try Sample.appendListed(event, to: batch)
            try batch.recordOutcomes([QueuedOutcome(claimed[0], .done),
                                      QueuedOutcome(claimed[1], .refused(Refusal(.wrongActor, "not the Kepala PD", article: "Pasal 11 ayat (4) huruf b", hint: "ask")))],
                                     now: Sample.t0)
        }
        let refused = try store.commands(CommandFilter(status: .refused))
        #expect(refused.map(\.command.id) == ["c2"])
        #expect(refused[0].refusal == Refusal(.wrongActor, "not the Kepala PD", article: "Pasal 11 ayat (4) huruf b", hint: "ask"))
        #expect(try store.commands(CommandFilter(status: .done)).first?.firstEvent == 1)
        #expect(try store.commands(CommandFilter(request: "PML-4")).map(\.command.id) == ["c4"])
        let summary = try store.queueSummary()
        #expect((summary.queued, summary.done, summary.refused) == (3, 1, 1))
        #expect(summary.oldestQueued == Sample.t0)
        try store.withBatch { batch throws in #expect(try batch.claimQueued(limit: 10).map(\.command.id) == ["c3", "c4", "c5"]) }
    }

    @Test("workflow definitions: a new version becomes current, an old one can be reinstated, bodies are kept", arguments: Backend.allCases)
    func definitions(backend: Backend) throws {
        let store = try backend.makeStore()
        #expect(try store.saveDefinition(workflow: "w", hash: "h1", body: "{\"v\":1}", now: Sample.t0) == .added)
        #expect(try store.saveDefinition(workflow: "w", hash: "h1", body: "{\"v\":1}", now: Sample.t0) == .unchanged)
        #expect(try store.saveDefinition(workflow: "w", hash: "h2", body: "{\"v\":2}", now: Sample.t0) == .added)
        #expect(try store.currentDefinitions() == ["w": "h2"])
        #expect(try store.saveDefinition(workflow: "w", hash: "h1", body: "{\"v\":1}", now: Sample.t0) == .reinstated)
        #expect(try store.currentDefinitions() == ["w": "h1"])
        #expect(try store.definitionBody("h2") == "{\"v\":2}", "versions a request may be pinned to are never dropped")
        #expect(try store.definitionVersions().map(\.hash).sorted() == ["h1", "h2"])
    }

    @Test("directory versions: ordered by effective date; the same file again is not a new version", arguments: Backend.allCases)
    func directoryVersions(backend: Backend) throws {
        let store = try backend.makeStore()
        let later = try store.saveDirectory(effectiveFrom: CivilDate(iso: "2025-06-01")!, hash: "b", body: "{}", source: "b.json", now: Sample.t0)
        let earlier = try store.saveDirectory(effectiveFrom: CivilDate(iso: "2025-01-01")!, hash: "a", body: "{\"a\":1}", source: "a.json", now: Sample.t0)
        let again = try store.saveDirectory(effectiveFrom: CivilDate(iso: "2025-06-01")!, hash: "b", body: "{}", source: "b.json", now: Sample.t0)
        #expect(later.isNew && earlier.isNew && !again.isNew)
        #expect(again.version == later.version)
        #expect(try store.directoryVersions().map(\.hash) == ["a", "b"])
        #expect(try store.directoryBody(version: earlier.version) == "{\"a\":1}")
    }

    @Test("letter registers count per register and survive reopening", arguments: Backend.allCases)
    func letterRegisters(backend: Backend) throws {
        let store = try backend.makeStore()
        try store.withBatch { batch in
            #expect(try batch.letterSequence(register: "diskominfo/surat_penugasan/2025") == 0)
            try batch.setLetterSequence(register: "diskominfo/surat_penugasan/2025", to: 3)
            try batch.setLetterSequence(register: "dinkes/surat_penugasan/2025", to: 1)
        }
        let reopened = try backend.reopen(store)
        try reopened.withBatch { batch throws in
            #expect(try batch.letterSequence(register: "diskominfo/surat_penugasan/2025") == 3)
            #expect(try batch.letterSequence(register: "dinkes/surat_penugasan/2025") == 1)
        }
    }

    @Test("a read snapshot does not see writes committed after it began", arguments: Backend.allCases)
    func snapshots(backend: Backend) throws {
        let store = try backend.makeStore()
        try Sample.append([Sample.event("PML-1", 1)], to: store)
        let writer = try backend.reopen(store)
        try store.readSnapshot {
            #expect(try store.sequenceSummary().count == 1)
            try Sample.append([Sample.event("PML-2", 1)], to: writer)
            #expect(try store.sequenceSummary().count == 1, "the snapshot still sees one event")
        }
        #expect(try store.sequenceSummary().count == 2)
    }
}
