import LintasCore
@testable import LintasEngine
import LintasStore
import Testing

@Suite("The processor's cache of request states between transactions")
struct StateCacheTests {
    @Test("a request kept already is replaced, not counted again: with room for every request in flight, none is dropped")
    func keptAgain() throws {
        let requests = (1...4).map { "PML-\($0)" }
        let harness = try Harness()
        try harness.submit(requests.map { Lines.accepted($0)[0] })
        try harness.drain()
        let entries = try requests.map { id in
            let stored = try #require(try harness.store.request(RequestID(id)))
            return StateCache.Entry(state: try stored.decode(), head: try #require(stored.headDigest))
        }
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
}
