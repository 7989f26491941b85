import LintasCore
import LintasEngine
@testable import LintasStore
import TestSupport
import Testing

@Suite("The processor: one transaction per batch, refusals kept as outcomes")
struct ProcessorTests {
    @Test("Pasal 11 ayat (4) huruf a–e through the queue: events, projection and outcomes in one batch")
    func procedureThroughTheQueue() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        let reports = try harness.drain()
        #expect(reports.count == 1)
        #expect((reports[0].commands, reports[0].done, reports[0].refused, reports[0].events) == (6, 6, 0, 6))
        let state = try #require(try harness.state("PML-1"))
        #expect(state.state == "accepted")
        #expect(state.letters.map(\.number) == ["800.1.11.1/1/DINKES/2025", "800.1.11.1/1/DISKOMINFO/2025"], "the surat permohonan pelibatan (huruf a), the surat penugasan (huruf c)")
        #expect(try harness.store.commands(CommandFilter(status: .done)).count == 6)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("a refused command does not abort its batch: the others are applied and it is kept with its reason")
    func refusalsAreOutcomes() throws {
        let harness = try Harness()
        var lines = Lines.accepted("PML-1")
        lines.insert(Lines.line("bad-1", "PML-1", "recommend", Pemalang.kabidAptika, day: 4), at: 1)      // wrong actor
        lines.append(Lines.line("bad-2", "PML-9", "recommend", Pemalang.kadisKominfo, day: 4))           // unknown request
        try harness.submit(lines)
        let report = try #require(try harness.drain().first)
        #expect((report.done, report.refused) == (6, 2))
        #expect(try harness.state("PML-1")?.state == "accepted")
        let refused = try harness.store.commands(CommandFilter(status: .refused))
        #expect(refused.map(\.command.id) == ["bad-1", "bad-2"])
        #expect(refused.map { $0.refusal?.code } == [.wrongActor, .unknownRequest])
        #expect(refused[0].refusal?.article == "Pasal 11 ayat (4) huruf b Perbup Pemalang 38/2023")
    }

    @Test("batches split a long queue, and the outcome is the same as one big batch")
    func batchBoundaries() throws {
        let small = try Harness(batchSize: 4)
        let large = try Harness(batchSize: 500)
        let lines = (1...5).flatMap { Lines.accepted("PML-\($0)") }
        for harness in [small, large] {
            try harness.submit(lines)
            try harness.drain()
        }
        #expect(try small.drain().isEmpty)
        for request in (1...5).map({ RequestID("PML-\($0)") }) {
            var first = try #require(try small.state(request))
            var second = try #require(try large.state(request))
            first.letters = first.letters.map { var letter = $0; letter.sequence = 0; letter.number = ""; letter.contentHash = nil; return letter }
            second.letters = second.letters.map { var letter = $0; letter.sequence = 0; letter.number = ""; letter.contentHash = nil; return letter }
            #expect(first == second)
        }
    }

    @Test("letter numbers run 1, 2, 3 … per register without gaps, also when an issue is refused in the same batch")
    func letterNumbersWithoutGaps() throws {
        let harness = try Harness()
        var lines: [String] = []
        for request in ["PML-1", "PML-2", "PML-3"] {
            lines += Lines.accepted(request).prefix(3)
        }
        lines.append(Lines.line("PML-1-4", "PML-1", "issue_letter", Pemalang.kadisKominfo, day: 6))
        lines.append(Lines.line("wrong-issue", "PML-2", "issue_letter", Pemalang.kabidAptika, day: 6))   // refused: not the Kepala PD
        lines.append(Lines.line("PML-2-4", "PML-2", "issue_letter", Pemalang.kadisKominfo, day: 6))
        lines.append(Lines.line("PML-3-4", "PML-3", "issue_letter", Pemalang.kadisKominfo, day: 6))
        try harness.submit(lines)
        try harness.drain()
        let numbers = try ["PML-1", "PML-2", "PML-3"].map { try harness.state(RequestID($0))?.letters.first?.sequence }
        #expect(numbers == [1, 2, 3])
        try harness.store.withBatch { batch throws in
            #expect(try batch.letterSequence(register: "diskominfo/800.1.11.1/2025") == 3)
        }
    }

