import LintasCore
import LintasEngine
@testable import LintasStore
import TestSupport
import Synchronization
import Testing

@Suite("Replay and audit on several readers: one snapshot, the same results as one reader")
struct ParallelReadTests {
    /// Nine requests walked to the end of the procedure, and a tenth only submitted.
    func run() throws -> Harness {
        let harness = try Harness()
        let requests = (1...9).map { "PML-0\($0)" }
        try harness.submit(requests.flatMap(Lines.accepted) + [Lines.line("PML-10-1", "PML-10", "submit", Pemalang.kabidP2P, day: 1, Lines.contents, workflow: true)])
        try harness.drain()
        return harness
    }

    /// The sequence number of a request's event.
    func sequence(_ harness: Harness, _ request: String, version: Int) throws -> Int64 {
        try #require(try harness.store.connection.query("SELECT seq FROM events WHERE request = ? AND version = ?",
                                                        [.text(request), .integer(Int64(version))]) { $0.int64(0) }.first)
    }

    @Test("the requests are split into consecutive ranges that together read every event once, in order")
    func split() throws {
        let harness = try run()
        #expect(try harness.store.requestCount() == 10)
        let ranges = try harness.store.splitRequests(into: 3)
        #expect(ranges.count == 3)
        #expect(ranges.first?.lower == nil && ranges.last?.upper == nil)
        for (left, right) in zip(ranges, ranges.dropFirst()) { #expect(left.upper != nil && left.upper == right.lower) }
        var all: [Int64] = []
        try harness.store.scanEvents(projections: false, { all.append($0.sequence) }, end: { _ in })
        var pieced: [Int64] = []
        for range in ranges {
            try harness.store.scanEvents(in: range, projections: true, { pieced.append($0.sequence) }, end: { stored in
                // Each range's projections are merged with its own events only.
                #expect(stored.map { range.contains($0.request) } ?? false)
            })
        }
        #expect(pieced == all && all.count == 55)
    }

    /// Requests of six events each (walked to the end of the procedure), then as many of one.
    func longThenShort(_ long: [String], _ short: [String]) throws -> Harness {
        let harness = try Harness()
        try harness.submit(long.flatMap(Lines.accepted) + short.map { Lines.line("\($0)-1", $0, "submit", Pemalang.kabidP2P, day: 1, Lines.contents, workflow: true) })
        try harness.drain()
        return harness
    }

    /// How many events each range reads.
    func events(in ranges: [RequestRange], _ harness: Harness) throws -> [Int] {
        var events = Array(repeating: 0, count: ranges.count)
        for (index, range) in ranges.enumerated() {
            try harness.store.scanEvents(in: range, projections: false, { _ in events[index] += 1 }, end: { _ in })
        }
        return events
    }

    @Test("the ranges hold about as many events each, not as many requests: long requests first, short ones after")
    func splitByEvents() throws {
        // Nine requests of six events each, then nine of one: as many requests in each half would
        // put 54 events in the first and 9 in the second.
        let harness = try longThenShort((1...9).map { "PML-0\($0)" }, (1...9).map { "PML-1\($0)" })
        let ranges = try harness.store.splitRequests(into: 2)
        #expect(ranges.count == 2)
        let events = try events(in: ranges, harness)
        #expect(events[0] + events[1] == 63)
        // Each part within one request's events (six) of half the log.
        #expect(events.allSatisfy { abs(2 * $0 - 63) <= 2 * 6 }, "\(events)")
    }

    @Test("the split walks the requests' ids and reads the version of one request in every few: each part still within a request or two of half the log")
    func splitSampled() throws {
        // Eighteen requests of six events each, then eighteen of one.
        let harness = try longThenShort((10...27).map { "PML-\($0)" }, (30...47).map { "PML-\($0)" })
        let lookup = try harness.store.connection.statement(SQLiteStore.versionByRowSQL)
        _ = lookup.runs()
        // Every request's version read when there are no more requests than samples: the exact split.
        let exact = try harness.store.splitRequests(into: 2, samples: 36)
        #expect((1...19).contains(lookup.runs()), "the walk stops at the bound, about half of the requests")
        #expect(exact == (try harness.store.splitRequests(into: 2)))
        // One request in four read: about a quarter of those walked.
        _ = lookup.runs()
        let sampled = try harness.store.splitRequests(into: 2, samples: 9)
        #expect((1...5).contains(lookup.runs()))
        for ranges in [exact, sampled] {
            #expect(ranges.count == 2)
            let events = try events(in: ranges, harness)
            #expect(events[0] + events[1] == 126)
            #expect(events.allSatisfy { abs(2 * $0 - 126) <= 2 * 2 * 6 }, "\(events)")
        }
    }

    @Test("a projection's version changed to the largest integer neither stops the split nor the audit on two readers: the audit names the request")
    func splitHugeVersion() throws {
        let harness = try longThenShort((10...27).map { "PML-\($0)" }, (30...47).map { "PML-\($0)" })
        try harness.tamper("UPDATE requests SET version = \(Int64.max) WHERE request IN ('PML-12', 'PML-40')")
        for samples in [36, 9, 2] {
            let ranges = try harness.store.splitRequests(into: 2, samples: samples)
            #expect(try events(in: ranges, harness).reduce(0, +) == 126, "\(ranges)")
        }
        let report = try Audit.run(harness.store, workers: 2)
        #expect(report == (try Audit.run(harness.store, workers: 1)))
        #expect(Set(report.findings.compactMap(\.request)) == ["PML-12", "PML-40"], "\(report.findings)")
    }

    @Test("a fold's scan reads with a page cache of 1 MiB and leaves the connection's as it was; audit's scan keeps its own")
    func foldCache() throws {
        let harness = try run()
        let connection = harness.store.connection
        func cacheSize() throws -> Int64 { try connection.query("PRAGMA cache_size") { $0.int64(0) }.first ?? 0 }
        let before = try cacheSize()
        #expect(before != Int64(SQLiteStore.foldCacheSize))
        for columns in [ScanColumns.fold, .all] {
            var during: Set<Int64> = []
            try harness.store.scanEvents(in: .all, projections: false, columns: columns, { _ in during.insert(try cacheSize()) }, end: { _ in })
            #expect(during == [columns == .fold ? Int64(SQLiteStore.foldCacheSize) : before])
            #expect(try cacheSize() == before)
        }
    }

    @Test("replay on two and three readers gives the states and projection bytes one reader gives, in the same order")
    func replay() throws {
        let harness = try run()
        var serial: [RequestState] = []
        let counts = try Replay.all(in: harness.store) { serial.append($0) }
        #expect(counts.requests == 10 && counts.events == 55)
        for workers in [2, 3] {
            let parts = Mutex<[Int: [RequestState]]>([:])
            let parallel = try Replay.all(in: harness.store, workers: workers) { part, state in parts.withLock { $0[part, default: []].append(state) } }
            let states = parts.withLock { parts in parts.keys.sorted().flatMap { parts[$0]! } }
            #expect(parts.withLock { $0.count } == workers, "each reader folded a range")
            #expect(parallel == counts)
            #expect(states == serial)
            let bodies = Mutex<[Int: [[UInt8]]]>([:])
            try Replay.projections(in: harness.store, workers: workers) { part, bytes in bodies.withLock { $0[part, default: []].append(bytes) } }
            #expect(bodies.withLock { parts in parts.keys.sorted().flatMap { parts[$0]! } } == serial.map(\.canonicalBytes))
        }
    }

    @Test("audit on several readers reports what one reader reports, clean or not")
    func audit() throws {
        let harness = try run()
        let clean = try Audit.run(harness.store, workers: 1)
        #expect(clean.isClean && clean.requests == 10 && clean.events == 55)
        #expect(try Audit.run(harness.store, workers: 2) == clean)
        #expect(try Audit.run(harness.store, workers: 4) == clean)

        // Damage in both halves: an event of the first request and one of the last, a removed event, a stale projection.
        try harness.tamper("DROP TRIGGER events_refuse_update")
        try harness.tamper("DROP TRIGGER events_refuse_delete")
        try harness.tamper("UPDATE events SET actor = '198001172006041007' WHERE request = 'PML-01' AND version = 2")
        try harness.tamper("DELETE FROM events WHERE request = 'PML-07' AND version = 6")
        try harness.tamper("UPDATE requests SET body = replace(body, '\"state\":\"submitted\"', '\"state\":\"recommended\"') WHERE request = 'PML-10'")
        let damaged = try Audit.run(harness.store, workers: 1)
        #expect(damaged.findings.count >= 4, "\(damaged.findings)")
        for workers in [2, 3, 4] { #expect(try Audit.run(harness.store, workers: workers) == damaged) }
    }

    @Test("an event altered in the second half of the log is found on two readers and named exactly as on one")
    func alteredInSecondHalf() throws {
        let harness = try run()
        // The submission's purpose (its article and maker are in `openings` since schema version 11: `StoredOpeningsTests`).
        let altered = try sequence(harness, "PML-09", version: 1)
        try harness.tamper("DROP TRIGGER events_refuse_update")
        try harness.tamper("UPDATE events SET data = replace(data, 'Dasbor surveilans', 'Dasbor surveilanz') WHERE seq = \(altered)")
        let serial = try Audit.run(harness.store, workers: 1)
        let parallel = try Audit.run(harness.store, workers: 2)
        #expect(parallel == serial)
        let first = try #require(parallel.findings.first)
        #expect(first.sequence == altered && first.request == "PML-09" && first.version == 1)
        #expect(first.message.contains("the event was altered"))
        // The request's next event still chains from the altered one's stored hash: one finding about the chain.
        #expect(parallel.findings.filter { $0.message.contains("the event was altered") }.count == 1)
    }

    @Test("every reader holds the same snapshot: an event committed while they read is seen by none of them")
    func oneSnapshot() throws {
        let harness = try run()
        let writer = try SQLiteStore(path: harness.store.path, create: false)
        let before = try harness.store.snapshotMark()
        let seen = try SnapshotReaders.read(harness.store, workers: 2) { split in
            #expect(split.parts.count == 2 && split.mark == before)
            // Committed after every reader took its snapshot.
            try writer.connection.execute("""
                INSERT INTO events (request, version, action, state, actor, at, recorded, command, data, hash)
                SELECT request, version + 1, action, state, actor, at, recorded, command || '-x', data, hash FROM events WHERE seq = \(before.sequence)
                """)
            return try split.map { _, reader, range in
                var events = 0
                try reader.scanEvents(in: range, projections: false, { _ in events += 1 }, end: { _ in })
                return (try reader.snapshotMark(), events)
            }
        }
        #expect(seen.map(\.0) == [before, before])
        #expect(seen.map(\.1).reduce(0, +) == 55)
        #expect(try harness.store.snapshotMark().sequence == before.sequence + 1)
    }

    /// A part's error, with the part's number.
    struct PartError: Error, Equatable { let part: Int }

    @Test("a split's parts give their results in range order; when some throw, the first of them in range order is thrown, whichever thread ends first")
    func partsInOrder() throws {
        let harness = try run()
        for workers in [2, 3] {
            let counts = try SnapshotReaders.read(harness.store, workers: workers) { split in
                try split.map { part, reader, range in
                    var events = 0
                    try reader.scanEvents(in: range, projections: false, { _ in events += 1 }, end: { _ in })
                    return (part, events)
                }
            }
            #expect(counts.count > 1 && counts.map(\.0) == Array(counts.indices) && counts.map(\.1).reduce(0, +) == 55)
            for failing in [[1], [0, 1], Array(1..<workers)] {
                #expect(throws: PartError(part: failing[0])) {
                    try SnapshotReaders.read(harness.store, workers: workers) { split in
                        try split.map { part, _, _ in
                            if failing.contains(part) { throw PartError(part: part) }
                            return part
                        }
                    }
                }
            }
        }
    }
}
