import LintasCore
@testable import LintasEngine
import LintasStore
import TestSupport
import Testing

@Suite("The daemon's batch on two threads: what one thread would store, or nothing")
struct PipelineTests {
    static let requests = (1...5).map { "PML-\($0)" }

    /// W1's round robin over five requests, each request's purpose its own; a refused command and
    /// a request touched twice in a row among them.
    static func lines() -> [String] {
        var lines = turns(requests)
        lines.insert(Lines.line("bad-1", "PML-2", "recommend", Pemalang.kabidAptika, day: 4), at: 7)   // refused
        // PML-1's acceptances one after the other: the second follows the first's head in the same batch.
        lines.removeAll { $0.contains("\"PML-1-6\"") }
        lines.insert(Lines.line("PML-1-6", "PML-1", "accept", Pemalang.prakomPertama, day: 8), at: lines.firstIndex { $0.contains("\"PML-1-5\"") }! + 1)
        return lines
    }

    /// Each request's whole procedure (`Lines.accepted`), its purpose its own, in turns: each request's next command after the others'.
    static func turns(_ requests: [String]) -> [String] {
        let procedures = requests.map { request in
            Lines.accepted(request, contents: Lines.contents.merging(["purpose": .string("Dasbor surveilans \(request)")]) { $1 })
        }
        return (0..<6).flatMap { step in procedures.map { $0[step] } }
    }

    /// A file with `lines` queued, processed in batches of `batchSize` on two threads from `pipelineFrom` commands.
    static func processed(batchSize: Int, pipelineFrom: Int) throws -> (Harness, [Processor.BatchReport]) {
        let harness = try Harness(batchSize: batchSize)
        harness.processor.pipelineFrom = pipelineFrom
        try harness.submit(lines())
        return (harness, try harness.drain())
    }

