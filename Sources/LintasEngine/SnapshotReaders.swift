import Dispatch
import Foundation
import LintasStore

/// Reading one snapshot of the store on several cores: the requests split into consecutive
/// ranges (`EventStore.splitRequests`), each range read on a connection of its own on a thread
/// of its own, every connection's read transaction on the same snapshot.
///
/// SQLite (WAL) gives each connection the snapshot of the log as it was at the transaction's
/// first read, so readers that begin one after the other can see different logs when a writer
/// commits in between. Each reader therefore compares its `snapshotMark` (the last event's
/// sequence and hash) with the first connection's while all the transactions are open; on a
/// difference they all start again, and after `attempts` tries the whole read runs on the first
/// connection alone. What the parts compute, taken in range order, is what one reader of every
/// request computes: the ranges are consecutive and each is read in request order.
public enum SnapshotReaders {
    /// The cores this process may run on.
    public static var defaultWorkers: Int { max(1, ProcessorCount.active) }

    static let attempts = 20

    /// The readers of one snapshot and the range of requests each reads.
    public struct Split {
        public let parts: [(store: any EventStore, range: RequestRange)]
        /// The last event of the snapshot, as every reader saw it.
        public let mark: SnapshotMark?

        /// `body` for each part, on threads of their own when there are several; the results in
        /// range order. When parts throw, the error of the first of them (in range order) is thrown.
        public func map<Part>(_ body: (_ index: Int, _ store: any EventStore, _ range: RequestRange) throws -> Part) throws -> [Part] {
            if parts.count == 1 { return [try body(0, parts[0].store, parts[0].range)] }
            return try withoutActuallyEscaping(body) { body in
                let shared = Unchecked(parts: parts, body: body)
                DispatchQueue.concurrentPerform(iterations: parts.count) { index in shared.run(index) }
                return try shared.results()
            }
        }
    }

    /// Runs `body` inside one snapshot of `store` read by up to `workers` connections; `body`
    /// may read `store` itself before or after it maps over the split.
    public static func read<Value>(_ store: any EventStore, workers: Int, _ body: (Split) throws -> Value) throws -> Value {
        guard workers > 1 else { return try store.readSnapshot { try body(Split(parts: [(store, .all)], mark: nil)) } }
        let opening = Opening(store, readers: workers - 1)
        defer { opening.wait() }
        for _ in 0..<attempts {
            let attempt: Attempt<Value> = try store.readSnapshot {
                let mark = try store.snapshotMark()
                let ranges = try store.splitRequests(into: workers)
                let readers = try opening.readers()
                guard !readers.isEmpty else { return .done(try body(Split(parts: [(store, .all)], mark: nil))) }
                guard ranges.count > 1 else { return .done(try body(Split(parts: [(store, .all)], mark: mark))) }
                let used = Array(readers.prefix(ranges.count - 1))
                return try nest(used, from: 0, mark: mark) {
                    try body(Split(parts: zip([store] + used, ranges).map { ($0, $1) }, mark: mark))
                }
            }
            if case .done(let value) = attempt { return value }
        }
        return try store.readSnapshot { try body(Split(parts: [(store, .all)], mark: nil)) }
    }

    private enum Attempt<Value> {
        case done(Value)
        /// A reader's snapshot held another log than the first connection's.
        case moved
    }

    /// Opens each reader's read transaction in turn, keeping the others open, and runs `body`
    /// once all of them hold the snapshot marked `mark`.
    private static func nest<Value>(_ readers: [any EventStore], from index: Int, mark: SnapshotMark, _ body: () throws -> Value) throws -> Attempt<Value> {
        guard index < readers.count else { return .done(try body()) }
        return try readers[index].readSnapshot { () throws -> Attempt<Value> in
            guard try readers[index].snapshotMark() == mark else { return .moved }
            return try nest(readers, from: index + 1, mark: mark, body)
        }
    }
}

/// The readers of one `read`, opened on a thread of their own while the first connection begins
/// its snapshot and splits the requests (about 1.2 M instructions at N = 2,000 that the first
/// connection waited for before its readers' threads started). Each reader has run one statement
/// before it is handed over, so its schema is loaded before its read transaction begins; a
/// reader's snapshot is still the one its transaction's first read sees, compared by `nest`.
/// `openReader` only reads the store's path, never its connection.
private final class Opening: @unchecked Sendable {
    private let store: any EventStore
    private let count: Int
    private let group = DispatchGroup()
    private var opened: [any EventStore] = []
    private var failure: (any Error)?

    init(_ store: any EventStore, readers count: Int) {
        self.store = store
        self.count = count
        DispatchQueue.global().async(group: group) { self.open() }
    }

    private func open() {
        do {
            for _ in 0..<count {
                guard let reader = try store.openReader() else { break }
                _ = try reader.snapshotMark()
                opened.append(reader)
            }
        } catch {
            failure = error
        }
    }

    /// Waits until the readers are open (or their opening failed).
    func wait() { group.wait() }

    /// The readers, once open; the error that stopped their opening.
    func readers() throws -> [any EventStore] {
        wait()
        if let failure { throw failure }
        return opened
    }
}

/// What the threads of `concurrentPerform` share: the parts, each read by one thread only, the
/// body, and each part's outcome, kept under a lock until `concurrentPerform` has returned.
/// Each outcome is kept in its part's place in two lists, not as a `Result` in a dictionary: that
/// dictionary's type was made at run time, by name, when a thread first put an outcome in it, its
/// requirements (`Int: Hashable`, `any Error: Error`) checked by looking conformances up through
/// all of the binary's (about 580,000 instructions of a replay, as its parts ended).
private final class Unchecked<Part>: @unchecked Sendable {
    let parts: [(store: any EventStore, range: RequestRange)]
    let body: (Int, any EventStore, RequestRange) throws -> Part
    private let lock = NSLock()
    private var values: [Part?]
    private var errors: [(any Error)?]

    init(parts: [(store: any EventStore, range: RequestRange)], body: @escaping (Int, any EventStore, RequestRange) throws -> Part) {
        self.parts = parts
        self.body = body
        values = Array(repeating: nil, count: parts.count)
        errors = Array(repeating: nil, count: parts.count)
    }

    func run(_ index: Int) {
        let part = parts[index]
        do {
            let value = try body(index, part.store, part.range)
            lock.withLock { values[index] = value }
        } catch {
            lock.withLock { errors[index] = error }
        }
    }

    /// Each part's result in order, or the first part's error.
    func results() throws -> [Part] {
        let (values, errors) = lock.withLock { (self.values, self.errors) }
        for case let error? in errors { throw error }
        return values.map { $0! }
    }
}