    @Test("Pasal 11 ayat (4) huruf a–e by two daemons in turn on one file: each sees the steps the other recorded")
    func twoWritersTakeTurns() throws {
        let harness = try Harness(batchSize: 1)
        let other = try Processor(store: try SQLiteStore(path: harness.store.path, create: false), batchSize: 1)
        try harness.submit(Lines.accepted("PML-1"))
        // Each keeps the states of its last batch; the other's appends must make it read them again.
        for step in 0..<6 {
            let report = try (step % 2 == 0 ? harness.processor : other).runBatch(now: harness.now)
            #expect((report.done, report.refused) == (1, 0), "step \(step + 1)")
        }
        let state = try #require(try harness.state("PML-1"))
        #expect((state.state, state.version) == ("accepted", 6))
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("a batch the store cannot commit leaves nothing behind, in the file or in what the processor remembers")
    func failedBatchIsForgotten() throws {
        let harness = try Harness(batchSize: 2)
        try harness.submit(Lines.accepted("PML-1"))
        #expect(try harness.processor.runBatch(now: harness.now).done == 2)   // submit, recommend
        // The disk refuses the letter: the batch with approve and issue_letter rolls back whole.
        try harness.tamper("CREATE TEMP TRIGGER refuse_letter BEFORE INSERT ON events WHEN NEW.action = 'issue_letter' BEGIN SELECT RAISE(ABORT, 'disk refused'); END")
        #expect(throws: StoreError.self) { try harness.processor.runBatch(now: harness.now) }
        #expect(try harness.state("PML-1")?.version == 2)
        try harness.tamper("DROP TRIGGER refuse_letter")
        try harness.drain()
        let state = try #require(try harness.state("PML-1"))
        #expect((state.state, state.version) == ("accepted", 6))
        #expect(try harness.store.commands(CommandFilter(status: .done)).count == 6)
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("Pasal 11 ayat (4) huruf a–e one command a transaction: states kept between transactions give the same events, projections and outcomes as states read from the file")
    func cachedStatesAreTheStoredOnes() throws {
        let cached = try Harness(batchSize: 1)
        let uncached = try Harness(batchSize: 1)
        let reader = try Processor(store: uncached.store, batchSize: 1, cachedRequests: 0)
        // Interleaved requests, a refusal among them: every command but a request's first finds its state kept.
        var lines = zip(Lines.accepted("PML-1"), Lines.accepted("PML-2")).flatMap { [$0, $1] }
        lines.insert(Lines.line("bad-1", "PML-1", "recommend", Pemalang.kabidAptika, day: 4), at: 3)
        for harness in [cached, uncached] { try harness.submit(lines) }
        try cached.drain()
        while try reader.runBatch(now: uncached.now).commands > 0 {}
        for request in ["PML-1", "PML-2"].map(RequestID.init) {
            #expect(try cached.store.request(request)?.body == uncached.store.request(request)?.body)
            #expect(try cached.store.events(of: request).map(\.hash) == uncached.store.events(of: request).map(\.hash))
        }
        let outcomes = { (harness: Harness) in try harness.store.commands(CommandFilter()).map { "\($0.command.id) \($0.refusal?.code.rawValue ?? "done")" } }
        #expect(try outcomes(cached) == outcomes(uncached))
        #expect(try outcomes(cached).filter { $0.hasSuffix("done") }.count == 12)
        #expect(try Audit.run(cached.store).isClean)
    }

    @Test("W1's round robin over more requests than the processor keeps: the same events, projections, letter parts and outcomes with every request kept, a few, or none")
    func requestsBeyondTheCache() throws {
        // Every request's first command, then every second one, …, as lintas-bench's W1: with room
        // for 2 requests the cache is emptied and refilled between batches, with none every command
        // reads its state from the file and composes its letters' request part again.
        let requests = (1...5).map { "PML-\($0)" }
        // Each request's purpose names it, as W1's do: each has a request part of its own.
        let procedures = requests.map { request in
            [Lines.line("\(request)-1", request, "submit", Pemalang.kabidP2P, day: 3,
                        Lines.contents.merging(["purpose": .string("Dasbor surveilans \(request)")]) { $1 }, workflow: true)]
                + Lines.accepted(request).dropFirst()
        }
        let lines = (0..<6).flatMap { step in procedures.map { $0[step] } }
        let files = try [Processor.defaultCachedRequests, 2, 0].map { cached in
            let harness = try Harness(batchSize: 3)
            try harness.submit(lines)
            let processor = try Processor(store: harness.store, batchSize: 3, cachedRequests: cached)
            while try processor.runBatch(now: harness.now).commands > 0 {}
            return harness
        }
        func stored(_ harness: Harness) throws -> [String] { try harness.stored(requests) }
        let kept = try stored(files[0])
        #expect(kept.filter { $0.hasSuffix(" done") }.count == 30)
        #expect(kept.filter { $0.contains("Dasbor surveilans PML-") && $0.contains("\"contents\":[") }.count == 5,
                "each request's own request part is among the compared rows")
        for harness in files.dropFirst() { #expect(try stored(harness) == kept) }
        for harness in files { #expect(try Audit.run(harness.store).isClean) }
    }

    @Test("a request the processor holds no state of is read from its projection's state and head alone, one point query a miss that also gives its row: the same outcomes and bytes as states kept, every projection after the first written at its row")
    func missReadsStateAndHead() throws {
        // Seven requests in turns, as W1's round robin: with no state kept, every command reads its request from the file.
        let requests = (1...7).map { "PML-\($0)" }
        let lines = (0..<6).flatMap { step in requests.map { Lines.accepted($0)[step] } }
        func processed(cached: Int) throws -> (Harness, whole: Int32, stateAndHead: Int32, updates: (byRow: Int32, byRequest: Int32)) {
            let harness = try Harness(batchSize: 14)
            try harness.submit(lines)
            // On the store's own connection (one thread), whose statements the test can count.
            let processor = try Processor(store: harness.store, batchSize: 14, cachedRequests: cached)
            processor.pipelineFrom = .max
            let statements = try [SQLiteBatch.requestSQL, SQLiteBatch.stateAndHeadSQL, SQLiteBatch.updateRowSQL, SQLiteBatch.updateRequestSQL].map {
                try harness.store.connection.statement($0)
            }
            _ = statements.map { $0.runs() }
            while try processor.runBatch(now: harness.now).commands > 0 {}
            let runs = statements.map { $0.runs() }
            return (harness, runs[0], runs[1], (runs[2], runs[3]))
        }
        let missing = try processed(cached: 0)
        // 42 commands in three batches of 14, each two turns of the seven requests: the first turn of each batch reads them.
        #expect(missing.whole == 0)
        #expect(missing.stateAndHead == 21)
        let kept = try processed(cached: Processor.defaultCachedRequests)
        #expect(kept.stateAndHead == 7, "the submits alone, of requests not stored yet")
        // The seven inserts give their rows, and a read on a miss its row: every other projection is updated at its row.
        for updates in [missing.updates, kept.updates] { #expect(updates == (35, 0)) }
        let stored = try kept.0.stored(requests)
        #expect(stored.filter { $0.hasSuffix(" done") }.count == 42)
        #expect(try missing.0.stored(requests) == stored)
        #expect(try Audit.run(missing.0.store).isClean)
    }

    @Test("a queued command whose stored data was damaged is refused, not dropped")
    func damagedCommand() throws {
        let harness = try Harness()
        try harness.submit([Lines.accepted("PML-1")[0]])
        try harness.tamper("UPDATE queue SET data = '{not json' WHERE id = 'PML-1-1'")
        let report = try #require(try harness.drain().first)
        #expect(report.refused == 1)
        #expect(try harness.store.commands(CommandFilter(id: "PML-1-1")).first?.refusal?.code == .malformedCommand)
    }

    @Test("a new version of a workflow applies to new requests; requests in flight stay on theirs",
          arguments: ["loaded through the daemon's store", "loaded by another process"])
    func pinnedDefinitions(_ loader: String) throws {
        let harness = try Harness()
        // `lintas workflows load` while the daemon runs opens a connection of its own.
        let loading = loader == "loaded by another process" ? try SQLiteStore(path: harness.store.path) : harness.store
        try harness.submit([Lines.accepted("PML-1")[0]])
        try harness.drain()
        let pinned = try #require(try harness.state("PML-1")).definition
        // A new version of the file: a different title gives a different hash.
        let original = try DocumentFile.read(Harness.repository.appendingPathComponent("workflows/pemalang/penunjukan-lintas-pd.json").path)
        var members = original.objectValue!
        members["title"] = "Penunjukan lintas Perangkat Daerah (revisi)"
        let regulation = try Regulation.decode(try DocumentFile.read(Harness.repository.appendingPathComponent("workflows/pemalang/regulation.json").path),
                                               source: "regulation.json")
        let revised = try DataFiles.readWorkflow(.object(members), path: "revised.json", regulations: [regulation.id: regulation])
        #expect(try loading.saveDefinition(workflow: revised.definition.id, hash: revised.definition.hash, body: revised.body, now: Harness.now) == .added)
        try harness.submit(Array(Lines.accepted("PML-1")[1...1]) + [Lines.accepted("PML-2")[0]])
        try harness.drain()
        #expect(try harness.state("PML-1")?.definition == pinned)
        #expect(try harness.state("PML-1")?.state == "recommended")
        #expect(try harness.state("PML-2")?.definition == revised.definition.hash)
    }
}