    @Test("events, hashes, projections, letter numbers, refusals and reports are the same on two threads as on one")
    func sameAsOneThread() throws {
        let (one, oneReports) = try Self.processed(batchSize: 12, pipelineFrom: .max)
        let stored = try one.stored(Self.requests)
        #expect(stored.filter { $0.hasSuffix(" done") }.count == 30)
        #expect(stored.contains { $0.hasPrefix("bad-1 ") && !$0.hasSuffix(" done") }, "the refusal is among the compared rows")
        for batchSize in [12, 500] {
            let (two, twoReports) = try Self.processed(batchSize: batchSize, pipelineFrom: 2)
            #expect(try two.stored(Self.requests) == stored, "batches of \(batchSize)")
            if batchSize == 12 { #expect(twoReports == oneReports) }
            #expect(try Audit.run(two.store).isClean)
        }
        #expect(try Audit.run(one.store).isClean)
    }

    @Test("deciding on its own connection sees what earlier batches committed: the projections it reads on a miss, the registers' numbers drawn")
    func decidingConnectionSeesEarlierBatches() throws {
        // Batches of 5 and no states kept between them: every command's request is read from the
        // store, and each round's letters draw after the numbers an earlier batch drew.
        func processed(pipelineFrom: Int) throws -> (Harness, [Processor.BatchReport]) {
            let harness = try Harness()
            let processor = try Processor(store: harness.store, batchSize: 5, cachedRequests: 0)
            processor.pipelineFrom = pipelineFrom
            try harness.submit(Self.lines())
            var reports: [Processor.BatchReport] = []
            while true {
                let report = try processor.runBatch(now: harness.now)
                if report.commands == 0 { return (harness, reports) }
                reports.append(report)
            }
        }
        let (one, oneReports) = try processed(pipelineFrom: .max)
        let (two, twoReports) = try processed(pipelineFrom: 2)
        let stored = try one.stored(Self.requests)
        #expect(stored.filter { $0.hasSuffix(" done") }.count == 30)
        #expect(try two.stored(Self.requests) == stored)
        #expect(twoReports == oneReports)
        #expect(try Audit.run(two.store).isClean)
    }

    @Test("the deciding thread wakes the waiting writing thread once a group of commands, not once a command; what is stored is what one thread stores")
    func wakesOnceAGroup() throws {
        // Forty requests' procedures in turns: 240 commands, each request's next command after the 39 others'.
        let requests = (1...40).map { "PML-\($0)" }
        let lines = Self.turns(requests)
        func processed(pipelineFrom: Int) throws -> Harness {
            let harness = try Harness(batchSize: 500)
            harness.processor.pipelineFrom = pipelineFrom
            try harness.submit(lines)
            #expect(try harness.drain().map(\.done) == [240])
            return harness
        }
        let one = try processed(pipelineFrom: .max)
        #expect(one.processor.wakes == 0)
        let two = try processed(pipelineFrom: 2)
        #expect(try two.stored(requests) == one.stored(requests))
        #expect(try Audit.run(two.store).isClean)
        // A wake for each group of 16 items at most, and about one for each halving of the commands left in the batch's last 16
        // (15, 7, 3, 1, 0); one a command before.
        #expect(two.processor.wakes <= 240 / 16 + 5, "\(two.processor.wakes) wakes")
    }

    @Test("a store error on the writing thread fails the whole batch: nothing of it is kept, and the next batch applies it whole")
    func writingThreadFails() throws {
        let harness = try Harness(batchSize: 500)
        harness.processor.pipelineFrom = 2
        try harness.submit(Self.lines())
        // The disk refuses the letters (each batch's middle): the writing thread fails after it stored the commands before.
        try harness.tamper("CREATE TEMP TRIGGER refuse_letter BEFORE INSERT ON events WHEN NEW.action = 'issue_letter' BEGIN SELECT RAISE(ABORT, 'disk refused'); END")
        #expect(throws: StoreError.self) { try harness.processor.runBatch(now: harness.now) }
        for request in Self.requests {
            #expect(try harness.store.events(of: RequestID(request)).isEmpty, "\(request)")
            #expect(try harness.store.request(RequestID(request)) == nil, "\(request)")
        }
        #expect(try harness.store.commands(CommandFilter(status: .queued)).count == 31)
        #expect(try harness.letterParts().isEmpty)
        try harness.tamper("DROP TRIGGER refuse_letter")
        try harness.drain()
        let (one, _) = try Self.processed(batchSize: 500, pipelineFrom: .max)
        #expect(try harness.stored(Self.requests) == one.stored(Self.requests))
        #expect(try Audit.run(harness.store).isClean)
    }

    @Test("an error on the deciding thread stops the writing one: what it was handed is not kept either")
    func decidingThreadFails() throws {
        let harness = try Harness(batchSize: 500)
        try harness.submit(Array(Self.lines().prefix(11)))   // every request submitted and recommended, one refusal
        try harness.drain()
        let processor = try Processor(store: harness.store, batchSize: 500, cachedRequests: 0)
        processor.pipelineFrom = 2
        try harness.submit(Array(Self.lines()[11..<21]))   // each approved, then each letter issued
        // PML-3's stored head is damaged: reading its state fails after PML-1's and PML-2's commands were handed over.
        let head = try #require(try harness.store.request("PML-3")?.head)
        try harness.tamper("UPDATE requests SET head = x'00' WHERE request = 'PML-3'")
        #expect(throws: StoreError.self) { try processor.runBatch(now: harness.now) }
        for request in Self.requests {
            #expect(try harness.state(RequestID(request))?.version == 2, "\(request)")
        }
        #expect(try harness.store.commands(CommandFilter(status: .queued)).count == 10)
        try harness.tamper("UPDATE requests SET head = x'\(Digest(bytes: head)!.hex)' WHERE request = 'PML-3'")
        while try processor.runBatch(now: harness.now).commands > 0 {}
        #expect(try harness.store.commands(CommandFilter(status: .done)).count == 20)
        #expect(try Audit.run(harness.store).isClean)
    }
}
