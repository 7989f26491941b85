import LintasCore
@testable import LintasEngine
import LintasStore
import Testing

@Suite("The processor's cache of request states between transactions")
struct StateCacheTests {
    /// The entries of `requests`, each submitted (its first command processed), as stored.
    static func submitted(_ requests: [String]) throws -> [StateCache.Entry] {
        let harness = try Harness()
        try harness.submit(requests.map { Lines.accepted($0)[0] })
        try harness.drain()
        return try requests.map { id in
            let stored = try #require(try harness.store.request(RequestID(id)))
            return StateCache.Entry(state: try stored.decode(), head: try #require(stored.headDigest))
        }
    }

    @Test("a request kept already is replaced, not counted again: with room for every request in flight, none is dropped")
    func keptAgain() throws {
        let requests = (1...4).map { "PML-\($0)" }
        let entries = try Self.submitted(requests)
        func kept(_ entries: ArraySlice<StateCache.Entry>) -> [RequestID: StateCache.Entry] {
            Dictionary(uniqueKeysWithValues: entries.map { ($0.state.request, $0) })
        }
        var cache = StateCache(limit: 3)
        cache.keep(kept(entries[0..<3]), mark: 10)
        // The next transaction changed two of the three: still three requests, within the bound.
        cache.keep(kept(entries[0..<2]), mark: 12)
        #expect(Set(cache.valid(at: 12).keys) == Set(requests.prefix(3).map { RequestID($0) }))
        // A fourth request is one more than it has room for: emptied, then what that transaction left.
        cache.keep(kept(entries[3..<4]), mark: 13)
        #expect(Array(cache.valid(at: 13).keys) == [RequestID("PML-4")])
        // Another connection appended since: nothing kept is trusted.
        #expect(cache.valid(at: 14).isEmpty)
        #expect(cache.valid(at: 13).isEmpty)
    }

    @Test("a cache that filled up without serving its batches keeps no state, and fills again once the requests come back soon enough")
    func thrashing() throws {
        let requests = (1...8).map { "PML-\($0)" }
        let entries = try Self.submitted(requests)
        func ids(_ indices: [Int]) -> Set<RequestID> { Set(indices.map { RequestID(requests[$0]) }) }
        var cache = StateCache(limit: 4)
        var mark: Int64 = 10
        // A transaction on `indices`, taking the cache's entries and reading those it finds.
        func batch(_ indices: [Int]) {
            var taken = cache.take(at: mark)
            for index in indices { taken.removeValue(forKey: RequestID(requests[index])) }
            mark += 1
            let states = Dictionary(uniqueKeysWithValues: indices.map { (entries[$0].state.request, entries[$0]) })
            cache.keep(states, mark: mark, over: taken)
        }
        // Transactions that never find a request kept: a round robin over more requests than the bound.
        batch([0, 1])
        batch([2, 3])
        #expect(Set(cache.valid(at: mark).keys) == ids([0, 1, 2, 3]))
        #expect(!cache.thrashing)
        // Full, having served none: from now on no state is kept (before, the transaction's states
        // were, and the cache filled again).
        batch([4, 5])
        #expect(cache.thrashing)
        #expect(cache.valid(at: mark).isEmpty)
        batch([6, 7])
        #expect(cache.valid(at: mark).isEmpty)
        // A full cache's worth of requests passed that a full cache would not have served: still none kept.
        batch([0, 1])
        #expect(cache.thrashing)
        #expect(cache.valid(at: mark).isEmpty)
        // Requests coming back within a full cache's worth of others (0 and 1 after 4 and 5): a full
        // cache would have served them, so it fills again.
        batch([4, 5])
        batch([0, 1])
        #expect(cache.thrashing)
        batch([6, 7])
        #expect(!cache.thrashing)
        #expect(Set(cache.valid(at: mark).keys) == ids([6, 7]))
        batch([2, 3])
        #expect(Set(cache.valid(at: mark).keys) == ids([6, 7, 2, 3]))
        // A cache that serves its batches stays full.
        batch([6, 7])
        batch([2, 3])
        #expect(Set(cache.valid(at: mark).keys) == ids([6, 7, 2, 3]))
        #expect(!cache.thrashing)
    }

    @Test("a batch takes the entries and gives back what it left with its own: the cache keeps both, and nothing once another connection appended")
    func takenAndKept() throws {
        let requests = (1...3).map { "PML-\($0)" }
        let entries = try Self.submitted(requests)
        var cache = StateCache(limit: 10)
        cache.keep(Dictionary(uniqueKeysWithValues: entries.map { ($0.state.request, $0) }), mark: 10)
        var taken = cache.take(at: 10)
        #expect(taken.count == 3)
        // Taken: the cache holds none of them while the batch does.
        #expect(cache.valid(at: 10).isEmpty)
        // The batch read PML-1 (moved to its own states) and left the others.
        let removed = taken.removeValue(forKey: RequestID("PML-1"))
        let read = try #require(removed)
        cache.keep([read.state.request: read], mark: 11, over: taken)
        #expect(Set(cache.valid(at: 11).keys) == Set(requests.map { RequestID($0) }))
        // Another connection appended since: nothing is taken.
        #expect(cache.take(at: 12).isEmpty)
        #expect(cache.valid(at: 11).isEmpty)
    }

    @Test("an entry's state takes the next event in place when it alone holds it, into a copy when another holds it, and is left as it was when the event cannot follow")
    func evolvedInPlace() throws {
        let harness = try Harness()
        try harness.submit(Lines.accepted("PML-1"))
        try harness.drain()
        let events = try harness.store.events(of: RequestID("PML-1")).map { try $0.decode() }
        #expect(events.count >= 3)
        let first = try RequestState.evolve(nil, events[0])
        let second = try RequestState.evolve(first, events[1])
        let third = try RequestState.evolve(second, events[2])

        // Alone: changed in place, the same state as folding gives.
        var alone = StateCache.Entry(state: first, head: .zero)
        try alone.evolve([events[1]], requestPart: nil)
        #expect(alone.state == second)
        #expect(alone.state.canonicalBytes == second.canonicalBytes)
        // Held by another entry too (the writer's item, the cache): the other keeps the state before.
        let held = alone
        try alone.evolve([events[2]], requestPart: nil)
        #expect(alone.state == third)
        #expect(held.state == second)
        #expect(held.state.canonicalBytes == second.canonicalBytes)

        // An event that cannot follow (a version skipped) changes nothing, alone or held.
        var skipped = StateCache.Entry(state: first, head: .zero)
        #expect(throws: ReplayError.self) { try skipped.evolve([events[2]], requestPart: nil) }
        #expect(skipped.state == first)
        let other = skipped
        #expect(throws: ReplayError.self) { try skipped.evolve([events[1], events[1]], requestPart: nil) }
        #expect(skipped.state == first)
        #expect(other.state == first)
    }
}
